"""Storing ingested documents: matching, no duplicates, --update, --dry-run, kill-and-resume, commands."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cbec_policy.cli import cli
from cbec_policy.ingest.pipeline import EXTRACT_KEYS, process_document
from cbec_policy.reference.loader import load_national_policies
from cbec_policy.store import Store, ingest_paths, open_store
from test_ingest_corpus import builder

REPO_SRC = Path(__file__).resolve().parents[1] / "src"


def render(directory: Path, key: str, variant: int = 0) -> Path:
    """Write one variant of a fixture document into ``directory``."""
    doc = builder.spec(key)
    suffix, data = builder.render(doc, doc["variants"][variant], variant)
    path = directory / f"{key}-{variant}{suffix}"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "policies.db"
    with open_store(f"sqlite:///{path}") as store:
        store.init()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, so a copy is complete
    return path


@pytest.fixture
def db_url(template_db: Path, tmp_path: Path) -> str:
    target = tmp_path / "policies.db"
    shutil.copyfile(template_db, target)
    return f"sqlite:///{target}"


@pytest.fixture
def ingest_store(db_url: str) -> Iterator[Store]:
    store = open_store(db_url)
    yield store
    store.close()


def test_document_matching_a_bundled_policy_fills_its_text_without_duplicating(
    ingest_store: Store, tmp_path: Path
) -> None:
    before = ingest_store.count_policies()
    path = render(tmp_path, "caiguanshui-2018-49", 1)  # Big5, traditional script, spam lines
    result = process_document(str(path), store=ingest_store, classify=False)
    assert result.matched_policy_id == "2018-caiguanshui-49"
    summary = ingest_paths([str(path)], ingest_store, classify=False)
    assert [o.status for o in summary.outcomes] == ["updated"]
    stored = ingest_store.get_policy("2018-caiguanshui-49")
    assert stored is not None and stored.full_text and "财关税〔2018〕49号" in stored.full_text
    # Verified metadata is kept: the bundled title and date, not the web copy's.
    assert stored.publish_date.isoformat() == "2018-11-29"
    assert stored.extraction_evidence["doc_number"]["method"] == "number line under the title"
    assert ingest_store.count_policies() == before
    again = ingest_paths([str(path)], ingest_store, classify=False)
    assert [o.status for o in again.outcomes] == ["unchanged"]


def test_new_documents_are_stored_once_across_formats_and_reruns(ingest_store: Store, tmp_path: Path) -> None:
    before = ingest_store.count_policies()
    paths = [render(tmp_path, "yuzheng-2023-35", i) for i in range(3)]  # GB18030 txt, HTML with metadata, run-on
    paths.append(render(tmp_path, "school-winter-break", 0))
    first = ingest_paths([str(p) for p in paths], ingest_store, classify=False)
    assert [o.status for o in first.outcomes] == ["new", "unchanged", "unchanged", "new"]
    assert ingest_store.count_policies() == before + 2
    stored = ingest_store.get_policy("豫政[2023]35号")
    assert stored is not None
    assert (stored.level, stored.region, stored.issuers) == ("provincial", "河南省", ("河南省人民政府",))
    distractor = ingest_store.get_policy(first.outcomes[3].policy_id)
    assert distractor is not None and distractor.level == "unknown" and distractor.doc_number is None
    second = ingest_paths([str(p) for p in paths], ingest_store, classify=False)
    assert {o.status for o in second.outcomes} == {"unchanged"}
    assert ingest_store.count_policies() == before + 2


def test_update_overwrites_a_matched_policys_metadata(ingest_store: Store, tmp_path: Path) -> None:
    path = render(tmp_path, "xiashangwugui-2022-5", 0)
    ingest_paths([str(path)], ingest_store, classify=False)
    edited = path.read_text(encoding="utf-8").replace("2022年8月15日", "2022年8月16日")
    path.write_text(edited, encoding="utf-8")
    kept = ingest_paths([str(path)], ingest_store, classify=False)
    assert kept.outcomes[0].status == "unchanged"
    assert ingest_store.get_policy("厦商务规〔2022〕5号").publish_date.isoformat() == "2022-08-15"
    updated = ingest_paths([str(path)], ingest_store, update=True, classify=False)
    assert updated.outcomes[0].status == "updated"
    assert ingest_store.get_policy("厦商务规〔2022〕5号").publish_date.isoformat() == "2022-08-16"


def test_dry_run_stores_nothing(ingest_store: Store, tmp_path: Path) -> None:
    before = ingest_store.count_policies()
    path = render(tmp_path, "tender-road-repair", 0)
    summary = ingest_paths([str(path)], ingest_store, dry_run=True, classify=False)
    assert [o.status for o in summary.outcomes] == ["new"]
    assert ingest_store.count_policies() == before


def test_bad_files_fail_with_reasons_and_the_others_go_on(ingest_store: Store, tmp_path: Path) -> None:
    good = render(tmp_path, "holiday-2024", 0)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"<html><body>x</body></html>")
    summary = ingest_paths([str(empty), str(fake), str(good)], ingest_store, classify=False)
    assert [o.status for o in summary.outcomes] == ["failed", "failed", "new"]
    assert [o.reason for o in summary.failed] == ["empty file", "not a PDF file: content is HTML"]
    assert ingest_store.get_policy("国办发明电〔2023〕7号") is not None


def test_extract_command_prints_json_lines_with_the_contract_keys(db_url: str, tmp_path: Path) -> None:
    good = render(tmp_path, "gacc-2018-194", 0)
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(builder.scanned_pdf_bytes())
    result = CliRunner().invoke(cli, ["extract", str(good), str(bad), "--format", "json", "--db", db_url])
    assert result.exit_code == 1  # one file failed
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [list(record) for record in lines] == [list(EXTRACT_KEYS)] * 2
    first, second = lines
    assert first["doc_number"] == "海关总署公告2018年第194号"
    assert first["publish_date"] == "2018-12-10"
    assert first["issuers"] == ["海关总署"]
    assert first["matched_policy_id"] == "2018-gacc-194"
    assert first["error"] is None
    assert second["error"] == "no text layer (scanned); OCR is not supported"
    assert f"{bad}: no text layer (scanned); OCR is not supported" in result.stderr


def test_ingest_command_summary_and_exit_code(db_url: str, tmp_path: Path) -> None:
    render(tmp_path, "huifa-2020-11", 1)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04garbage")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path), "--db", db_url])
    assert result.exit_code == 1
    assert "broken.docx" in result.stdout and "corrupt .docx" in result.stdout
    assert "更新 updated" in result.stdout  # the copy of 汇发〔2020〕11号 filled the bundled policy's text
    with open_store(db_url) as store:
        assert store.get_policy("2020-huifa-11").full_text


_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from cbec_policy.store import ingest_paths
    from cbec_policy.store import open_store
    kill_after = int(sys.argv[3])
    store = open_store(sys.argv[1])
    def progress(done, total, outcome):
        if done == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no commit of anything in flight
    summary = ingest_paths([sys.argv[2]], store, classify=False, progress=progress)
    print(len(summary.outcomes))
    """
)


def test_kill_and_resume_leaves_a_consistent_database_without_duplicates(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    keys = ["yuzheng-2023-35", "xiangzhengfa-2023-9", "guizhengbanhan-2023-45", "chuanfuhan-2023-295",
            "zangzhengfa-2023-19", "xiashangwugui-2022-5", "yuzheng-2016-28", "holiday-2024",
            "tender-road-repair"]  # fmt: skip
    for key in keys:
        render(folder, key, 0)
    env = {**os.environ, "PYTHONPATH": str(REPO_SRC)}
    killed = subprocess.run(
        [sys.executable, "-c", _CHILD, db_url, str(folder), "4"], env=env, capture_output=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    bundled = len(load_national_policies())
    with open_store(db_url) as store:
        partial = store.count_policies()
    assert bundled + 4 <= partial < bundled + len(keys)
    finished = subprocess.run(
        [sys.executable, "-c", _CHILD, db_url, str(folder), "0"], env=env, capture_output=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr.decode()
    with open_store(db_url) as store:
        assert store.count_policies() == bundled + len(keys)
        numbers = [p.doc_number for p in store.list_policies() if p.doc_number]
        assert len(numbers) == len(set(numbers))
        for key in keys:
            number = builder.spec(key)["doc_number"]
            if number:
                assert store.get_policy(number) is not None, number
    database = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

"""Chunked ingest: many documents per transaction, each one atomic, same outcome as one by one."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine

from cbec_policy.reference.loader import load_national_policies
from cbec_policy.store import Store, ingest_paths, open_store
from cbec_policy.store.url import parse_db_url
from test_ingest_corpus import builder

REPO_SRC = Path(__file__).resolve().parents[1] / "src"
# Documents that are all new to the bundled data, each with its own number.
NEW_KEYS = ["yuzheng-2023-35", "xiangzhengfa-2023-9", "guizhengbanhan-2023-45", "chuanfuhan-2023-295",
            "zangzhengfa-2023-19", "xiashangwugui-2022-5", "yuzheng-2016-28", "holiday-2024",
            "tender-road-repair"]  # fmt: skip


def render(directory: Path, key: str, variant: int = 0) -> Path:
    """Write one variant of a fixture document into ``directory``."""
    doc = builder.spec(key)
    suffix, data = builder.render(doc, doc["variants"][variant], variant)
    path = directory / f"{key}-{variant}{suffix}"
    path.write_bytes(data)
    return path


def test_one_chunk_matches_bundled_policies_and_stores_copies_once(store: Store, tmp_path: Path) -> None:
    before = store.count_policies()
    paths = [render(tmp_path, "yuzheng-2023-35", i) for i in range(3)]  # three copies of one document
    paths.append(render(tmp_path, "caiguanshui-2018-49", 1))  # a bundled policy, Big5 traditional copy
    paths.append(render(tmp_path, "school-winter-break", 0))  # a distractor without a number
    summary = ingest_paths([str(p) for p in paths], store, classify=False, chunk_size=64)
    assert [o.status for o in summary.outcomes] == ["new", "unchanged", "unchanged", "updated", "new"]
    assert store.count_policies() == before + 2
    bundled = store.get_policy("2018-caiguanshui-49")
    assert bundled is not None and bundled.full_text and "财关税〔2018〕49号" in bundled.full_text
    assert bundled.publish_date == date(2018, 11, 29)  # the verified date is kept
    stored = store.get_policy("豫政〔2023〕35号")
    assert stored is not None and stored.issuers == ("河南省人民政府",)
    hits = store.search("豫政〔2023〕35号")  # the full-text entry was written in the same chunk
    assert hits and hits[0].policy.id == stored.id
    again = ingest_paths([str(p) for p in paths], store, classify=False, chunk_size=64)
    assert {o.status for o in again.outcomes} == {"unchanged"}
    assert store.count_policies() == before + 2


def test_chunked_and_one_by_one_ingest_store_the_same_records(sqlite_store_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    paths = [str(render(folder, key)) for key in NEW_KEYS]
    paths += [str(render(folder, "yuzheng-2023-35", 1)), str(render(folder, "caiguanshui-2016-18", 0))]
    single_db = tmp_path / "single.sqlite3"
    shutil.copyfile(sqlite_store_url.removeprefix("sqlite:///"), single_db)
    records = {}
    for name, url, size in (("chunked", sqlite_store_url, 256), ("single", f"sqlite:///{single_db}", 1)):
        with open_store(url) as store:
            summary = ingest_paths(paths, store, classify=False, chunk_size=size)
            assert store.count_policies() == len(load_national_policies()) + len(NEW_KEYS)
            policies = store.list_policies()
        records[name] = ([o.status for o in summary.outcomes], [(o.policy_id, o.title) for o in summary.outcomes],
                         policies)  # fmt: skip
    assert records["chunked"] == records["single"]
    assert records["chunked"][0] == ["new"] * len(NEW_KEYS) + ["unchanged", "updated"]


_REFUSED_KEY = "xiangzhengfa-2023-9"


def _install_refusal(url: str, doc_number: str) -> None:
    """A trigger that makes the database itself refuse one document (a stand-in for any driver error)."""
    engine = create_engine(parse_db_url(url))
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON policies "
                f"WHEN NEW.doc_number = '{doc_number}' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.doc_number = '{doc_number}' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; "
                "RETURN NEW; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON policies FOR EACH ROW EXECUTE FUNCTION refuse_one()"
            )
    engine.dispose()


def _remove_refusal(url: str) -> None:
    engine = create_engine(parse_db_url(url))
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS refuse_one")
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS refuse_one ON policies")
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS refuse_one()")
    engine.dispose()


def test_a_document_the_database_refuses_fails_alone(store: Store, store_url: str, tmp_path: Path) -> None:
    keys = ["yuzheng-2023-35", _REFUSED_KEY, "zangzhengfa-2023-19", "holiday-2024"]
    paths = [str(render(tmp_path, key)) for key in keys]
    refused = builder.spec(_REFUSED_KEY)["doc_number"]
    before = store.count_policies()
    _install_refusal(store_url, refused)
    try:
        summary = ingest_paths(paths, store, classify=False, chunk_size=64)
    finally:
        _remove_refusal(store_url)
    assert [o.status for o in summary.outcomes] == ["new", "failed", "new", "new"]
    assert (
        summary.failed[0].reason.startswith("database error:") and "refused by test trigger" in summary.failed[0].reason
    )
    assert store.count_policies() == before + 3
    assert store.get_policy(refused) is None
    assert store.search(refused) == []  # no full-text entry left behind either
    for key in ("yuzheng-2023-35", "zangzhengfa-2023-19"):
        number = builder.spec(key)["doc_number"]
        assert [hit.policy.doc_number for hit in store.search(number)] == [number]
    retry = ingest_paths(paths, store, classify=False)
    assert [o.status for o in retry.outcomes] == ["unchanged", "new", "unchanged", "unchanged"]
    assert store.get_policy(refused) is not None


def test_chunk_matching_agrees_with_single_lookups(store: Store) -> None:
    bundled = {policy.id: policy for policy in load_national_policies()}
    title = bundled["2016-caiguanshui-18"].title
    cases = [
        (("财关税[2016]18号", None, None), "2016-caiguanshui-18"),
        ((None, f"《{title}》", date(2016, 3, 24)), "2016-caiguanshui-18"),
        ((None, title, date(2017, 1, 1)), None),  # same title, another date: another document
        (("某发〔2030〕1号", "没有这个文件", None), None),
        (("汇发〔2020〕11号", None, None), "2020-huifa-11"),
    ]
    with store.bulk(write=False) as session:
        found = session.find_matching_policies([case for case, _ in cases])
    assert found == [expected for _, expected in cases]
    assert found == [store.find_matching_policy(*case) for case, _ in cases]


_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from cbec_policy.store import ingest_paths
    from cbec_policy.store import open_store
    from cbec_policy.store.bulk import BulkSession
    kill_at = int(sys.argv[3])
    calls = []
    write = BulkSession._write
    def write_then_die(self, items):
        write(self, items)
        calls.append(len(items))
        if len(calls) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)  # rows written, transaction not committed
    BulkSession._write = write_then_die
    store = open_store(sys.argv[1])
    summary = ingest_paths([sys.argv[2]], store, classify=False, chunk_size=4)
    print(" ".join(o.status for o in summary.outcomes))
    """
)


def test_kill_inside_a_chunk_leaves_whole_chunks_and_resumes(sqlite_store_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for key in NEW_KEYS:
        render(folder, key)
    env = {**os.environ, "PYTHONPATH": str(REPO_SRC)}
    # Chunks of 1, 2, 4 and 2 documents: killed while the third chunk is written, uncommitted.
    killed = subprocess.run(
        [sys.executable, "-c", _CHILD, sqlite_store_url, str(folder), "3"], env=env, capture_output=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    bundled = len(load_national_policies())
    database = sqlite_store_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM policies").fetchone()[0] == bundled + 3
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO policy_fts(policy_fts) VALUES('integrity-check')")  # raises if corrupt
        assert conn.execute("SELECT count(*) FROM policy_fts").fetchone()[0] == bundled + 3
    finished = subprocess.run(
        [sys.executable, "-c", _CHILD, sqlite_store_url, str(folder), "0"], env=env, capture_output=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr.decode()
    assert finished.stdout.decode().split() == ["unchanged"] * 3 + ["new"] * 6
    with open_store(sqlite_store_url) as store:
        assert store.count_policies() == bundled + len(NEW_KEYS)
        for key in NEW_KEYS:
            number = builder.spec(key)["doc_number"]
            if number:
                assert store.get_policy(number) is not None, number
                assert [hit.policy.doc_number for hit in store.search(number)] == [number]
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM policy_fts").fetchone()[0] == bundled + len(NEW_KEYS)

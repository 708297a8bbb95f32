"""Broken and hostile input never stops a run: each bad file is one line, every good file is stored.

The files come from ``hostile_files`` (generated here, no network). Peak memory is measured in
a subprocess per input (``ru_maxrss``), so one test's allocations do not hide another's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import hostile_files as h
from cbec_policy.cli import cli
from cbec_policy.ingest import limits
from cbec_policy.ingest.pipeline import process_document
from cbec_policy.store import open_store

SRC = str(Path(__file__).resolve().parents[1] / "src")
# The reason each hostile file must be reported with (a fragment of its one line).
EXPECTED_REASON = {
    "nested_1000": "HTML nested more than",
    "nested_100000": "HTML nested more than",
    "self_length_pdf": "refers to itself",
    "bomb_pdf": "compression bomb",
    "paragraph_bomb_docx": "zip bomb",
    "shift_jis": "probably not Chinese text (looks like Shift-JIS)",
    "latin1": "probably not Chinese text (looks like Latin-1)",
}
LATIN1_FRENCH = (
    "Avis sur le commerce électronique transfrontalier: les opérateurs déclarent les données de la "
    "déclaration douanière; la réglementation présente est appliquée aux marchandises importées. "
)


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], list[Path]]:
    """One of each hostile file and eight good ones (text, HTML, .docx) in one folder."""
    folder = tmp_path_factory.mktemp("hostile")
    bad = {name: build(folder) for name, build in h.HOSTILE.items()}
    # The French sample above has every accented letter followed by a letter, so it decodes as GB18030.
    bad["latin1"].write_bytes((LATIN1_FRENCH * 3).encode("latin-1"))
    good = [h.good_text(folder, n) for n in range(1, 5)]
    good += [h.good_html(folder, n) for n in range(5, 7)]
    good += [h.good_docx(folder, n) for n in range(7, 9)]
    return folder, bad, good


@pytest.mark.parametrize("name", sorted(EXPECTED_REASON))
def test_each_hostile_file_fails_alone_with_its_reason(hostile_folder, name: str) -> None:
    _, bad, _ = hostile_folder
    result = process_document(str(bad[name]))
    assert result.error is not None and EXPECTED_REASON[name] in result.error
    assert "Traceback" not in result.error and "0x" not in result.error


def test_ingest_of_a_hostile_folder_stores_every_good_file_and_lists_each_bad_one(hostile_folder, tmp_path) -> None:
    folder, bad, good = hostile_folder
    url = f"sqlite:///{tmp_path / 'hostile.sqlite3'}"
    assert CliRunner().invoke(cli, ["init", "--db", url]).exit_code == 0
    result = CliRunner().invoke(cli, ["ingest", str(folder), "--db", url])
    assert result.exit_code == 1, result.output  # some files failed, the run finished
    assert "入库结果 ingest summary" in result.output
    for path in bad.values():
        assert path.name in result.output
    with open_store(url) as store:
        stored = {policy.doc_number for policy in store.list_policies() if policy.source and "good_" in policy.source}
    assert stored == {f"财关税〔2099〕{n}号" for n in range(1, len(good) + 1)}


def test_an_internal_error_exits_3_and_bad_sizes_are_usage_errors(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    for size in ("nan", "inf", "-1", "0"):
        result = CliRunner().invoke(cli, ["ingest", str(tmp_path), "--db", url, "--max-size-mb", size])
        assert result.exit_code == 2 and "--max-size-mb" in result.output, (size, result.output)
    import cbec_policy.store as store_facade

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(store_facade, "ingest_paths", broken)  # where `cbec ingest` takes it from
    h.good_text(tmp_path, 1)
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path), "--db", url])
    assert result.exit_code == 3 and "internal error" in result.output and "simulated bug" in result.output


def _deny(monkeypatch: pytest.MonkeyPatch, denied: list[Path]) -> None:
    """Make ``denied`` folders unreadable: chmod for a normal user; root reads everything, so
    there the system calls that list or stat inside them raise PermissionError, as they would."""
    if os.geteuid() != 0:
        for folder in denied:
            folder.chmod(0o000)
        return
    real_scandir, real_stat = os.scandir, os.stat

    def blocked(path: object) -> bool:
        text = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else ""
        return any(text == str(folder) or text.startswith(str(folder) + os.sep) for folder in denied)

    def scandir(path: object = ".") -> object:
        if blocked(path):
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        text = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else ""
        if blocked(path) and text not in {str(folder) for folder in denied}:
            raise PermissionError(13, "Permission denied", text)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)


def test_unreadable_files_and_folders_are_reported_not_skipped(tmp_path, monkeypatch) -> None:
    (tmp_path / "open").mkdir()
    h.good_text(tmp_path / "open", 1)
    locked = tmp_path / "open" / "locked"
    locked.mkdir()
    h.good_text(locked, 2)
    shut = tmp_path / "shut"
    shut.mkdir()
    h.good_text(shut, 3)
    url = f"sqlite:///{tmp_path / 'perm.sqlite3'}"
    assert CliRunner().invoke(cli, ["init", "--db", url]).exit_code == 0
    _deny(monkeypatch, [locked, shut])
    try:
        args = ["ingest", str(tmp_path / "open"), str(shut / "good_03.txt"), str(shut / "*.txt"), "--db", url]
        # Wide enough that no message wraps, whatever the length of the temporary folder's path.
        result = CliRunner(env={"COLUMNS": "400"}).invoke(cli, args)
    finally:
        for folder in (locked, shut):
            folder.chmod(0o755)
    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    assert "cannot read folder: permission denied" in out  # the walked subfolder, not skipped
    assert "cannot read: permission denied" in out  # the file named directly
    assert "cannot be read: permission denied" in out  # the glob inside the unreadable folder
    assert "新增 new" in out and "失败 failed" in out


# The peak is read from VmHWM, the high-water mark of this program's own memory map. ru_maxrss
# would not do: Linux carries it over from the forked test runner through exec, so a child of a
# 1 GB pytest process reports 1 GB whatever it does itself.
_MEASURE = """
import sys
sys.path.insert(0, {tests!r})
from cbec_policy.ingest.pipeline import process_document
result = process_document(sys.argv[1])
with open("/proc/self/status", encoding="ascii") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(peak_kb, result.error)
"""


@pytest.mark.parametrize("name", ["nested_100000", "bomb_pdf", "paragraph_bomb_docx", "huge_line"])
def test_peak_memory_for_a_single_input_stays_below_1_gb(hostile_folder, tmp_path, name: str) -> None:
    _, bad, _ = hostile_folder
    path = h.huge_line_text(tmp_path, 30) if name == "huge_line" else bad[name]
    code = _MEASURE.format(tests=str(Path(__file__).parent))
    run = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": SRC},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    peak_kb = int(run.stdout.split()[0])
    assert peak_kb * 1024 < 1024**3, f"{name}: peak {peak_kb // 1024} MB"


def test_a_huge_single_line_is_stored_and_classified_on_its_first_million_characters(tmp_path) -> None:
    path = h.huge_line_text(tmp_path, 8)
    result = process_document(str(path))
    assert result.error is None and result.extraction is not None
    assert len(result.normalised.text) > limits.MAX_CLASSIFY_CHARS  # the full text is kept
    assert result.classification is not None


def test_html_depth_counts_sloppy_pages_as_the_parser_does() -> None:
    sloppy = b"<html><body>" + b"<p>para" * 3000 + b"<ul>" + b"<li>x" * 500 + b"</ul>" + b"<br><img src=x>" * 500
    assert limits.html_depth(sloppy) < 10
    nested = b"<div class='a'>" * 50 + b"<!-- <div><div> --><script>if (a<b) {'<div>'}</script>" + b"</div>" * 50
    assert limits.html_depth(nested) == 50
    assert limits.html_depth(b"<div>" * 100_000) == limits.MAX_HTML_DEPTH + 1  # stops counting early


def test_real_chinese_in_gb18030_and_big5_is_not_called_mojibake() -> None:
    from cbec_policy.ingest.decode import decode_bytes

    simplified = h.notice(3) * 3
    traditional = "關於調整跨境電子商務零售進口商品清單的通知。為促進跨境電子商務健康發展，現將有關事項通知如下。" * 4
    assert decode_bytes(simplified.encode("gb18030"), "gb").text == simplified
    assert decode_bytes(traditional.encode("big5"), "big5").text == traditional
    assert decode_bytes(traditional.encode("gb18030"), "gb-traditional").text == traditional


def test_an_upload_with_hostile_files_reports_each_file_and_stores_the_good_one(
    hostile_folder, sqlite_store_url: str, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from cbec_policy.web.app import create_app

    _, bad, good = hostile_folder
    sent = [bad["nested_1000"], bad["self_length_pdf"], bad["shift_jis"], good[0]]
    with open_store(sqlite_store_url) as store:
        client = TestClient(create_app(store=store, token="t0ken", data_dir=tmp_path / "data"))
        response = client.post(
            "/api/ingest",
            headers={"Authorization": "Bearer t0ken"},
            files=[("files", (path.name, path.read_bytes(), "application/octet-stream")) for path in sent],
        )
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert [r["status"] for r in results] == ["failed", "failed", "failed", "new"]
        assert all(r["reason"] and str(tmp_path) not in r["reason"] for r in results[:3])  # no server paths
        assert store.find_matching_policy("财关税〔2099〕1号", None, None) is not None

"""Data safety: no silent new database, no write into a file that has gone, no loss on kill -9,
no spurious failure when two ingests run at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

import hostile_files as h
from cbec_policy.errors import InputError
from cbec_policy.store import open_store
from cbec_policy.web.app import create_app

SRC = str(Path(__file__).resolve().parents[1] / "src")
TOKEN = "reliability-token"
_COUNT_INGESTED = text("SELECT count(*), count(DISTINCT doc_number) FROM policies WHERE doc_number LIKE '%2099%'")


def _ingested(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            total, distinct = conn.execute(_COUNT_INGESTED).one()
    finally:
        engine.dispose()
    return int(total), int(distinct)


def _cbec(*args: str) -> list[str]:
    return [sys.executable, "-m", "cbec_policy", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC}


def test_a_url_without_a_path_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="names no database file"):
        open_store("sqlite:///")
    missing = tmp_path / "gone.sqlite3"
    with pytest.raises(InputError, match="cbec init"):
        open_store(f"sqlite:///{missing}", create=False)
    assert not missing.exists()
    with pytest.raises(InputError, match="cbec init"):
        create_app(f"sqlite:///{missing}", token="")  # the server never starts over on an empty store
    assert not missing.exists()
    with open_store(f"sqlite:///{tmp_path / 'made.sqlite3'}", create=True) as made:
        assert made.count_policies() == 0  # the library (and cbec init) still create on request


def test_serve_refuses_a_missing_database_unless_asked_to_create_it(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    run = subprocess.run(_cbec("serve", "--db", f"sqlite:///{missing}", "--port", "8799"), capture_output=True,
                         text=True, env=_env(), timeout=120)  # fmt: skip
    assert run.returncode == 2 and "cbec init" in run.stderr and "Traceback" not in run.stderr
    assert not missing.exists()


def test_writes_fail_clearly_when_the_file_is_deleted_or_replaced(sqlite_store_url: str, tmp_path: Path) -> None:
    path = Path(sqlite_store_url.removeprefix("sqlite:///"))
    store = open_store(sqlite_store_url)
    before = store.count_policies()
    client = TestClient(create_app(store=store, token=TOKEN, data_dir=tmp_path / "data"))
    notice = h.good_text(tmp_path, 1)
    saved = path.with_suffix(".kept")
    os.rename(path, saved)  # deleted under the running server (the open connections keep the inode)
    response = client.post(
        "/api/ingest",
        headers={"Authorization": f"Bearer {TOKEN}"},
        files=[("files", (notice.name, notice.read_bytes(), "text/plain"))],
    )
    assert response.status_code >= 400, response.text  # never acknowledged
    assert "deleted while in use" in response.text
    assert not path.exists()  # and no empty database was made in its place
    with pytest.raises(InputError, match="deleted while in use"):
        store.init()
    # Replaced by another file at the same path: refused as well.
    with open_store(f"sqlite:///{path}") as other:
        assert other.count_policies() == 0
    with pytest.raises(InputError, match="replaced by another file"):
        store.init()
    store.close()
    os.replace(saved, path)
    with open_store(sqlite_store_url) as reopened:
        assert reopened.count_policies() == before  # nothing stored was lost


def _folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(1, count + 1):
        h.good_text(folder, n)
    return folder


def _processes_naming(text: str) -> list[str]:
    """Command lines of the running processes that name ``text`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # not a process, or it ended meanwhile
            continue
        if text in command and state != "Z":
            found.append(f"{entry.name}: {command[:200]}")
    return found


def test_kill_9_during_ingest_leaves_whole_documents_and_a_rerun_finishes(store_url: str, tmp_path: Path) -> None:
    count = 300
    folder = _folder(tmp_path, count)
    process = subprocess.Popen(_cbec("ingest", str(folder), "--db", store_url), env=_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 240
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        stored = _ingested(store_url)[0]
        if stored >= 15:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before it could be killed; use more files"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    # Its reader processes end with it: none is left waiting on a pipe nobody reads.
    left = _processes_naming(str(folder))
    for _ in range(100):
        if not left:
            break
        time.sleep(0.05)
        left = _processes_naming(str(folder))
    assert not left, left
    total, distinct = _ingested(store_url)
    assert 15 <= total < count and total == distinct  # whole chunks, no duplicates
    if store_url.startswith("sqlite"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    rerun = subprocess.run(_cbec("ingest", str(folder), "--db", store_url), env=_env(), capture_output=True,
                           text=True, timeout=600)  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert _ingested(store_url) == (count, count)


def test_two_concurrent_ingests_of_the_same_files_report_no_failure(store_url: str, tmp_path: Path) -> None:
    count = 120
    folder = _folder(tmp_path, count)
    runs = [
        subprocess.Popen(
            _cbec("ingest", str(folder), "--db", store_url),
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, (out + err)[-3000:]
        assert "error:" not in err and "database error" not in out + err
    assert _ingested(store_url) == (count, count)

"""Limits before work, on a real ``cbec serve``: the token and the body size are checked from the
headers alone (nothing read, nothing written), a chunked body is cut at the limit, heavy builds
get 429 with Retry-After; and ``DELETE /api/policies/{id}`` removes ingested documents only."""

from __future__ import annotations

import concurrent.futures
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cbec_policy.reference.loader import load_national_policies
from cbec_policy.store import open_store
from cbec_policy.web.app import create_app
from cbec_policy.web.limits import FORM_OVERHEAD_BYTES
from serving import cbec_serve

SRC = str(Path(__file__).resolve().parents[1] / "src")
TOKEN = "limits-token"
UPLOAD_MB = 1
BODY_LIMIT = UPLOAD_MB * 1024 * 1024 + FORM_OVERHEAD_BYTES
NOTICE = (
    "嘉兴市商务局关于开展跨境电子商务企业出口海外仓认定工作的通知\n嘉商务〔2099〕31号\n各县（市、区）商务局：\n"
    "为支持跨境电子商务出口海外仓建设，现就认定工作通知如下。\n嘉兴市商务局\n2099年3月2日\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """``cbec serve`` with a 1 MB upload limit, one heavy job at a time, and its own temp folder."""
    folder = tmp_path_factory.mktemp("limits")
    (folder / "tmp").mkdir()
    url = f"sqlite:///{folder / 'limits.sqlite3'}"
    env = {"CBEC_WEB_MAX_UPLOAD_MB": str(UPLOAD_MB), "CBEC_WEB_HEAVY_JOBS": "1", "TMPDIR": str(folder / "tmp")}
    with cbec_serve(url, TOKEN, folder / "data", env=env) as base:
        yield int(base.rsplit(":", 1)[1]), folder


def _written(folder: Path) -> list[Path]:
    """Every file in the server's temp folder and upload folder."""
    return [p for base in (folder / "tmp", folder / "data") if base.exists() for p in base.rglob("*") if p.is_file()]


def _head_only(port: int, headers: str) -> str:
    """Send a request line and headers but no body; return the status line the server answers with."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"POST /api/ingest HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
        return sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_no_token_is_refused_before_the_body_is_sent(server: tuple[int, Path]) -> None:
    port, folder = server
    big = f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {BODY_LIMIT // 2}\r\n"
    assert _head_only(port, big) == "HTTP/1.1 401 Unauthorized"  # answered with the body still unsent
    wrong = big + "Authorization: Bearer not-it\r\n"
    assert _head_only(port, wrong) == "HTTP/1.1 401 Unauthorized"
    assert _written(folder) == []


def test_a_declared_body_over_the_limit_is_413_unread(server: tuple[int, Path]) -> None:
    port, folder = server
    headers = (f"Authorization: Bearer {TOKEN}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
               f"Content-Length: {1024**3}\r\n")  # fmt: skip
    assert _head_only(port, headers) == "HTTP/1.1 413 Request Entity Too Large"
    assert _written(folder) == []


def test_a_chunked_body_is_cut_at_the_limit(server: tuple[int, Path]) -> None:
    port, folder = server
    part = (b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.txt\"\r\n"
            b"Content-Type: text/plain\r\n\r\n")  # fmt: skip
    chunk = b"x" * 65536
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(
            f"POST /api/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        sock.settimeout(0.05)
        try:
            while sent < 20 * BODY_LIMIT and not answer:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                try:
                    answer = sock.recv(4096)
                except TimeoutError:
                    pass
        except (BrokenPipeError, ConnectionResetError):
            pass
        sock.settimeout(20)
        answer = answer or sock.recv(4096)
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 413 Request Entity Too Large"
    assert sent < 4 * BODY_LIMIT  # refused while streaming, not after the whole 20× body
    time.sleep(0.5)  # the spooled form part is closed as the request ends
    assert _written(folder) == []


def test_heavy_builds_beyond_the_limit_get_429_with_retry_after(server: tuple[int, Path]) -> None:
    port, _ = server

    def build() -> tuple[int, str | None, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/report", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return response.status, response.headers.get("Retry-After"), response.read(4)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Retry-After"), exc.read()

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: build(), range(3)))
    statuses = sorted(status for status, _, _ in answers)
    assert statuses[0] == 200 and 429 in statuses, answers
    assert next(body for status, _, body in answers if status == 200) == b"PK\x03\x04"  # a zip
    assert all(retry and int(retry) > 0 for status, retry, _ in answers if status == 429)


@pytest.fixture()
def writer(tmp_path: Path) -> Iterator[TestClient]:
    store = open_store(f"sqlite:///{tmp_path / 'delete.sqlite3'}", create=True)
    store.init()
    yield TestClient(create_app(store=store, token=TOKEN, data_dir=tmp_path / "data"))
    store.close()


def test_delete_removes_an_ingested_document_from_search_and_stats(writer: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    bundled = len(load_national_policies())
    stats_before = writer.get("/api/stats").json()
    uploaded = writer.post("/api/ingest", files={"files": ("n.txt", NOTICE.encode(), "text/plain")}, headers=auth)
    policy_id = uploaded.json()["results"][0]["policy_id"]
    assert writer.get("/api/policies", params={"q": "海外仓认定"}).json()["total"] == 1
    assert writer.get("/api/policies").json()["total"] == bundled + 1
    assert writer.delete(f"/api/policies/{policy_id}").status_code == 401  # the token first
    gone = writer.delete(f"/api/policies/{policy_id}", headers=auth)
    assert gone.status_code == 200 and gone.json()["deleted"] == policy_id
    assert writer.get("/api/policies", params={"q": "海外仓认定"}).json()["total"] == 0
    assert writer.get("/api/policies").json()["total"] == bundled
    assert writer.get(f"/api/policies/{policy_id}").status_code == 404
    assert writer.get("/api/stats").json() == stats_before  # every figure as before the upload
    assert writer.delete(f"/api/policies/{policy_id}", headers=auth).status_code == 404


def test_bundled_policies_cannot_be_deleted(writer: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    first = load_national_policies()[0]
    refused = writer.delete(f"/api/policies/{first.id}", headers=auth)
    assert refused.status_code == 409 and "bundled" in refused.json()["message"]
    assert writer.get(f"/api/policies/{first.id}").status_code == 200


def test_a_batch_number_beyond_sqlite_integers_is_422_not_500(writer: TestClient) -> None:
    response = writer.get("/api/zones", params={"batch": "99999999999999999999"})
    assert response.status_code == 422 and "batch" in response.json()["message"]

"""The real web server for tests: uvicorn on a free loopback port, started, awaited and stopped.

Two ways, as the tests need them:

* :func:`cbec_serve` runs ``cbec serve`` in its own process over a database URL, with the
  write token and any further ``CBEC_*`` settings in its environment — the server a user
  starts, limits and middleware included;
* :func:`serve_app` runs an already built app (over a store the test holds open) in a
  thread of the test process, so the test can write to that store while the server reads.

Both wait until the server answers before yielding its base URL, and stop it afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SRC = str(Path(__file__).resolve().parents[1] / "src")
START_SECONDS = 60


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def cbec_serve(
    db_url: str,
    token: str | None,
    data_dir: Path,
    *,
    env: dict[str, str] | None = None,
    init: bool = True,
) -> Iterator[str]:
    """``cbec serve`` (one worker) over ``db_url`` with write token ``token`` (None: read-only); yields its URL.

    ``init`` first builds the database with ``cbec init``, as an operator does; ``env`` adds
    settings such as ``CBEC_WEB_MAX_UPLOAD_MB``. A server that exits before answering fails
    with the end of its error output.
    """
    environment = {**os.environ, "PYTHONPATH": SRC, **(env or {})}
    environment.pop("CBEC_WEB_TOKEN", None)
    if token is not None:
        environment["CBEC_WEB_TOKEN"] = token
    if init:
        subprocess.run([sys.executable, "-m", "cbec_policy", "init", "--db", db_url], env=environment, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cbec_policy", "serve", "--db", db_url, "--port", str(port), "--workers", "1",
         "--data-dir", str(data_dir), "--no-access-log"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base, lambda: process.poll() is not None, lambda: process.stderr.read().decode())
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """Run ``app`` under uvicorn in a thread of this process; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base, lambda: not thread.is_alive(), lambda: "the server thread ended")
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _wait_until_answering(base: str, ended: Any, why: Any) -> None:
    """Poll ``/openapi.json`` until it answers; raise if the server ended or took too long."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            urllib.request.urlopen(f"{base}/openapi.json", timeout=2).read()
            return
        except OSError:
            if ended():
                raise RuntimeError(f"server did not start: {why()[-2000:]}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer within {START_SECONDS} s") from None
            time.sleep(0.1)

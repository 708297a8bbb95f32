"""``cbec serve``: the web application and REST API over the same store as the CLI."""

from __future__ import annotations

import os
import socket
from typing import Any

import click

from cbec_policy.cli.options import db_option
from cbec_policy.errors import InputError

MAX_DEFAULT_WORKERS = 4  # beyond this a SQLite-backed server gains little and holds more memory


def default_workers() -> int:
    """One worker process per CPU, at most :data:`MAX_DEFAULT_WORKERS`.

    Each worker is a separate Python process, so requests use every core instead of sharing
    one interpreter lock; SQLite in WAL mode serves concurrent readers across processes.
    """
    return max(1, min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1))


def tcp_listening_socket(sock: socket.socket) -> socket.socket:
    """The same listening socket, re-wrapped so that it says it is TCP.

    uvicorn binds the shared socket for several workers with protocol 0, and asyncio turns on
    ``TCP_NODELAY`` only for sockets whose protocol is ``IPPROTO_TCP``. Without it, a response
    written as headers then body waits for the client's delayed ACK (about 40 ms) on every
    kept-alive request. Accepted connections inherit the protocol recorded here.
    """
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


def _run_workers(config: Any) -> None:
    """Run ``config`` (an import-string app) in ``config.workers`` processes sharing one TCP socket."""
    # start-up: imported only when this command runs, so other commands and --help stay light
    from uvicorn.supervisors import Multiprocess

    sock = tcp_listening_socket(config.bind_socket())
    Multiprocess(config, sockets=[sock]).run()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="地址 address to listen on (loopback by default)")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口 port")
@db_option
@click.option(
    "--token-env",
    default="CBEC_WEB_TOKEN",
    show_default=True,
    help="存放写入令牌的环境变量 environment variable holding the write token (unset: read-only)",
)
@click.option(
    "--data-dir", type=click.Path(file_okay=False), default=None, help="上传与临时文件目录 uploads and work files"
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help=f"工作进程数 worker processes [default: one per CPU, at most {MAX_DEFAULT_WORKERS}]",
)
@click.option(
    "--access-log/--no-access-log", default=True, show_default=True, help="每个请求记一行日志 log each request"
)
@click.option(
    "--create-db", is_flag=True, help="数据库文件不存在时新建 create the SQLite file when missing (else: run cbec init)"
)
def serve(
    host: str,
    port: int,
    db_url: str | None,
    token_env: str,
    data_dir: str | None,
    workers: int | None,
    access_log: bool,
    create_db: bool,
) -> None:
    """启动网页与 API start the web pages and REST API (docs at /docs)."""
    # start-up: imported only when this command runs, so other commands and --help stay light
    import uvicorn

    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.web import create_app

    if not token_env.strip():
        raise InputError("--token-env", "must name an environment variable")
    workers = workers or default_workers()
    token = os.environ.get(token_env) or None
    # loads the bundled data; the one process warms up before it listens (several: each worker does)
    app = create_app(db_url, token=token or "", data_dir=data_dir, create_db=create_db, warm=workers == 1)
    mode = "可写 writable (bearer token set)" if token else "只读 read-only (no token)"
    click.echo(
        f"cbec serve: http://{host}:{port}/  API docs: http://{host}:{port}/docs  [{mode}; {workers} worker(s)]",
        err=True,
    )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log)
        return
    # Several processes: each builds its own app from the same settings, passed as environment variables.
    app.state.store.close()
    os.environ["CBEC_WEB_TOKEN"] = token or ""
    if db_url:
        os.environ["CBEC_DB_URL"] = db_url
    if data_dir:
        os.environ["CBEC_WEB_DATA_DIR"] = data_dir
    config = uvicorn.Config(
        "cbec_policy.web.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
    )
    _run_workers(config)


def register(cli: click.Group) -> None:
    """Add ``serve`` to the ``cbec`` command group."""
    cli.add_command(serve)

"""``cbec serve``: the web application and REST API over the same store as the CLI."""

from __future__ import annotations

import os

import click

from cbec_policy.cli.options import db_option
from cbec_policy.errors import InputError


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
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="工作进程数 worker processes")
def serve(host: str, port: int, db_url: str | None, token_env: str, data_dir: str | None, workers: int) -> None:
    """启动网页与 API start the web pages and REST API (docs at /docs)."""
    import uvicorn

    from cbec_policy.web.app import create_app

    if not token_env.strip():
        raise InputError("--token-env", "must name an environment variable")
    token = os.environ.get(token_env) or None
    app = create_app(db_url, token=token or "", data_dir=data_dir)  # also initialises a new database
    mode = "可写 writable (bearer token set)" if token else "只读 read-only (no token)"
    click.echo(f"cbec serve: http://{host}:{port}/  API docs: http://{host}:{port}/docs  [{mode}]", err=True)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="info")
        return
    # Several processes: each builds its own app from the same settings, passed as environment variables.
    app.state.store.close()
    os.environ["CBEC_WEB_TOKEN"] = token or ""
    if db_url:
        os.environ["CBEC_DB_URL"] = db_url
    if data_dir:
        os.environ["CBEC_WEB_DATA_DIR"] = data_dir
    uvicorn.run(
        "cbec_policy.web.app:create_app_from_env", factory=True, host=host, port=port, workers=workers, log_level="info"
    )


def register(cli: click.Group) -> None:
    """Add ``serve`` to the ``cbec`` command group."""
    cli.add_command(serve)

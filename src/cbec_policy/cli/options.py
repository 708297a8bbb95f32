"""Options and helpers shared by every command that reads or writes the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from cbec_policy.dates import parse_date

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only by commands that open it
    from cbec_policy.store import Store


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--db URL`` option (default ``$CBEC_DB_URL``, else the SQLite file in the user data dir)."""
    return click.option(
        "--db",
        "db_url",
        envvar="CBEC_DB_URL",
        default=None,
        metavar="URL",
        help="数据库 database URL: sqlite:///FILE or postgresql://USER:PASS@HOST/DB (env CBEC_DB_URL)",
    )(function)


def date_value(value: str | None, option: str) -> date | None:
    """Parse a date option strictly (``2023-02-30`` is an error naming the option)."""
    return parse_date(value, option) if value else None


def open_ready_store(db_url: str | None) -> Store:
    """Open the store; load the bundled data first when the database was never initialised."""
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.store import open_store

    store = open_store(db_url)
    try:
        if store.count_policies() == 0 and not store.list_batches():
            click.echo("数据库为空，正在载入内置数据 database empty: loading the bundled data …", err=True)
            store.init()
    except BaseException:
        store.close()
        raise
    return store

"""Database URLs and engines: which database, how to connect, and a clear error when it fails.

SQLite is the default (a file in the user's data directory). It runs in WAL mode so the web
server keeps reading while an ingest writes, with foreign keys on and a busy timeout so a reader
waits briefly instead of failing. PostgreSQL is reached through psycopg 3.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from cbec_policy.errors import InputError

ENV_VAR = "CBEC_DB_URL"
APP_NAME = "cbec-policy"
DB_FILENAME = "cbec.sqlite3"


def default_db_url() -> str:
    """``$CBEC_DB_URL`` when set, else a SQLite file in the user data directory (created on first use)."""
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return from_env
    path = Path(platformdirs.user_data_dir(APP_NAME)) / DB_FILENAME
    return f"sqlite:///{path}"


def mask(url: str) -> str:
    """The URL with any password replaced by ``***``, safe to print in an error."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Unparseable: hide anything between "://user:" and "@" by hand.
        head, sep, rest = url.partition("://")
        if sep and "@" in rest:
            credentials, _, host = rest.rpartition("@")
            user = credentials.split(":", 1)[0]
            return f"{head}://{user}:***@{host}"
        return url


def parse_url(text: str) -> URL:
    """Turn ``--db`` text into a SQLAlchemy URL: a bare path means a SQLite file; postgresql means psycopg 3."""
    value = text.strip()
    if not value:
        raise InputError("--db", "empty database URL")
    if "://" not in value:
        value = f"sqlite:///{Path(value).expanduser()}"
    try:
        url = make_url(value)
    except (ArgumentError, ValueError) as exc:
        raise InputError(mask(value), f"not a database URL ({exc})") from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        # Plain postgresql:// would pick psycopg2, which is not installed; psycopg 3 is.
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if url.drivername != "sqlite":
            raise InputError(mask(value), "unsupported SQLite driver; use sqlite:///PATH")
        return url
    raise InputError(mask(value), f"unsupported database {backend!r}; use sqlite:///PATH or postgresql://USER@HOST/DB")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself so every transaction (DDL included) is atomic.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(url: URL) -> Engine:
    """Create the engine for ``url``; for a SQLite file, create its folder first."""
    printable = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(printable, f"cannot create the folder for the database: {exc.strerror}") from None
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except NoSuchModuleError as exc:
        raise InputError(printable, f"database driver not installed ({exc})") from None


def connection_error(url: URL, exc: SQLAlchemyError) -> InputError:
    """A one-line InputError for a failed connection, naming the URL without its password."""
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    reason = " ".join(str(original).split()) or type(original).__name__
    if len(reason) > 200:
        reason = reason[:197] + "..."
    return InputError(url.render_as_string(hide_password=True), f"cannot open database: {reason}")

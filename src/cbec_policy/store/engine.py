"""How the store connects: the engine of each backend and its connection settings.

SQLite (a file, or memory for tests) runs in WAL mode with foreign keys on, so the web server
keeps reading while an ingest writes; writes take the write lock at the start of their
transaction (``BEGIN IMMEDIATE``) so two writers queue instead of failing half-way. PostgreSQL
goes through psycopg 3, its pooled connections checked only when they may have gone stale.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import StaticPool

from cbec_policy.errors import InputError
from cbec_policy.store.identity import FileIdentity
from cbec_policy.store.url import default_sqlite_path

_SQLITE_BUSY_TIMEOUT_MS = 30_000
# The file identity of each SQLite engine being opened, until open_store records it.
_IDENTITIES: dict[Engine, FileIdentity] = {}


def opened_file(engine: Engine) -> FileIdentity | None:
    """The identity of the SQLite file ``engine`` was made for (once; None for other engines)."""
    return _IDENTITIES.pop(engine, None)


# A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 5.0
# The planner's cost of a page read out of order, against 1.0 for a page read in order. The
# server's default (4.0) prices a disk that seeks; a store of policies is read from memory
# (shared buffers and the system's page cache), where the two cost about the same. At 4.0 a search
# for a word found in one title in ten (a thousand of 10,000 policies) scanned every row of
# ``policies`` and tested each title against every synonym (26-70 ms of server time) instead
# of reading the title trigram index and rechecking those thousand rows (3-8 ms).
RANDOM_PAGE_COST = 1.1


def _postgresql_engine(parsed: URL) -> Engine:
    """An engine whose pooled connections are checked when they may have gone stale, not on every use.

    ``pool_pre_ping`` costs one round trip (``SELECT 1``) per checkout: on a policy page that
    was a third of its statements. A connection used a moment ago is alive unless the server
    went away in that moment, so only one that sat idle in the pool for
    :data:`PING_AFTER_IDLE_SECONDS` is pinged first; a dead one is replaced before anyone sees
    it. If the server restarts while connections are busy, the next statement on one of them
    fails once and SQLAlchemy then drops every connection of the pool made before it.
    """
    engine = create_engine(parsed, connect_args={"connect_timeout": 10})

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET random_page_cost = {RANDOM_PAGE_COST}")
        dbapi_connection.commit()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # new, or back in the pool a moment ago
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:  # any driver failure: the pool makes a new connection and retries
            raise DisconnectionError(f"stale pooled connection: {exc}") from exc

    return engine


def make_engine(parsed: URL, masked: str, *, create: bool = True) -> Engine:
    """The engine for ``parsed``: PostgreSQL, a SQLite file (its identity watched) or SQLite in memory."""
    if parsed.get_backend_name() == "postgresql":
        return _postgresql_engine(parsed)
    database = parsed.database or ""
    if not database:
        # "sqlite:///" would silently be a database in memory, gone with the process.
        raise InputError(
            f"database URL {masked!r}", "names no database file; write sqlite:///FILE (or sqlite:///:memory:)"
        )
    in_memory = database == ":memory:" or database.startswith("file::memory:")
    if in_memory:
        # One shared connection so every thread sees the same in-memory database.
        engine = create_engine(parsed, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        path = Path(database).expanduser()
        if not create and not path.exists():
            raise InputError(
                f"database URL {masked!r}",
                f"no database file at {str(path)!r}; create it with `cbec init --db URL` (or start with --create-db)",
            )
        if path == default_sqlite_path():
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.parent.is_dir():
            raise InputError(f"database URL {masked!r}", f"directory {str(path.parent)!r} does not exist")
        elif path.is_dir():
            raise InputError(f"database URL {masked!r}", "is a directory, not a database file")
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
        _IDENTITIES[engine] = identity = FileIdentity(path, masked)
        identity.watch(engine)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit transactions are
    # deferred and skip reads), then turn on WAL and foreign keys.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.pop("immediate", False) else "BEGIN")

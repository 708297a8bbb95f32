"""The store's change counter: one number that moves on in the same transaction as every write.

Caches of what the store answers (search rankings, the dashboard's aggregates, the web's
ETags) are keyed on it, so a policy saved, relabelled or deleted by any process is seen at
once, on SQLite and on PostgreSQL alike.

The counter is one row of the ``search_version`` table. :func:`counting_changes` wraps every
write transaction of the store and moves the counter on at the end of the block when the
transaction wrote anything, so a repeated ingest of unchanged documents keeps caches warm.
Bumping at the end (just before the commit) matters on PostgreSQL: the counter row is then
locked only while the transaction commits, so writers do not queue behind each other's whole
chunk, and no lock is taken on the counter before the policy rows (no deadlock between two
writers). On SQLite, triggers also move it on for updates and deletions made outside the store.

Why a counter row and not a sequence: ``nextval`` is not transactional, so a reader could see
the new number before the data it stands for was committed and cache the old answer under
it. The row is committed with the data; a reader reads it first, then the data, so at worst
it caches new data under the old number (one needless recomputation), never the reverse.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from cbec_policy.store.tally_upkeep import fold_tally_changes

BUMP_SQL = "UPDATE search_version SET version = version + 1 WHERE id = 1"
READ_SQL = "SELECT version FROM search_version WHERE id = 1"


def ensure_change_counter(conn: Connection) -> None:
    """Create the counter row (and SQLite's update/delete triggers) if missing; idempotent."""
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS search_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)"
    )
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT OR IGNORE INTO search_version (id, version) VALUES (1, 0)")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS policies_search_version_insert")  # made by older versions
        # Writers outside the store (a script with plain SQL) still move the counter on.
        for event in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS policies_search_version_{event.lower()} AFTER {event} ON policies "
                f"BEGIN {BUMP_SQL}; END"
            )
    else:
        conn.exec_driver_sql("INSERT INTO search_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")


def bump_changes(conn: Connection) -> None:
    """Move the counter on inside the caller's transaction (both backends)."""
    conn.exec_driver_sql(BUMP_SQL)


def read_changes(conn: Connection) -> int:
    """The counter's current value as this transaction sees it."""
    return int(conn.exec_driver_sql(READ_SQL).scalar() or 0)


def _sqlite_total_changes(conn: Connection) -> int:
    return int(conn.connection.dbapi_connection.total_changes)  # type: ignore[union-attr]


def _wrote(conn: Connection, mark: int | None) -> bool:
    """Whether this transaction wrote anything since ``mark`` (see :func:`counting_changes`)."""
    if conn.dialect.name == "sqlite":
        return _sqlite_total_changes(conn) != mark
    # A PostgreSQL transaction gets a transaction id only when it first writes.
    return conn.exec_driver_sql("SELECT pg_current_xact_id_if_assigned() IS NOT NULL").scalar() is True


@contextmanager
def counting_changes(conn: Connection) -> Iterator[Connection]:
    """Around a write transaction's body: when the body wrote anything, bump the counter at its end.

    The dashboard's kept counts are brought up to date at the same point (store.tally_upkeep).

    Nothing is bumped when the body raises (the transaction is rolled back anyway) or when it
    only read (an ingest that found every document unchanged).
    """
    mark = _sqlite_total_changes(conn) if conn.dialect.name == "sqlite" else None
    yield conn
    if _wrote(conn, mark):
        bump_changes(conn)
        # After the counter: its row lock makes PostgreSQL's folds of the kept counts run one at a time.
        fold_tally_changes(conn)

"""Opening databases: default location, accepted URLs, clear masked errors, SQLite WAL and foreign keys."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

import reference_counts
from cbec_policy.errors import InputError
from cbec_policy.store import Store, default_db_url, mask_url, open_store
from cbec_policy.store.url import parse_db_url


def test_default_url_is_env_or_a_file_in_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBEC_DB_URL", "sqlite:///somewhere/else.sqlite3")
    assert default_db_url() == "sqlite:///somewhere/else.sqlite3"
    monkeypatch.delenv("CBEC_DB_URL")
    url = default_db_url()
    assert url.startswith("sqlite:///") and url.endswith("cbec-policy/cbec.sqlite3")


@pytest.mark.parametrize("url", ["postgresql://u:p@h/db", "postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"])
def test_postgresql_urls_use_psycopg_3(url: str) -> None:
    assert parse_db_url(url).drivername == "postgresql+psycopg"


def test_password_is_masked() -> None:
    assert "s3cret" not in mask_url("postgresql://cbec:s3cret@db.example:5432/x")
    assert "***" in mask_url("postgresql://cbec:s3cret@db.example:5432/x")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("not a url", "not a database URL"),
        ("mysql://u:s3cret@localhost/db", "unsupported database"),
        ("sqlite+aiosqlite:///x.db", "unsupported SQLite driver"),
        ("postgresql://cbec:s3cret@127.0.0.1:1/nothing", "127.0.0.1"),
    ],
)
def test_bad_urls_are_input_errors_naming_the_masked_url(url: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        open_store(url)
    message = str(caught.value)
    assert reason in message and "database URL" in message
    assert "s3cret" not in message and "\n" not in message


def test_sqlite_file_in_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite3'}")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_store: Store, sqlite_store_url: str) -> None:
    with sqlite_store._engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_readers_keep_reading_while_a_writer_holds_the_lock(sqlite_store: Store, sqlite_store_url: str) -> None:
    path = sqlite_store_url.removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE pilot_batches SET title = title || '（改）' WHERE batch = 1")
        # A web request reading during an ingest's open write transaction is not blocked ...
        done = threading.Event()
        result: list[int] = []

        def read() -> None:
            result.append(len(sqlite_store.list_batches()))
            done.set()

        threading.Thread(target=read).start()
        assert done.wait(5), "reader blocked by the writer"
        assert result == [len(reference_counts.batch_numbers())]
        # ... and sees the last committed state, not the half-done write.
        assert "（改）" not in sqlite_store.list_batches()[0].title
        writer.execute("ROLLBACK")
    finally:
        writer.close()


def test_schema_is_created_on_open_and_init_fills_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    with open_store(url) as fresh:
        assert fresh.count_policies() == 0 and fresh.list_zones() == []
        fresh.init()
    with open_store(url) as reopened:
        assert reopened.count_policies() == 59
        assert len(reopened.list_zones()) == reference_counts.zones_approved()


def test_store_url_is_safe_to_print(store: Store, store_url: str) -> None:
    assert store.dialect == ("sqlite" if store_url.startswith("sqlite") else "postgresql")
    if store.dialect == "postgresql" and ":" in store_url.split("@")[0].split("//")[1]:
        password = store_url.split("@")[0].rsplit(":", 1)[1]
        assert f":{password}@" not in store.url and "***" in store.url


def test_database_with_an_incompatible_table_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE policies (id VARCHAR(200) PRIMARY KEY, title TEXT)")
    with pytest.raises(InputError, match="table policies lacks columns") as caught:
        open_store(f"sqlite:///{path}")
    assert "\n" not in str(caught.value)


def test_a_pooled_connection_the_server_dropped_is_replaced_after_idling(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL pings a pooled connection only when it sat idle: one the server has since
    # ended (a restart, an idle timeout) is replaced before a read meets it.
    if store.dialect != "postgresql":
        pytest.skip("pooled server connections are PostgreSQL's")
    from cbec_policy.store import engine as store_engine

    monkeypatch.setattr(store_engine, "PING_AFTER_IDLE_SECONDS", 0.0)
    expected = store.count_policies()
    first = store._engine.connect()
    second = store._engine.connect()
    backend = first.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    first.commit()
    assert second.exec_driver_sql(f"SELECT pg_terminate_backend({int(backend)})").scalar()
    first.close()  # back to the pool first, so it is the next one handed out
    second.close()
    assert store.count_policies() == expected  # pinged, found dead and replaced, not raised
    with store.transaction(write=False) as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != backend


def test_server_connections_price_pages_as_read_from_memory(store: Store) -> None:
    # The planner's random-page cost is set on every new server connection, and a rolled-back
    # transaction leaves it set: the title tier of a search then reads its trigram index
    # instead of scanning every policy (see cbec_policy.store.engine).
    if store.dialect != "postgresql":
        pytest.skip("planner costs are PostgreSQL's")
    from cbec_policy.store.engine import RANDOM_PAGE_COST

    first = store._engine.connect()
    second = store._engine.connect()  # a second pooled connection, made while the first is out
    for conn in (first, second):
        assert float(conn.exec_driver_sql("SHOW random_page_cost").scalar()) == RANDOM_PAGE_COST
        conn.rollback()
        assert float(conn.exec_driver_sql("SHOW random_page_cost").scalar()) == RANDOM_PAGE_COST
        conn.close()
    assert RANDOM_PAGE_COST < 4.0  # below the server's default, which prices a seeking disk

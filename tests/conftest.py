"""Shared fixtures: an initialised store on SQLite and, when ``CBEC_TEST_PG_URL`` is set, on PostgreSQL.

``store`` runs a test once per backend; ``sqlite_store`` only on SQLite; ``store_url`` is the
URL of the test's own database (for CLI tests that pass ``--db``).

Both backends load the bundled data once per session into a template and give each test a
fresh copy, so tests may write freely and stay fast:
* SQLite: the template file is copied into the test's tmp_path.
* PostgreSQL: two schemas per session (``cbec_tmpl_<pid>`` and ``cbec_test_<pid>``) in the
  database named by ``CBEC_TEST_PG_URL`` (the role must be allowed to create schemas and the
  pg_trgm extension, e.g. a superuser); before each test the working schema's tables are
  truncated and refilled from the template. Both schemas are dropped at the end.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from cbec_policy.store import Store, open_store
from cbec_policy.store import schema as store_schema

PG_ENV = "CBEC_TEST_PG_URL"
# scripts/test.sh sets this: there a missing PostgreSQL server or Chromium fails the run
# instead of skipping half the suite.
REQUIRE_ENV = "CBEC_REQUIRE_SERVICES"
CHROMIUM = os.environ.get("CBEC_CHROMIUM", "/usr/bin/chromium")
# Flags for a headless Chromium on a machine with no network beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing, or fail when the run requires every service."""
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason} (required: {REQUIRE_ENV} is set)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A real headless Debian Chromium driven by Playwright (module-wide, closed at the end)."""
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        skip_or_fail(f"no Chromium at {CHROMIUM} (set CBEC_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def _isolated_default_db(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's own database: point the default at a throw-away file."""
    if not os.environ.get("CBEC_DB_URL"):
        folder = tmp_path_factory.mktemp("default-db")
        monkeypatch.setenv("CBEC_DB_URL", f"sqlite:///{folder / 'cbec.sqlite3'}")


# --------------------------------------------------------------------------- SQLite


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    with open_store(f"sqlite:///{path}") as store:
        store.init()
    # Fold the WAL into the main file so a plain file copy is a complete database.
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _sqlite_url(tmp_path: Path, template: Path) -> str:
    path = tmp_path / "cbec.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


# --------------------------------------------------------------------------- PostgreSQL


class _PgDatabase:
    """The session's template and working schemas on the test server."""

    def __init__(self, url: str) -> None:
        self.base_url = make_url(url).set(drivername="postgresql+psycopg")
        suffix = os.getpid()
        self.template = f"cbec_tmpl_{suffix}"
        self.work = f"cbec_test_{suffix}"
        self.admin: Engine = create_engine(self.base_url, isolation_level="AUTOCOMMIT")
        # Parents before children (policy_search references policies).
        self.tables = [table.name for table in store_schema.metadata.sorted_tables] + [
            "policy_search",
            "search_version",
        ]
        with self.admin.connect() as conn:
            # In public, so every test schema finds similarity() and gin_trgm_ops on its search path.
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            # Store tables left in public are visible through every test schema's search path, so
            # create_all would take them as existing and the test schema would lack its own.
            stray = (
                conn.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
                    (self.tables,),
                )
                .scalars()
                .all()
            )
            if stray:
                raise RuntimeError(
                    f"the test database {self.base_url.database!r} holds store tables in its public "
                    f"schema ({', '.join(sorted(stray))}); drop them or use an empty database"
                )
            for name in (self.template, self.work):
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        with open_store(self.url_for(self.template)) as store:
            store.init()
        open_store(self.url_for(self.work)).close()  # creates the (empty) working tables

    def url_for(self, schema: str) -> str:
        options = quote(f"-csearch_path={schema},public", safe="")
        return self.base_url.render_as_string(hide_password=False) + f"?options={options}"

    def reset_work(self) -> None:
        """Make the working schema an exact copy of the template (data and id sequences)."""
        # DELETE, not TRUNCATE: on tables this small it is many times faster (no new files, no fsync).
        statements = [f"DELETE FROM {self.work}.{name}" for name in reversed(self.tables)]
        statements += [f"INSERT INTO {self.work}.{name} SELECT * FROM {self.template}.{name}" for name in self.tables]
        for name in ("departments", "pilot_zones"):
            statements.append(
                f"SELECT setval(pg_get_serial_sequence('{self.work}.{name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {self.work}.{name}), 0) + 1, false)"
            )
        with self.admin.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))

    def drop(self) -> None:
        with self.admin.connect() as conn:
            for name in (self.template, self.work):
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        self.admin.dispose()


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[_PgDatabase | None]:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        yield None
        return
    database = _PgDatabase(url)
    try:
        yield database
    finally:
        database.drop()


# --------------------------------------------------------------------------- public fixtures


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path) -> str:
    """URL of a freshly initialised database for this test, once per backend."""
    if request.param == "sqlite":
        return _sqlite_url(tmp_path, _sqlite_template)
    database = request.getfixturevalue("_pg_database")
    if database is None:
        skip_or_fail(f"{PG_ENV} not set: no PostgreSQL server for this run")
    database.reset_work()
    return database.url_for(database.work)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An initialised store (bundled data loaded), on SQLite and on PostgreSQL."""
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def sqlite_store_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """URL of a freshly initialised SQLite database for this test."""
    return _sqlite_url(tmp_path, _sqlite_template)


@pytest.fixture
def sqlite_store(sqlite_store_url: str) -> Iterator[Store]:
    """An initialised store on SQLite only."""
    opened = open_store(sqlite_store_url)
    try:
        yield opened
    finally:
        opened.close()

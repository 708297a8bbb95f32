"""The store's lean reads (result lists, searches, counts), kept apart from :mod:`cbec_policy.store.db`.

:class:`~cbec_policy.store.db.Store` inherits these methods; they use its read transaction and
ranking cache. See :mod:`cbec_policy.store.finding` for the statements.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine

from cbec_policy.query import SearchQuery, parse_query
from cbec_policy.store.changes import READ_SQL
from cbec_policy.store.filters import PolicyFilters
from cbec_policy.store.finding import count_by_status, list_briefs, parse_cursor, search_briefs
from cbec_policy.store.records import PolicyBrief, SearchHit
from cbec_policy.store.search import search_version
from cbec_policy.store.tallies import CorpusTallies, TimelineRow, corpus_tallies, timeline_rows


class PolicyReads:
    """Lists, searches and counts over policies as lean records."""

    # Provided by Store: the engine, the read transaction, the one-statement read and the ranking cache.
    _engine: Engine
    dialect: str
    _read: Callable[[], AbstractContextManager[Connection]]
    _read_statement: Callable[[], AbstractContextManager[Connection]]
    _search_cache: Any

    def list_briefs(
        self,
        filters: PolicyFilters | None = None,
        *,
        order: str = "date_desc",
        after: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[PolicyBrief]:
        """One page of lean records (see :mod:`cbec_policy.store.finding`), after the cursor ``after``."""
        checked = (filters or PolicyFilters()).checked()
        key = parse_cursor(after)
        with self._read() as conn:
            return list_briefs(conn, checked, order=order, after=key, limit=limit, offset=offset)

    def count_by_status(self, filters: PolicyFilters | None = None) -> dict[str, int]:
        """Policies matching ``filters`` per status code (现行有效, 已失效, …, unknown), each on its own."""
        checked = (filters or PolicyFilters()).checked()
        with self._read() as conn:
            return count_by_status(conn, checked)

    def corpus_tallies(self, national: str, day: date) -> CorpusTallies:
        """The dashboard's counts grouped in the database (see :mod:`cbec_policy.store.tallies`)."""
        with self._read() as conn:
            return corpus_tallies(conn, national, day)

    def timeline_rows(self, national: str, limit: int, *, complete_only: bool = False) -> tuple[list[TimelineRow], int]:
        """The newest ``limit`` dated national CBEC policies (oldest first) and how many (see store.tallies)."""
        with self._read() as conn:
            return timeline_rows(conn, national, limit, complete_only=complete_only)

    def change_counter(self) -> int | None:
        """The store's change counter: moves on in the same transaction as every write (see store.changes).

        Asked on every cacheable web request, so it is read with one statement and no transaction
        around it. On SQLite the statement goes straight to a pooled driver connection, which is in
        autocommit (see store.engine): a SQLAlchemy connection and its BEGIN and COMMIT cost ten
        times the statement, and the web app asks this on its event loop.
        """
        if self.dialect == "sqlite":
            raw = self._engine.raw_connection()
            try:
                row = raw.driver_connection.execute(READ_SQL).fetchone()  # type: ignore[union-attr]
            finally:
                raw.close()  # back to the pool
            return int(row[0]) if row is not None else None
        with self._read_statement() as conn:
            return search_version(conn)

    def search(self, text: str | SearchQuery, limit: int = 20, filters: PolicyFilters | None = None) -> list[SearchHit]:
        """Policies matching every word of ``text`` (see :mod:`cbec_policy.query`), best first, as lean hits.

        Words match Chinese substrings, their synonyms and their traditional or full-width
        forms; ``title:`` ``number:`` ``text:`` ``issuer:`` restrict a word to a field.
        ``filters`` narrow the candidates inside the same query. Rankings of repeated queries
        come from a small cache while the database is unchanged (see
        :class:`~cbec_policy.store.search.SearchCache`).
        """
        query = text if isinstance(text, SearchQuery) else parse_query(text)
        checked = (filters or PolicyFilters()).checked()
        if not query:
            return []
        key = f"{query.key()}\x1d{checked!r}"
        with self._read() as conn:
            version = search_version(conn)
            hits = self._search_cache.get(key, limit, version)
            if hits is None:
                hits = search_briefs(conn, query, checked, limit)
                self._search_cache.put(key, limit, version, hits)
        return hits

"""Reads and writes for ingesting many documents a chunk at a time: one transaction, each document atomic.

Saving documents one transaction at a time spends most of its time on per-statement overhead
and on one commit (one WAL sync) per document. A :class:`BulkSession` instead holds one write
transaction for a chunk of documents and

* matches a whole chunk against stored policies with one query per key kind
  (document-number keys ``IN (…)``, then title keys ``IN (…)``),
* fetches the matched policies in bulk,
* writes the chunk with prepared multi-row statements (``executemany``) for the policy rows,
  their link rows and their full-text entries, inside one SAVEPOINT. When that savepoint fails
  (a constraint, a driver error), it is rolled back and every document is written again in a
  SAVEPOINT of its own, so a bad document fails alone and the others are stored.

On SQLite the rows are handed to the driver as plain tuples (``executemany`` on the same
connection, inside the same SAVEPOINT), converted by the column types' own bind processors so
the stored bytes are those SQLAlchemy would store; PostgreSQL goes through SQLAlchemy Core.

Nothing is visible to other connections before the chunk commits, and a process killed at any
moment leaves the database as it was before the chunk (or after it): never half a document.
Matching, chunking and the per-document SAVEPOINTs are the same on both backends; only how rows
reach the driver and the full-text index (see ``search.py``) differ.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from cbec_policy.errors import InputError
from cbec_policy.labels import LEVELS, POLICY_TYPES, RELATION_INVERSES, STATUSES, THEMES
from cbec_policy.models import Policy
from cbec_policy.store import schema as s
from cbec_policy.store.hashing import record_hash
from cbec_policy.store.policy_rows import (
    POLICY_VALUE_COLUMNS,
    cached_doc_key,
    cached_title_key,
    policy_row,
    policy_values,
    read_policies,
)
from cbec_policy.store.search import BUMP_SEARCH_VERSION_SQL, PG_SEARCH_UPSERT, search_body
from cbec_policy.store.search_brief import BRIEF_INSERT_SQL
from cbec_policy.store.search_fts import FTS_COLUMNS, FTS_INSERT_SQL

_IN_LIST_SIZE = 500  # stay well under SQLite's bound-parameter limit for IN (…) lists
# SQLite page cache of a connection that writes chunks, in KiB: a chunk of a few hundred
# documents (their rows, texts and full-text segments) then stays in memory until it commits
# instead of spilling pages to the WAL half-way (SQLite's default is 2 MiB).
BULK_CACHE_KIB = 32768
_STATUS_CODES = frozenset(label.code for label in STATUSES)
_LEVEL_CODES = frozenset(label.code for label in LEVELS)
_TYPE_CODES = frozenset(label.code for label in POLICY_TYPES)
_THEME_CODES = frozenset(label.code for label in THEMES)
# What a failed write raises: SQLAlchemy's wrapped errors, or the sqlite3 driver's own on the direct path.
_DB_ERRORS = (SQLAlchemyError, sqlite3.Error)

# Prepared statements, built once: SQLAlchemy then reuses their compiled form from its cache.
_SELECT_STORED = select(s.policies.c.id, s.policies.c.content_hash, s.policies.c.fts_rowid)
_UPDATE_POLICY = update(s.policies).where(s.policies.c.id == bindparam("b_id"))
_LINK_TABLES = (
    (s.policy_issuers, s.policy_issuers.c.policy_id),
    (s.policy_themes, s.policy_themes.c.policy_id),
    (s.policy_instruments, s.policy_instruments.c.policy_id),
    (s.policy_evidence, s.policy_evidence.c.policy_id),
    (s.policy_relations, s.policy_relations.c.source_id),
)
# SQLite writes go straight to the driver (see ``_write_sqlite``): plain SQL, built once.
_SQLITE_INSERT = {
    table.name: f"INSERT INTO {table.name} ({', '.join(c.name for c in table.columns)}) "
    f"VALUES ({', '.join('?' for _ in table.columns)})"
    for table, _ in _LINK_TABLES
}
_SQLITE_DELETE_LINKS = [f"DELETE FROM {table.name} WHERE {column.name} = ?" for table, column in _LINK_TABLES]


def validate_policy(policy: Policy) -> None:
    """Reject values outside the closed vocabularies before anything is written."""
    where = f"policy {policy.id!r}"
    if not policy.id or not policy.id.strip():
        raise InputError("policy", "id is empty")
    if not policy.title or not policy.title.strip():
        raise InputError(where, "title is empty")
    checks: list[tuple[str, object, frozenset[str]]] = [
        ("status", policy.status, _STATUS_CODES),
        ("level", policy.level, _LEVEL_CODES),
    ]
    if policy.policy_type is not None:
        checks.append(("policy_type", policy.policy_type, _TYPE_CODES))
    checks.extend(("themes", theme, _THEME_CODES) for theme in policy.themes)
    for field_name, value, allowed in checks:
        if value not in allowed:
            raise InputError(where, f"{field_name}: unknown value {value!r}; allowed: {', '.join(sorted(allowed))}")
    kinds = set(RELATION_INVERSES)
    for relation in policy.relations:
        if relation.kind not in kinds:
            raise InputError(where, f"relations: unknown kind {relation.kind!r}; allowed: {', '.join(sorted(kinds))}")


@dataclass(frozen=True)
class SaveResult:
    """What saving one policy did: ``new``, ``updated``, ``unchanged``, or ``failed`` with a reason."""

    status: str
    reason: str | None = None


@dataclass
class _Pending:
    """One policy on its way into the database."""

    index: int
    policy: Policy
    original_text: str | None
    content_hash: str
    exists: bool
    fts_rowid: int | None


def _in_lists(values: Sequence, size: int = _IN_LIST_SIZE) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _error_line(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__


class BulkSession:
    """Reads and writes of a chunk of documents on one connection inside one transaction.

    Obtained from ``Store.bulk()``; the transaction commits when the ``with`` block ends
    normally and rolls back when it raises.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._sqlite = _SqliteWriter.for_dialect(conn.dialect) if conn.dialect.name == "sqlite" else None
        if self._sqlite is not None and not conn.info.get("bulk_cache"):
            conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
            conn.info["bulk_cache"] = True  # kept by this pooled connection

    # ------------------------------------------------------------------ reads

    def find_matching_policies(
        self, documents: Sequence[tuple[str | None, str | None, date | None]]
    ) -> list[str | None]:
        """``Store.find_matching_policy`` for many (doc_number, title, publish_date) at once, same rules.

        A document number decides alone (any bracket form, a same-day policy first, then the
        lowest id); without a stored number match, the title key must match and, when both
        dates are known, the date too.
        """
        p = s.policies.c
        doc_keys = [cached_doc_key(number) if number and number.strip() else None for number, _, _ in documents]
        by_doc: dict[str, list[tuple[str, date | None]]] = defaultdict(list)
        wanted = sorted({key for key in doc_keys if key is not None})
        for keys in _in_lists(wanted):
            for row in self._conn.execute(select(p.doc_key, p.id, p.publish_date).where(p.doc_key.in_(keys))):
                by_doc[row.doc_key].append((row.id, row.publish_date))
        answers: list[str | None] = [None] * len(documents)
        need_title: dict[int, str] = {}
        for i, ((_, title, publish_date), key) in enumerate(zip(documents, doc_keys, strict=True)):
            rows = sorted(by_doc.get(key, ())) if key is not None else []
            if rows:
                same_day = [pid for pid, day in rows if publish_date and day == publish_date]
                answers[i] = same_day[0] if same_day else rows[0][0]
            elif title and title.strip():
                need_title[i] = cached_title_key(title)
        by_title: dict[str, list[tuple[str, date | None]]] = defaultdict(list)
        for keys in _in_lists(sorted(set(need_title.values()))):
            for row in self._conn.execute(select(p.title_key, p.id, p.publish_date).where(p.title_key.in_(keys))):
                by_title[row.title_key].append((row.id, row.publish_date))
        for i, key in need_title.items():
            publish_date = documents[i][2]
            for pid, day in sorted(by_title.get(key, ())):
                if publish_date is None or day is None or day == publish_date:
                    answers[i] = pid
                    break
        return answers

    def get_policies(self, ids: Iterable[str]) -> dict[str, Policy]:
        """The stored policies among ``ids``, by id (ids not stored are absent)."""
        wanted = sorted(set(ids))
        found: dict[str, Policy] = {}
        for keys in _in_lists(wanted):
            rows = self._conn.execute(select(s.policies).where(s.policies.c.id.in_(keys))).mappings().all()
            found.update((policy.id, policy) for policy in read_policies(self._conn, rows))
        return found

    # ------------------------------------------------------------------ writes

    def save_policies(
        self, items: Sequence[tuple[Policy, str | None]], content_hashes: Sequence[str | None] = ()
    ) -> list[SaveResult]:
        """Insert or replace each (policy, original_text), each one atomically; one result per item.

        Same outcome per item as ``Store.save_policy`` (``new`` / ``updated`` / ``unchanged``),
        except that a failure is returned as ``failed`` with its reason instead of raised, and
        the other items are still saved. An id given twice is saved in order (the last wins).
        ``content_hashes``, one per item or empty, are the items' ``record_hash(policy,
        original_text)`` where already computed (None where not), so they are not hashed twice.
        """
        results: list[SaveResult | None] = [None] * len(items)
        pending: list[_Pending] = []
        for index, (policy, original_text) in enumerate(items):
            try:
                validate_policy(policy)
            except InputError as exc:
                results[index] = SaveResult("failed", exc.reason)
                continue
            known = content_hashes[index] if content_hashes else None
            content_hash = known or record_hash(policy, original_text)
            pending.append(_Pending(index, policy, original_text, content_hash, False, None))
        # A repeated id goes into a later round, so every round writes distinct rows.
        while pending:
            seen: set[str] = set()
            current, later = [], []
            for item in pending:
                (later if item.policy.id in seen else current).append(item)
                seen.add(item.policy.id)
            self._save_round(current, results)
            pending = later
        return [result if result is not None else SaveResult("failed", "not saved") for result in results]

    def _save_round(self, items: list[_Pending], results: list[SaveResult | None]) -> None:
        stored: dict[str, tuple[str, int | None]] = {}
        for keys in _in_lists([item.policy.id for item in items]):
            for row in self._conn.execute(_SELECT_STORED.where(s.policies.c.id.in_(keys))):
                stored[row.id] = (row.content_hash, row.fts_rowid)
        to_write = []
        for item in items:
            previous = stored.get(item.policy.id)
            if previous is not None and previous[0] == item.content_hash:
                results[item.index] = SaveResult("unchanged")
                continue
            item.exists = previous is not None
            item.fts_rowid = previous[1] if previous is not None else None
            to_write.append(item)
        if not to_write:
            return
        try:
            with self._conn.begin_nested():
                self._write(to_write)
        except _DB_ERRORS:
            # Something in the chunk was refused: write each document alone, so only it fails.
            for item in to_write:
                results[item.index] = self._save_alone(item)
            return
        for item in to_write:
            results[item.index] = SaveResult("updated" if item.exists else "new")

    def _save_alone(self, item: _Pending) -> SaveResult:
        """Write one document in its own SAVEPOINT; after a conflict, look again and retry once.

        Two ingests of the same files at once (PostgreSQL lets both transactions run) both see a
        document as new; the second insert then meets the first one's committed row (duplicate
        key). Read again, that row is the document already stored: the retry updates it, or
        finds it unchanged, instead of reporting a failure.
        """
        try:
            with self._conn.begin_nested():
                self._write([item])
        except _DB_ERRORS as exc:
            first_error = exc
        else:
            return SaveResult("updated" if item.exists else "new")
        # The other ingest may have stored this policy, or a new issuing department, meanwhile.
        row = self._conn.execute(_SELECT_STORED.where(s.policies.c.id == item.policy.id)).first()
        if row is not None and row.content_hash == item.content_hash:
            return SaveResult("unchanged")
        if (row is not None) == item.exists and not self._conflict(first_error):
            return SaveResult("failed", f"database error: {_error_line(first_error)}")
        item.exists = row is not None
        item.fts_rowid = row.fts_rowid if row is not None else None
        try:
            with self._conn.begin_nested():
                self._write([item])
        except _DB_ERRORS as exc:
            return SaveResult("failed", f"database error: {_error_line(exc)}")
        return SaveResult("updated" if item.exists else "new")

    @staticmethod
    def _conflict(exc: BaseException) -> bool:
        """True for a unique-key violation (SQLSTATE 23505 / SQLite UNIQUE), the mark of a concurrent writer."""
        inner = getattr(exc, "orig", None)
        return getattr(inner, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(inner or exc)

    def _write(self, items: list[_Pending]) -> None:
        """Write ``items`` (distinct ids) with their link rows and full-text entries, multi-row statements."""
        if self._sqlite is not None:
            self._write_sqlite(items, self._sqlite)
        else:
            self._write_core(items)

    def _write_sqlite(self, items: list[_Pending], writer: _SqliteWriter) -> None:
        """SQLite: plain tuples through the driver's ``executemany``, inside the caller's SAVEPOINT.

        The rows and values are exactly those the SQLAlchemy statements of :meth:`_write_core`
        would bind (the column types' own bind processors convert dates, booleans and JSON);
        skipping SQLAlchemy's per-row parameter handling is what makes this path cheaper.
        """
        cursor = writer.cursor(self._conn)
        try:
            self._write_sqlite_rows(items, writer, cursor)
        finally:
            cursor.close()

    def _write_sqlite_rows(self, items: list[_Pending], writer: _SqliteWriter, cursor: Any) -> None:
        # The transaction holds the write lock (BEGIN IMMEDIATE), so these numbers stay free.
        next_rowid = cursor.execute("SELECT coalesce(max(fts_rowid), 0) FROM policies").fetchone()[0]
        for item in items:
            if item.fts_rowid is None:
                next_rowid += 1
                item.fts_rowid = next_rowid
        changed = [item for item in items if item.exists]
        if changed:
            ids = [(item.policy.id,) for item in changed]
            for statement in _SQLITE_DELETE_LINKS:
                cursor.executemany(statement, ids)
            # The update triggers replace both index entries of a changed row (search_fts, search_brief).
            cursor.executemany(writer.update, [writer.update_values(item) for item in changed])
        new = [item for item in items if not item.exists]
        if new:
            rows = [writer.insert_values(item) for item in new]
            cursor.executemany(writer.insert, rows)
            # The main index's entries from the very values of the rows (what its triggers later remove).
            cursor.executemany(FTS_INSERT_SQL, [writer.fts_values(row) for row in rows])
            cursor.execute(BUMP_SEARCH_VERSION_SQL)  # once per chunk (updates move it by trigger)
            # The brief index's entries of new rows (updates keep theirs by trigger; see search_brief).
            cursor.executemany(
                BRIEF_INSERT_SQL,
                [
                    (item.fts_rowid, item.policy.title, item.policy.doc_number or "", item.policy.summary or "")
                    for item in new
                ],
            )
        self._write_links(items, lambda table, rows: cursor.executemany(_SQLITE_INSERT[table.name], rows))

    def _write_links(self, items: list[_Pending], write: Callable[[Table, list[tuple]], object]) -> None:
        """Insert the link rows of ``items`` with ``write(table, rows)``, rows as tuples in column order."""
        departments = department_ids(self._conn, (name for item in items for name in item.policy.issuers))
        issuers: list[tuple] = []
        themes: list[tuple] = []
        instruments: list[tuple] = []
        evidence: list[tuple] = []
        relations: list[tuple] = []
        for item in items:
            policy = item.policy
            pid = policy.id
            issuers.extend((pid, i, departments[name]) for i, name in enumerate(policy.issuers))
            themes.extend((pid, i, theme) for i, theme in enumerate(policy.themes))
            instruments.extend((pid, i, value) for i, value in enumerate(policy.instruments))
            evidence.extend((pid, i, url) for i, url in enumerate(policy.evidence))
            relations.extend((pid, i, rel.kind, rel.target_id) for i, rel in enumerate(policy.relations))
        for table, rows in zip(_LINK_TABLES, (issuers, themes, instruments, evidence, relations), strict=True):
            if rows:
                write(table[0], rows)

    def _write_core(self, items: list[_Pending]) -> None:
        """Any other backend (PostgreSQL): the same rows through SQLAlchemy multi-row statements."""
        conn = self._conn
        new_rows, changed_rows = [], []
        for item in items:
            row = policy_row(item.policy, item.original_text, item.content_hash)
            if item.exists:
                row["b_id"] = row.pop("id")
                changed_rows.append(row)
            else:
                new_rows.append(row)
        if changed_rows:
            ids = [row["b_id"] for row in changed_rows]
            for keys in _in_lists(ids):
                for table, column in _LINK_TABLES:
                    conn.execute(delete(table).where(column.in_(keys)))
            conn.execute(_UPDATE_POLICY, changed_rows)
        if new_rows:
            conn.execute(insert(s.policies), new_rows)

        def write(table: Table, rows: list[tuple]) -> None:
            names = [column.name for column in table.columns]
            conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])

        self._write_links(items, write)
        conn.execute(
            PG_SEARCH_UPSERT,
            [
                {"id": p.id, "body": search_body(p.title, p.doc_number, p.summary, p.full_text)}
                for p in (item.policy for item in items)
            ],
        )


class _SqliteWriter:
    """Prepared SQL and value converters for writing ``policies`` rows through the sqlite3 driver.

    Built once per dialect: the converters are the column types' own bind processors, so a
    row written here is byte for byte the row SQLAlchemy would write.
    """

    def __init__(self, dialect: Dialect) -> None:
        columns = [*POLICY_VALUE_COLUMNS, "fts_rowid"]
        self.insert = f"INSERT INTO policies ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.update = f"UPDATE policies SET {', '.join(f'{name} = ?' for name in columns[1:])} WHERE id = ?"
        # Where the main index's columns sit in a row's values: (fts_rowid, title, doc_number, summary, full_text).
        self._fts_positions = [columns.index(name) for name in ("fts_rowid", *FTS_COLUMNS)]
        self._convert: list[tuple[int, Callable[[object], object]]] = []
        for index, name in enumerate(columns):
            processor = s.policies.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self._convert.append((index, processor))

    @classmethod
    def for_dialect(cls, dialect: Dialect) -> _SqliteWriter:
        writer = _WRITERS.get(dialect)
        if writer is None:
            writer = _WRITERS[dialect] = cls(dialect)
        return writer

    @staticmethod
    def cursor(conn: Connection) -> Any:
        """A cursor of the DBAPI connection under ``conn``: same connection, same transaction."""
        return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def insert_values(self, item: _Pending) -> list[object]:
        values = [*policy_values(item.policy, item.original_text, item.content_hash), item.fts_rowid]
        for index, convert in self._convert:
            values[index] = convert(values[index])
        return values

    def fts_values(self, row: list[object]) -> tuple[object, ...]:
        """The main index's entry of an inserted row, from the values bound to the row itself."""
        return tuple(row[position] for position in self._fts_positions)

    def update_values(self, item: _Pending) -> list[object]:
        values = self.insert_values(item)
        values.append(values.pop(0))  # id moves to the WHERE clause
        return values


_WRITERS: WeakKeyDictionary[Dialect, _SqliteWriter] = WeakKeyDictionary()


def department_ids(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    """Ids of the named departments with one query, adding any name not known yet (kind ``unknown``)."""
    wanted = list(dict.fromkeys(names))
    found: dict[str, int] = {}
    for keys in _in_lists(wanted):
        found.update(
            conn.execute(select(s.departments.c.name, s.departments.c.id).where(s.departments.c.name.in_(keys))).all()
        )
    for name in wanted:
        if name not in found:
            result = conn.execute(insert(s.departments).values(name=name, short_forms=[], en="", kind="unknown"))
            found[name] = result.inserted_primary_key[0]
    return found

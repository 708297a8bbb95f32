"""SQLite: the trigram index of whole policies (title, number, summary, full text), kept by triggers.

``policy_fts`` is an FTS5 *external-content* table over ``policies`` (its rowid is
``policies.fts_rowid``): it holds the trigram posting lists and the column lengths bm25 needs,
and no text of its own. No query reads text from the index: ranking needs only the postings,
snippets are cut from the policies' own columns (:mod:`cbec_policy.store.finding`). A copy of
every text in the index would be a third of what an ingest writes (about 11 KB of a 10 KB
document's 40 KB) and of its commit time, for nothing.

An external-content index must be told exactly what it indexed when an entry goes: FTS5's
``'delete'`` command takes the old values and removes their trigrams. Every entry is therefore
written from the row's own stored values, and removed with ``old.*`` by the triggers on
``policies``:

* a new row gets its entry from its writer: the bulk writer inserts a chunk's entries with one
  ``executemany`` (:data:`FTS_INSERT_SQL`, the same bound values as the row), and a single
  policy is inserted without ``fts_rowid`` and given one by an update
  (:func:`cbec_policy.store.search.index_policy`), which the update trigger indexes;
* an update of an indexed column or of ``fts_rowid`` replaces the entry (old values out, new in);
* a deletion removes it.

So every writer that changes a policy (one policy, a bulk chunk, a script with plain SQL) keeps
the index in step, and ``'integrity-check'`` can compare index and rows at any time
(:func:`index_matches_rows`). A database made when the index kept its own copy is moved to this
form once, when it is opened: the index is rebuilt from the rows.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.exc import DatabaseError

FTS_COLUMNS = ("title", "doc_number", "summary", "full_text")
# The entry of a new row: (fts_rowid, title, doc_number, summary, full_text), the row's own values.
FTS_INSERT_SQL = f"INSERT INTO policy_fts (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS policy_fts USING fts5({', '.join(FTS_COLUMNS)}, "
    "tokenize='trigram', content='policies', content_rowid='fts_rowid')"
)
_OLD = ", ".join(f"old.{name}" for name in FTS_COLUMNS)
_NEW = ", ".join(f"new.{name}" for name in FTS_COLUMNS)
_REMOVE_OLD = (
    f"INSERT INTO policy_fts (policy_fts, rowid, {', '.join(FTS_COLUMNS)}) "
    f"SELECT 'delete', old.fts_rowid, {_OLD} WHERE old.fts_rowid IS NOT NULL;"
)
_TRIGGERS = (
    f"CREATE TRIGGER IF NOT EXISTS policy_fts_update AFTER UPDATE OF {', '.join(FTS_COLUMNS)}, fts_rowid "
    f"ON policies BEGIN {_REMOVE_OLD} "
    f"INSERT INTO policy_fts (rowid, {', '.join(FTS_COLUMNS)}) SELECT new.fts_rowid, {_NEW} "
    "WHERE new.fts_rowid IS NOT NULL; END",
    f"CREATE TRIGGER IF NOT EXISTS policy_fts_delete AFTER DELETE ON policies BEGIN {_REMOVE_OLD} END",
)


def ensure_fts_index(conn: Connection) -> None:
    """Create the index and its triggers if missing; move an index that keeps its own text copy to this form."""
    made = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'policy_fts'").scalar()
    copying = made is not None and "content=" not in made.replace(" ", "")
    if copying:
        conn.exec_driver_sql("DROP TABLE policy_fts")
    conn.exec_driver_sql(_CREATE)
    for trigger in _TRIGGERS:
        conn.exec_driver_sql(trigger)
    if copying:  # rebuilt from the rows, so what is indexed is what the triggers will later remove
        conn.exec_driver_sql(
            f"INSERT INTO policy_fts (rowid, {', '.join(FTS_COLUMNS)}) "
            f"SELECT fts_rowid, {', '.join(FTS_COLUMNS)} FROM policies WHERE fts_rowid IS NOT NULL"
        )


def index_matches_rows(conn: Connection) -> bool:
    """True when the index holds exactly the trigrams of the stored rows (FTS5 ``'integrity-check'``)."""
    try:
        conn.exec_driver_sql("INSERT INTO policy_fts (policy_fts, rank) VALUES ('integrity-check', 1)")
    except DatabaseError as exc:
        if "malformed" in str(exc) or "corrupt" in str(exc):
            return False
        raise
    return True

"""SQLite: a second FTS5 index of the short columns (title, number, summary), kept by triggers.

The trigram index of :mod:`cbec_policy.store.search` holds title, document number, summary and
full text. A word common in full texts (跨境电商 is in nearly every document) has posting lists
covering the whole corpus, so every question put to that index about it walks every
document's positions, even "which documents hold it in the title". A query with a word of one
or two characters takes the LIKE path, which narrowed its candidates by the long words through
that index: at 100,000 documents that alone cost half a second. ``policy_brief_fts`` indexes
the short columns alone, from small posting lists, and narrows the title and summary tiers.

Updates and deletions of ``policies`` keep it by trigger, so every writer that changes or removes
a policy (one policy, a bulk chunk, a script with plain SQL) keeps it in step. A new row gets its
entry from its writer, as it gets its entry in the main index: the bulk writer inserts the
entries of a chunk with one ``executemany`` (:data:`BRIEF_INSERT_SQL`; a trigger per inserted
row cost ingest about 5 %), and a single policy is inserted without ``fts_rowid`` and given
one by an update (``search.index_policy``), which the update trigger sees. A database made
before this index is filled once when it is created; one made when an insert trigger kept it
loses that trigger (the writers fill it now).
"""

from __future__ import annotations

from sqlalchemy import Connection

BRIEF_COLUMNS = ("title", "doc_number", "summary")
# The entry of a new row: (fts_rowid, title, doc_number or '', summary or ''), by its writer.
BRIEF_INSERT_SQL = "INSERT INTO policy_brief_fts (rowid, title, doc_number, summary) VALUES (?, ?, ?, ?)"


def ensure_brief_index(conn: Connection) -> None:
    """Create the brief index and the triggers that keep it on update and delete (SQLite); fill it once when new."""
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'policy_brief_fts'"
    ).scalar()
    values = "new.fts_rowid, new.title, coalesce(new.doc_number, ''), coalesce(new.summary, '')"
    conn.exec_driver_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS policy_brief_fts USING fts5(title, doc_number, summary, tokenize='trigram')"
    )
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS policy_brief_fts_insert")  # made by older versions
    conn.exec_driver_sql(
        "CREATE TRIGGER IF NOT EXISTS policy_brief_fts_update AFTER UPDATE OF title, doc_number, summary, fts_rowid "
        "ON policies BEGIN DELETE FROM policy_brief_fts WHERE rowid = old.fts_rowid; "
        f"INSERT INTO policy_brief_fts (rowid, title, doc_number, summary) SELECT {values} "
        "WHERE new.fts_rowid IS NOT NULL; END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER IF NOT EXISTS policy_brief_fts_delete AFTER DELETE ON policies "
        "BEGIN DELETE FROM policy_brief_fts WHERE rowid = old.fts_rowid; END"
    )
    if not exists:  # a database made before this index: fill it from the stored policies
        conn.exec_driver_sql(
            "INSERT INTO policy_brief_fts (rowid, title, doc_number, summary) "
            "SELECT fts_rowid, title, coalesce(doc_number, ''), coalesce(summary, '') FROM policies "
            "WHERE fts_rowid IS NOT NULL"
        )

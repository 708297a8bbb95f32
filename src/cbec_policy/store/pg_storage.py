"""How PostgreSQL compresses the long texts: LZ4 rather than the built-in pglz.

Each ingested document's text is stored three times on PostgreSQL (the normalised full text,
the original text, and the search body of ``policy_search``), each ~10 KB and compressed by
the server when written. pglz spends several times LZ4's CPU on the same text, and an ingest
waits for it on every row; LZ4 (PostgreSQL 14 and later, when the server is built with it)
makes storing a document cheaper and reading it back as fast. Values come back the same
either way: only how the server keeps them on disk changes, for values written from then on
(texts stored before keep pglz until rewritten; both are read transparently).
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

# (table, column) of the long texts, written once per stored document.
LONG_TEXT_COLUMNS = (("policies", "full_text"), ("policies", "original_text"), ("policy_search", "body"))

_CURRENT = text(
    "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a "
    "JOIN pg_class c ON c.oid = a.attrelid "
    "WHERE c.oid IN (to_regclass('policies'), to_regclass('policy_search')) AND a.attnum > 0"
)


def compress_long_texts_with_lz4(conn: Connection) -> None:
    """Have the server compress the long text columns with LZ4 where it can; otherwise leave them.

    Only columns not set to LZ4 yet are altered (ALTER TABLE locks the table briefly), so
    opening a store that is already set up changes nothing. A server without LZ4, or a user
    who does not own the tables, keeps the default compression: storing works the same.
    """
    if (conn.dialect.server_version_info or (0,)) < (14,):
        return
    current = {(table, name): method for table, name, method in conn.execute(_CURRENT)}
    for table, name in LONG_TEXT_COLUMNS:
        if current.get((table, name), "l") == "l":  # already LZ4 (or no such column)
            continue
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"ALTER TABLE {table} ALTER COLUMN {name} SET COMPRESSION lz4")
        except SQLAlchemyError:
            return  # no LZ4 in this server, or not the tables' owner: the default stays

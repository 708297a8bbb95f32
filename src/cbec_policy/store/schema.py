"""The database schema, portable between SQLite and PostgreSQL.

Column names follow the Chinese legal-database convention (pkulaw, the State Council policy
library): title, doc_number, issuers, publish/effective/end dates, status, level. Lists that
belong to a policy (issuers, themes, instruments, evidence URLs, relations) are link tables
with a ``position`` column so their order survives a round trip. The full-text index is not
declared here because it differs per backend (see ``search.py``).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Bump when the schema changes in a way an older database must be upgraded for.
SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

departments = Table(
    "departments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("short_forms", JSON, nullable=False, default=list),
    Column("en", String(300), nullable=False, default=""),
    # state_council, ministry, …; "unknown" for issuers first seen in an ingested document
    Column("kind", String(64), nullable=False, default="unknown"),
    Column("bundled_hash", String(64)),
)

themes = Table(
    "themes",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("zh", String(100), nullable=False),
    Column("en", String(200), nullable=False),
    Column("position", Integer, nullable=False),
)

policies = Table(
    "policies",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("title", Text, nullable=False),
    Column("title_key", Text, nullable=False, index=True),  # title without spaces/punctuation, for matching
    Column("doc_number", String(200)),
    Column("doc_key", String(200), index=True),  # normalised doc number without spaces, for lookups
    # publish_date, status and level lead composite indexes made by the search and the counts
    # (store.search, store.tallies), which serve their filters too: no index of their own.
    Column("publish_date", Date),
    Column("effective_date", Date),
    Column("end_date", Date),
    Column("status", String(32), nullable=False),
    Column("level", String(32), nullable=False),
    Column("region", String(100)),
    Column("policy_type", String(64), index=True),
    Column("is_cbec", Boolean),
    Column("source", Text, nullable=False, default="bundled"),
    Column("summary", Text, nullable=False, default=""),
    Column("notes", Text, nullable=False, default=""),
    Column("full_text", Text),
    Column("original_text", Text),
    Column("extraction_evidence", JSON, nullable=False, default=dict),
    Column("classification_evidence", JSON, nullable=False, default=dict),
    # The paper's Table 1 values, exactly as printed (NULL when the policy is not a Table 1 row).
    Column("paper_type", String(64)),
    Column("paper_date", String(64)),
    Column("paper_issuers", Text),
    Column("paper_title", Text),
    Column("paper_doc_number", String(200)),
    # Hash of everything saved, to tell "unchanged" from "updated" without comparing field by field.
    Column("content_hash", String(64), nullable=False),
    # Hash of the bundled reference row last loaded by ``init`` (NULL for ingested documents).
    Column("bundled_hash", String(64)),
    # SQLite only: the rowid of this policy's FTS5 entry. An explicit column, because VACUUM may
    # renumber the implicit rowid of a table whose primary key is not an integer.
    Column("fts_rowid", Integer, unique=True),
)

policy_issuers = Table(
    "policy_issuers",
    metadata,
    Column("policy_id", String(200), ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, index=True),
)

policy_themes = Table(
    "policy_themes",
    metadata,
    Column("policy_id", String(200), ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("theme", String(64), ForeignKey("themes.code"), nullable=False, index=True),
)

policy_instruments = Table(
    "policy_instruments",
    metadata,
    Column("policy_id", String(200), ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("instrument", String(100), nullable=False),
)

policy_evidence = Table(
    "policy_evidence",
    metadata,
    Column("policy_id", String(200), ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("url", Text, nullable=False),
)

# A relation is stored once, as written on its source policy; the inverse is derived when read.
# The target has no foreign key: an ingested document may cite a policy not stored yet.
policy_relations = Table(
    "policy_relations",
    metadata,
    Column("source_id", String(200), ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("target_id", String(200), nullable=False, index=True),
)

pilot_batches = Table(
    "pilot_batches",
    metadata,
    Column("batch", Integer, primary_key=True, autoincrement=False),
    Column("approval_date", Date, nullable=False),
    Column("doc_number", String(200), nullable=False),
    Column("doc_key", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("zone_count", Integer, nullable=False),
    Column("cumulative_count", Integer, nullable=False),
    Column("bundled_hash", String(64)),
)

pilot_zones = Table(
    "pilot_zones",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch", Integer, ForeignKey("pilot_batches.batch"), nullable=False, index=True),
    Column("approval_date", Date, nullable=False),
    Column("doc_number", String(200), nullable=False),
    Column("zone_name", String(200), nullable=False),
    Column("city", String(200), nullable=False, index=True),
    # Toneless pinyin of the city without spaces (hangzhou), so Latin-script queries find it.
    Column("city_pinyin", String(200), nullable=False, index=True),
    Column("province", String(100), nullable=False, index=True),
    Column("region", String(16), nullable=False, index=True),
    Column("admin_level", String(64), nullable=False),
    Column("confidence", String(16), nullable=False),
    Column("revoked_date", Date),
    Column("revoked_by", String(200)),
    Column("evidence", JSON, nullable=False, default=list),
    Column("bundled_hash", String(64)),
    UniqueConstraint("batch", "zone_name", name="uq_pilot_zones_batch_name"),
)

trade_stats = Table(
    "trade_stats",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("period", String(16), primary_key=True),
    Column("total", Float),
    Column("export", Float),
    Column("import_", Float),
    Column("total_yoy_pct", Float),
    Column("export_yoy_pct", Float),
    Column("import_yoy_pct", Float),
    # A preliminary release and the later statistical survey of the same period are both kept.
    Column("release", String(32), primary_key=True),
    Column("comparable_series", Boolean, nullable=False),
    Column("source_url", Text, nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("bundled_hash", String(64)),
)

positive_list_versions = Table(
    "positive_list_versions",
    metadata,
    Column("label", String(100), primary_key=True),
    Column("doc_number", String(200), nullable=False),
    Column("announced", Date, nullable=False),
    Column("effective", Date, nullable=False),
    Column("tariff_lines", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("extras", JSON, nullable=False, default=dict),
    Column("bundled_hash", String(64)),
)

# The buyer ledger of CBEC retail imports (rules.ledger): one row per order of a buyer, so the
# annual quota (个人年度交易限值) is a sum over a buyer and calendar year. ``counted_fen`` is
# what the order adds to the year (0 for general trade); a verified return sets
# ``returned_on`` and gives the quota back. Keyed by (buyer, order) so a re-run changes nothing.
buyer_ledger = Table(
    "buyer_ledger",
    metadata,
    Column("buyer_id", String(200), primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("year", Integer, nullable=False, index=True),
    Column("declaration_date", Date, nullable=False),
    Column("release_date", Date, nullable=False),
    Column("path", String(32), nullable=False),
    Column("dutiable_fen", BigInteger, nullable=False),
    Column("counted_fen", BigInteger, nullable=False),
    Column("tax_fen", BigInteger, nullable=False),
    Column("annual_before_fen", BigInteger, nullable=False),
    Column("return_applied_on", Date),
    Column("returned_on", Date),
)

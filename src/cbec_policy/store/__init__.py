"""The database behind every command: policies, pilot zones and reference tables.

Typical use: ``store = open_store(url)``, ``store.init()`` once to load the bundled data,
then queries such as ``store.list_policies(policy_type="税收类", in_force_on=day)`` or
``store.lookup_zone("杭州", day)``. ``open_store(None)`` uses ``$CBEC_DB_URL`` or a SQLite file
in the user's data directory. Other packages use only what is exported here.
"""

from __future__ import annotations

from cbec_policy.store.curation import delete_ingested, set_relevance
from cbec_policy.store.db import Store, open_store
from cbec_policy.store.filters import PolicyFilters
from cbec_policy.store.finding import cursor_of
from cbec_policy.store.ingested import IngestOutcome, IngestSummary, build_policy, ingest_one, ingest_paths
from cbec_policy.store.records import TABLE_ZH, InitSummary, PolicyBrief, SearchHit, TableCounts, ZoneLookup
from cbec_policy.store.schema import buyer_ledger  # the ledger of rules/ keeps its rows in this table
from cbec_policy.store.url import default_db_url, mask_url

__all__ = [
    "TABLE_ZH",
    "IngestOutcome",
    "IngestSummary",
    "InitSummary",
    "PolicyBrief",
    "PolicyFilters",
    "SearchHit",
    "Store",
    "TableCounts",
    "ZoneLookup",
    "build_policy",
    "buyer_ledger",
    "cursor_of",
    "default_db_url",
    "delete_ingested",
    "ingest_one",
    "ingest_paths",
    "mask_url",
    "open_store",
    "set_relevance",
]

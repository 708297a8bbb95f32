"""The database behind every command: policies, pilot zones and reference tables.

>>> store = open_store("sqlite:///:memory:")
>>> store.init().changed
True
>>> store.lookup_zone("杭州", date(2016, 1, 1)).is_pilot_zone  # doctest: +SKIP
True

``open_store(None)`` uses ``$CBEC_DB_URL`` or a SQLite file in the user's data directory.
"""

from __future__ import annotations

from cbec_policy.store.db import Store, open_store
from cbec_policy.store.records import InitSummary, SearchHit, TableCounts, ZoneLookup
from cbec_policy.store.url import default_db_url, mask_url

__all__ = [
    "InitSummary",
    "SearchHit",
    "Store",
    "TableCounts",
    "ZoneLookup",
    "default_db_url",
    "mask_url",
    "open_store",
]

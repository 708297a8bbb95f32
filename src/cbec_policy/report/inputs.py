"""What a report is computed from: policies, zones and batches from the store (so ingested
documents count), trade figures and the positive list from the bundled reference data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cbec_policy.models import LocalPolicy, PilotBatch, PilotZone, Policy, PositiveListVersion, TradeStat
from cbec_policy.reference import (
    load_local_policies,
    load_national_policies,
    load_pilot_batches,
    load_pilot_zones,
    load_positive_list,
    load_trade_stats,
)
from cbec_policy.store import default_db_url, mask_url, open_store


@dataclass(frozen=True)
class ReportInputs:
    """Every record a report needs, plus a line saying where the policies came from."""

    policies: tuple[Policy, ...]
    zones: tuple[PilotZone, ...]
    batches: tuple[PilotBatch, ...]
    trade: tuple[TradeStat, ...]
    positive_list: tuple[PositiveListVersion, ...]
    source_zh: str
    source_en: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    # the bundled list of local documents (claim ④); ingested local documents are among ``policies``
    local: tuple[LocalPolicy, ...] = field(default_factory=lambda: tuple(load_local_policies()))


def bundled_inputs() -> ReportInputs:
    """Inputs straight from the bundled reference data (no database)."""
    return ReportInputs(
        policies=tuple(load_national_policies()),
        zones=tuple(load_pilot_zones()),
        batches=tuple(load_pilot_batches()),
        trade=tuple(load_trade_stats()),
        positive_list=tuple(load_positive_list()),
        source_zh="内置参考数据",
        source_en="bundled reference data",
    )


def store_inputs(db_url: str | None) -> ReportInputs:
    """Inputs read through the store at ``db_url`` (None: the default database), initialised if empty.

    ``init`` is idempotent, so a fresh machine gets the bundled data loaded once and a store
    with ingested documents keeps them.
    """
    store = open_store(db_url)
    try:
        store.init()
        policies = tuple(store.list_cbec_policies())
        zones = tuple(store.list_zones())
        batches = tuple(store.list_batches())
        url_text = default_db_url() if db_url is None else db_url
    finally:
        store.close()
    masked = mask_url(url_text)
    return ReportInputs(
        policies=policies,
        zones=zones,
        batches=batches,
        trade=tuple(load_trade_stats()),
        positive_list=tuple(load_positive_list()),
        source_zh=f"政策库 {masked}（政策、综试区）与内置参考数据（贸易、正面清单）",
        source_en=f"store {masked} (policies, pilot zones) and bundled reference data (trade, positive list)",
    )


def load_inputs(db_url: str | None = None, *, use_store: bool = True) -> ReportInputs:
    """Inputs read through the store (the normal path, so ingested documents count), or the bundled data."""
    if use_store:
        return store_inputs(db_url)
    return bundled_inputs()

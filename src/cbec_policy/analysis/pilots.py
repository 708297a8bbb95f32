"""Pilot-zone expansion and regional balance — §3.2 ② ("pilots keep expanding") and ③ ("regions
move toward balance").

Counts are recomputed from the zone rows, not copied from the batch table, so a corrected zone
row changes every figure; the batch table's own ``cumulative_count`` is kept alongside as a check.
Zones revoked later stay in the history of the batch that approved them but leave the count
of zones in force from the day of revocation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from cbec_policy.analysis.evolution import evenness
from cbec_policy.analysis.provinces import bundled_provinces, provinces_per_region
from cbec_policy.labels import REGIONS
from cbec_policy.models import PilotBatch, PilotZone

REGION_ORDER: tuple[str, ...] = tuple(label.zh for label in REGIONS)
REGION_CODE: dict[str, str] = {label.zh: label.code for label in REGIONS}  # 东部 → east, for stable column keys


def zones_in_force(zones: Iterable[PilotZone], on: date) -> list[PilotZone]:
    """Zones approved on or before ``on`` and not revoked by then."""
    return [zone for zone in zones if zone.in_force_on(on)]


def batch_progress(batches: Sequence[PilotBatch], zones: Sequence[PilotZone]) -> list[dict[str, object]]:
    """Per batch: new zones, cumulative approvals, zones and provinces in force on the approval day.

    ``revoked`` counts zones whose revocation took effect on or before that batch date and after
    the previous batch — e.g. batch 8 (2025) revoked three earlier zones, leaving 178 in force.
    """
    rows: list[dict[str, object]] = []
    previous_day: date | None = None
    seen_provinces: set[str] = set()
    for batch in sorted(batches, key=lambda b: b.approval_date):
        approved = [z for z in zones if z.approval_date <= batch.approval_date]
        in_force = zones_in_force(zones, batch.approval_date)
        provinces = {z.province for z in in_force}
        revoked = [
            z
            for z in zones
            if z.revoked_date is not None
            and z.revoked_date <= batch.approval_date
            and (previous_day is None or z.revoked_date > previous_day)
        ]
        rows.append(
            {
                "batch": batch.batch,
                "approval_date": batch.approval_date,
                "doc_number": batch.doc_number,
                "new_zones": sum(1 for z in zones if z.batch == batch.batch),
                "stated_new_zones": batch.zone_count,
                "cumulative_approved": len(approved),
                "stated_cumulative": batch.cumulative_count,
                "revoked": len(revoked),
                "in_force": len(in_force),
                "provinces_covered": len(provinces),
                "new_provinces": len(provinces - seen_provinces),
            }
        )
        seen_provinces |= provinces
        previous_day = batch.approval_date
    return rows


def theil_against_provinces(zone_counts: dict[str, int], province_counts: dict[str, int]) -> float:
    """Theil index of zones across regions relative to each region's share of provinces.

    0 means zones are spread in proportion to provinces; larger means more concentrated. It
    answers "is a province in one region as likely to host zones as a province elsewhere?".
    """
    total_zones = sum(zone_counts.values())
    total_provinces = sum(province_counts.values())
    if total_zones == 0 or total_provinces == 0:
        return 0.0
    value = 0.0
    for region, zones in zone_counts.items():
        if zones == 0 or province_counts.get(region, 0) == 0:
            continue
        share = zones / total_zones
        value += share * math.log(share / (province_counts[region] / total_provinces))
    return value


def _region_row(prefix: dict[str, object], counts: Counter[str], per_region: dict[str, int]) -> dict[str, object]:
    total = sum(counts.values())
    row = dict(prefix)
    row["zones"] = total
    for region in REGION_ORDER:
        row[f"{REGION_CODE[region]}_zones"] = counts.get(region, 0)
        # unrounded: the report rounds once when it prints (25/46 → 54.3 %, not 54.35 → 54.4 %)
        row[f"{REGION_CODE[region]}_share"] = counts.get(region, 0) / total if total else None
    for region in REGION_ORDER:
        provinces = per_region.get(region, 0)
        row[f"{REGION_CODE[region]}_per_province"] = round(counts.get(region, 0) / provinces, 2) if provinces else None
    row["evenness"] = round(evenness([counts.get(region, 0) for region in REGION_ORDER]), 4)
    row["theil"] = round(theil_against_provinces({r: counts.get(r, 0) for r in REGION_ORDER}, per_region), 4)
    return row


def region_shares_per_batch(batches: Sequence[PilotBatch], zones: Sequence[PilotZone]) -> list[dict[str, object]]:
    """Per batch, the newly approved zones by region: counts, shares, evenness and Theil."""
    per_region = provinces_per_region()
    rows = []
    for batch in sorted(batches, key=lambda b: b.approval_date):
        counts = Counter(z.region for z in zones if z.batch == batch.batch)
        rows.append(_region_row({"batch": batch.batch, "approval_date": batch.approval_date}, counts, per_region))
    return rows


def region_shares_cumulative(batches: Sequence[PilotBatch], zones: Sequence[PilotZone]) -> list[dict[str, object]]:
    """After each batch, the zones in force by region: counts, shares, zones per province, balance indices.

    ``evenness`` (Pielou, 0–1) rises as zones spread evenly over the four regions; ``theil`` falls
    to 0 as zones spread in proportion to how many provinces each region has.
    """
    per_region = provinces_per_region()
    rows = []
    for batch in sorted(batches, key=lambda b: b.approval_date):
        counts = Counter(z.region for z in zones_in_force(zones, batch.approval_date))
        rows.append(_region_row({"batch": batch.batch, "approval_date": batch.approval_date}, counts, per_region))
    return rows


def zones_per_province(zones: Iterable[PilotZone], on: date) -> list[dict[str, object]]:
    """Every province (zero included) with its region and the number of zones in force on ``on``."""
    counts = Counter(z.province for z in zones_in_force(zones, on))
    rows = [
        {
            "province": province.name,
            "short": province.short,
            "en": province.en,
            "region": province.region,
            "zones": counts.get(province.name, 0),
        }
        for province in bundled_provinces()
    ]
    known = {province.name for province in bundled_provinces()}
    for name, count in counts.items():  # a province spelled differently must still be counted, visibly
        if name not in known:
            rows.append({"province": name, "short": name, "en": "", "region": "未知", "zones": count})
    rows.sort(key=lambda row: (-int(row["zones"]), str(row["province"])))  # type: ignore[call-overload]
    return rows

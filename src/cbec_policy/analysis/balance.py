"""Allocation indices for §3.2 ③ with a null model: how uneven is the placement of pilot zones
across regions or provinces, beyond what chance alone would give?

A Theil index of ``n`` zones against target shares ``w`` is positive even when every zone is
placed in proportion to ``w``, because ``n`` is finite: with 13 zones over four regions the
expected value under a proportional allocation is about 0.1. The null model draws ``n`` zones
from a multinomial with probabilities ``w`` and reports that expectation; the bias-corrected
index is the observed value minus it, and ``p_null`` is the share of draws at least as uneven
as the observed placement. What this measures is where zones were *placed*, not how CBEC
itself developed in each region.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from cbec_policy.analysis.pilots import zones_in_force
from cbec_policy.analysis.provinces import bundled_provinces
from cbec_policy.models import PilotBatch, PilotZone
from cbec_policy.places.hierarchy import hierarchy

NULL_DRAWS = 4000
SEED = 20150307  # the first zone's approval day: any fixed seed makes the report reproducible


def theil(counts: Sequence[float], weights: Sequence[float]) -> float:
    """Theil index of ``counts`` against target shares ``weights`` (0 = exactly proportional)."""
    import numpy as np  # start-up: as scipy below
    from scipy.special import xlogy  # start-up: scipy loads when an index is computed, not with the façade

    x = np.asarray(counts, dtype=float)
    w = np.asarray(weights, dtype=float)
    if x.sum() <= 0 or w.sum() <= 0:
        return 0.0
    s = x / x.sum()
    q = w / w.sum()
    mask = q > 0
    return float(np.sum(xlogy(s[mask], s[mask] / q[mask])))


@dataclass(frozen=True)
class NullTheil:
    """Observed Theil, its expectation under proportional allocation, the corrected value, p."""

    zones: int
    observed: float
    expected_null: float
    corrected: float
    p_null: float  # share of proportional allocations at least as uneven as the observed one


def theil_against_null(counts: Sequence[int], weights: Sequence[float], draws: int = NULL_DRAWS) -> NullTheil:
    """Observed Theil against the multinomial null with probabilities ``weights``."""
    import numpy as np  # start-up: as scipy below
    from scipy.special import xlogy  # start-up: scipy loads when an index is computed, not with the façade

    n = int(sum(counts))
    observed = theil(counts, weights)
    if n == 0:
        return NullTheil(0, 0.0, 0.0, 0.0, 1.0)
    q = np.asarray(weights, dtype=float) / float(sum(weights))
    rng = np.random.default_rng(SEED + n)
    sample = rng.multinomial(n, q, size=draws).astype(float)
    shares = sample / n
    safe = np.where(q > 0, q, 1.0)
    values = np.sum(xlogy(shares, shares / safe), axis=1)
    expected = float(values.mean())
    p = float((np.sum(values >= observed - 1e-12) + 1) / (draws + 1))
    return NullTheil(n, round(observed, 4), round(expected, 4), round(observed - expected, 4), round(p, 4))


# --------------------------------------------------------------------------- weights


@cache
def prefecture_units() -> dict[str, int]:
    """Prefecture-level units per province from the division hierarchy (a municipality counts 1).

    Counted from the maintained division package behind ``places`` (cities, autonomous
    prefectures, leagues and prefectures); the package is a current snapshot compiled for name
    matching, not a statistical yearbook, so weights built on it are ``secondary``.
    """
    counts: Counter[str] = Counter()
    places = hierarchy().places
    for place in places.values():
        if place.level == "prefecture":
            counts[place.province] += 1
    for place in places.values():
        # 北京 上海 天津 重庆 have districts directly below them: the municipality is one unit.
        if place.is_provincial and counts[place.name] == 0:
            counts[place.name] = 1
    return dict(counts)


WEIGHTS: tuple[str, ...] = ("provinces", "prefectures", "population")


def unit_weights(unit: str, weighting: str) -> dict[str, float] | None:
    """Target shares per unit (``region`` or ``province``) under a weighting; None when unsourced.

    ``population`` returns None: no sourced population table is bundled, and a figure without a
    source is not used.
    """
    if weighting == "population":
        return None
    provinces = bundled_provinces()
    per_province = (
        {p.name: 1.0 for p in provinces}
        if weighting == "provinces"
        else {p.name: float(prefecture_units().get(p.name, 0)) for p in provinces}
    )
    if unit == "province":
        return per_province
    regions: dict[str, float] = {}
    for province in provinces:
        regions[province.region] = regions.get(province.region, 0.0) + per_province[province.name]
    return regions


def placement_counts(zones: Iterable[PilotZone], unit: str, keys: Iterable[str]) -> list[int]:
    """Zones per unit (region or province) in the order of ``keys``."""
    counts = Counter(z.region if unit == "region" else z.province for z in zones)
    return [counts.get(key, 0) for key in keys]


def allocation_series(
    batches: Sequence[PilotBatch],
    zones: Sequence[PilotZone],
    *,
    unit: str = "region",
    weighting: str = "provinces",
    include_candidates: bool = True,
    last_batch: int | None = None,
) -> list[dict[str, object]] | None:
    """After each batch: zones in force, observed/expected/corrected Theil and the absolute gap.

    ``gap_east_west`` is zones per unit-weight in the east minus the west (zones per province
    for the province weighting): the absolute gap that a relative index can hide. None when the
    weighting has no sourced data.
    """
    weights = unit_weights(unit, weighting)
    if weights is None:
        return None
    keys = list(weights)
    chosen = [z for z in zones if include_candidates or z.confidence != "candidate"]
    region_weights = unit_weights("region", weighting) or {}
    rows: list[dict[str, object]] = []
    for batch in sorted(batches, key=lambda b: b.approval_date):
        if last_batch is not None and batch.batch > last_batch:
            continue
        in_force = zones_in_force(chosen, batch.approval_date)
        counts = placement_counts(in_force, unit, keys)
        result = theil_against_null(counts, [weights[k] for k in keys])
        by_region = Counter(z.region for z in in_force)
        east = by_region.get("东部", 0) / region_weights["东部"] if region_weights.get("东部") else None
        west = by_region.get("西部", 0) / region_weights["西部"] if region_weights.get("西部") else None
        rows.append(
            {
                "batch": batch.batch,
                "approval_date": batch.approval_date,
                "zones": result.zones,
                "theil": result.observed,
                "expected_null": result.expected_null,
                "corrected": result.corrected,
                "p_null": result.p_null,
                "gap_east_west": round(east - west, 4) if east is not None and west is not None else None,
            }
        )
    return rows


def proportional_counts(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """A proportional allocation of ``total`` zones (largest remainders), for tests and examples."""
    shares = {k: total * v / sum(weights.values()) for k, v in weights.items()}
    floors = {k: int(v) for k, v in shares.items()}
    left = total - sum(floors.values())
    for key in sorted(shares, key=lambda k: shares[k] - floors[k], reverse=True)[:left]:
        floors[key] += 1
    return floors

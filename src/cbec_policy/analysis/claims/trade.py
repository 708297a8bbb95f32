"""§4.1.3's trade figures against the releases in the data, and its causal reading.

A figure the paper quotes is ``supported`` when a release in the data states the same value
(within the paper's rounding) and growth; when that release was later revised, the claim is
"supported as published" and the revision is returned beside it. A value the data has only
from the paper itself cannot confirm the paper (``not_enough_data``). Growth rates are the
published ones; a rate computed here would cross releases.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cbec_policy.analysis.claims.base import Claim
from cbec_policy.analysis.pilots import zones_in_force
from cbec_policy.analysis.provenance import is_projection, published_month, trade_status
from cbec_policy.analysis.trade import RELEASE_RANK, same_vintage_growth, value_of, yoy_of
from cbec_policy.models import PilotZone, TradeStat


def _close(value: float | None, stated: float, tolerance: float) -> bool:
    return value is not None and abs(value - stated) <= tolerance + 1e-9


def claim_trade_figure(figure: dict[str, Any], stats: Sequence[TradeStat]) -> Claim:
    """One trade figure of §4.1.3 against every release of the same year and period."""
    year, period, measure = int(figure["year"]), str(figure["period"]), str(figure["measure"])
    stated_value, stated_yoy = float(figure["value"]), figure.get("yoy_pct")
    tolerance = float(figure.get("precision", 1)) / 2
    spec = {k: figure[k] for k in figure}
    releases = sorted(
        (
            s
            for s in stats
            if s.year == year and s.period == period and value_of(s, measure) is not None and not is_projection(s)
        ),
        key=lambda s: RELEASE_RANK.get(s.release, 0),
        reverse=True,
    )
    section = str(figure.get("section", "§4.1.3"))
    base = {"year": year, "period": period, "measure": measure, "stated": stated_value, "stated_yoy": stated_yoy}
    if not releases:
        return Claim(str(figure["key"]), section, "not_enough_data", spec, numbers={**base, "reason": "no_release"})

    def agrees(stat: TradeStat) -> bool:
        published = yoy_of(stat, measure)
        yoy_ok = stated_yoy is None or published is None or _close(published, float(stated_yoy), 0.05)
        return _close(value_of(stat, measure), stated_value, tolerance) and yoy_ok

    listed = [
        {
            "release": s.release,
            "value": value_of(s, measure),
            "yoy_pct": yoy_of(s, measure),
            "published": published_month(s),
            "provenance": trade_status(s, measure),
        }
        for s in releases
    ]
    matching = [s for s in releases if agrees(s)]
    latest = releases[0]
    numbers: dict[str, Any] = {**base, "releases": listed, "latest_release": latest.release}
    if not matching:
        return Claim(str(figure["key"]), section, "not_supported", spec, numbers={**numbers, "reason": "no_match"})
    match = matching[0]
    numbers["matched_release"] = match.release
    numbers["matched_published"] = published_month(match)
    numbers["matched_provenance"] = trade_status(match, measure)
    if numbers["matched_provenance"] == "paper":
        # the data holds this value only because the paper printed it: it cannot confirm the paper
        return Claim(str(figure["key"]), section, "not_enough_data", spec, numbers={**numbers, "reason": "paper_only"})
    events: tuple[dict[str, Any], ...] = ()
    if match is not latest:
        numbers["as_published"] = True
        numbers["revised_to"] = {
            "release": latest.release,
            "value": value_of(latest, measure),
            "yoy_pct": yoy_of(latest, measure),
            "published": published_month(latest),
        }
        events = ({"kind": "trade_revision", **numbers["revised_to"], "year": year, "period": period},)
    return Claim(str(figure["key"]), section, "supported", spec, numbers=numbers, events=events)


def claim_trade_impact(stats: Sequence[TradeStat], zones: Sequence[PilotZone]) -> Claim:
    """§4.1.3's causal reading ("policy drives trade"): coincidence in time cannot show cause."""
    comparable = {
        s.year: s
        for s in sorted(stats, key=lambda s: RELEASE_RANK.get(s.release, 0))
        if s.period == "full-year"
        and s.comparable_series
        and s.total is not None
        and not is_projection(s)
        and s.release != "unknown"
    }
    spec = {"section": "§4.1.3", "quote": "跨境电商政策在国际贸易上的影响显著"}
    if len(comparable) < 2:
        return Claim("trade_impact", "§4.1.3", "not_enough_data", spec, numbers={"reason": "too_few_years"})
    first, last = comparable[min(comparable)], comparable[max(comparable)]
    same = same_vintage_growth(last, first)
    return Claim(
        "trade_impact",
        "§4.1.3",
        "not_enough_data",
        spec,
        numbers={
            "reason": "no_comparison_group",
            "first_year": first.year,
            "first_total": first.total,
            "first_release": first.release,
            "last_year": last.year,
            "last_total": last.total,
            "last_release": last.release,
            "same_release_growth_pct": same,
            "zones_then": len(zones_in_force(zones, date(first.year, 12, 31))),
            "zones_now": len(zones_in_force(zones, date(last.year, 12, 31))),
        },
    )

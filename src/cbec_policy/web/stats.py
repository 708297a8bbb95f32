"""The numbers behind the dashboard and ``/api/stats``, computed from plain lists of models.

The counting itself is done by :mod:`cbec_policy.analysis` (the same functions feed the
report); this module only gathers their rows into one JSON-ready mapping. It never opens the
database: the caller passes the lists it read from the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cbec_policy.analysis.corpus import cbec_policies
from cbec_policy.analysis.evolution import policy_type_of, year_by_theme, year_by_type
from cbec_policy.analysis.periods import bundled_frameworks
from cbec_policy.analysis.pilots import batch_progress, zones_in_force, zones_per_province
from cbec_policy.analysis.trade import trade_series
from cbec_policy.labels import STATUSES
from cbec_policy.models import PilotBatch, PilotZone, Policy, TradeStat
from cbec_policy.reference import load_trade_stats

# The framework drawn as bands on the timeline: the paper's own nodes after 2013 (§2.2).
TIMELINE_FRAMEWORK = "d"


def dashboard_stats(
    policies: Sequence[Policy],
    zones: Sequence[PilotZone],
    batches: Sequence[PilotBatch],
    trade: Sequence[TradeStat],
    today: date,
) -> dict[str, Any]:
    """Every figure the dashboard shows, as plain JSON-ready values.

    National and local documents are kept apart, as in every statistic: the counts and tables
    are of national CBEC documents; local ones are counted on their own (``local_policies``)
    and analysed on the local-policies page; documents whose level
    is unknown are counted apart too.
    """
    everything = cbec_policies(policies, level="all")
    local = cbec_policies(policies, level="local")
    policies = cbec_policies(policies)
    in_force = zones_in_force(zones, today)
    frameworks = bundled_frameworks()
    framework = next((f for f in frameworks if f.key == TIMELINE_FRAMEWORK), frameworks[0] if frameworks else None)
    return {
        "as_of": today,
        "counts": {
            "policies": len(policies),
            "local_policies": len(local),
            # neither national nor local as far as the text tells: counted, never guessed into a layer
            "policies_level_unknown": len(everything) - len(policies) - len(local),
            # Each validity status on its own (现行有效 is not "in force by our dates"), and the
            # in-force verdict for today as yes / no / unknown.
            "policies_by_status": {
                status.code: sum(1 for p in policies if p.status == status.code) for status in STATUSES
            },
            "policies_in_force_today": {
                "true": sum(1 for p in policies if p.in_force_on(today) is True),
                "false": sum(1 for p in policies if p.in_force_on(today) is False),
                "null": sum(1 for p in policies if p.in_force_on(today) is None),
            },
            "policies_undated": sum(1 for p in policies if p.publish_date is None),
            "zones_approved": len(zones),
            "zones_in_force": len(in_force),
            "batches": len(batches),
            "provinces_covered": len({z.province for z in in_force}),
        },
        "timeline": [
            {
                "id": p.id,
                "title": p.title,
                "doc_number": p.doc_number,
                "publish_date": p.publish_date,
                "policy_type": policy_type_of(p),
            }
            for p in sorted(policies, key=lambda p: (p.publish_date or date.max, p.id))
            if p.publish_date is not None
        ],
        "periods": {
            "framework": framework.key if framework else None,
            "framework_zh": framework.zh if framework else None,
            "framework_en": framework.en if framework else None,
            "bands": [
                {"key": period.key, "zh": period.zh, "en": period.en, "start": period.start, "end": period.end}
                for period in (framework.periods if framework else ())
            ],
        },
        "type_by_year": year_by_type(policies),
        "theme_by_year": year_by_theme(policies),
        "batches": batch_progress(batches, zones),
        "provinces": zones_per_province(zones, today),
        "trade": trade_series(trade),
    }


def trade_stats(store: Any) -> list[TradeStat]:
    """Trade figures from the store when it keeps them, else from the bundled reference data."""
    reader = getattr(store, "list_trade_stats", None)
    return list(reader()) if reader is not None else load_trade_stats()

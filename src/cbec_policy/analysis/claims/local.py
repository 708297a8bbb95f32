"""§3.2 ④ "local policies differ by place" as a test on the local layer.

The main test asks whether the focus mix of local documents differs between the four regions
(χ² with a permutation p); the sensitivity rows repeat it for coastal vs inland provinces, for
documents seen first-hand only, without the zone implementation plans (which follow one
national template and dominate the list), and for provincial documents only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cbec_policy.analysis.claims.base import Claim, claim_spec
from cbec_policy.analysis.local import (
    PLAN_KIND,
    bundled_focus_categories,
    focus_of,
    focus_table,
    group_of,
    lag_summary,
    plan_lags,
    provinces_without_documents,
)
from cbec_policy.analysis.stats import ContingencyTest, RobustnessRow, contingency_test, verdict_from
from cbec_policy.models import LocalPolicy, PilotZone

_ORDERS = {"region": ("东部", "中部", "西部", "东北"), "coastal": ("coastal", "inland")}


def focus_test(documents: Sequence[LocalPolicy], by: str = "region", alpha: float = 0.05) -> ContingencyTest:
    """χ² of group × focus category with a permutation p over documents."""
    codes = [c.code for c in bundled_focus_categories()]
    return contingency_test(
        [group_of(d, by) for d in documents],
        [focus_of(d) for d in documents],
        alpha=alpha,
        group_order=_ORDERS.get(by),
        label_order=codes,
    )


def claim_local_differentiation(
    documents: Sequence[LocalPolicy], zones: Sequence[PilotZone], paper: dict[str, Any]
) -> Claim:
    """④ with its numbers: focus by region and coastal/inland, plan lags, provinces with none."""
    spec = claim_spec(paper, "local_differentiation")
    alpha = float(paper.get("alpha", 0.05))
    primary = focus_test(documents, "region", alpha)
    variants = (
        ("coastal:inland", "unit", "coastal_inland", documents, "coastal"),
        ("confidence:high", "confidence", "high_only", [d for d in documents if d.confidence == "high"], "region"),
        ("kind:no_plans", "kind", "without_zone_plans", [d for d in documents if PLAN_KIND not in d.kind], "region"),
        ("level:provincial", "level", "provincial_only", [d for d in documents if d.level == "provincial"], "region"),
    )
    rows = []
    for key, dimension, variant, items, by in variants:
        test = focus_test(items, by, alpha)
        rows.append(RobustnessRow(key, dimension, variant, test.outcome, None, (), details={"contingency": test}))
    verdict, disagree = verdict_from("differs", primary.outcome, rows)
    lags = plan_lags(zones, documents)
    return Claim(
        key="local_differentiation",
        section=str(spec["section"]),
        verdict=verdict,
        spec=spec,
        primary=primary,
        robustness=tuple(rows),
        disagree=tuple(disagree),
        numbers={
            "documents": len(documents),
            "provinces_with_documents": len({d.province for d in documents}),
            "provinces_without": provinces_without_documents(documents),
            "by_region": focus_table(documents, "region"),
            "by_coastal": focus_table(documents, "coastal"),
            "lags": lags,
            "lag_by_batch": lag_summary(lags),
            "zones_with_plan": sum(1 for r in lags if r["plan_id"]),
            "zones": len(lags),
        },
    )

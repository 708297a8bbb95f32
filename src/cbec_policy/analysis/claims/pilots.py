"""§3.2 ② "pilot zones keep expanding" and ③ "regions move toward balance" as tests.

② tests quantities that *can* fall — zones and provinces in force on each batch day, which
revocations reduce — and the paper's stated counts; the cumulative sum of approvals cannot
fall and is shown for reference only. ③ tests the bias-corrected Theil index of the placement
of zones (see :mod:`cbec_policy.analysis.balance`) over batches, with a sensitivity table over
weights, units, relative/absolute gaps, start batch, candidate zones and batch 8.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from typing import Any

from cbec_policy.analysis.balance import allocation_series
from cbec_policy.analysis.claims.base import Claim, as_date, claim_spec
from cbec_policy.analysis.pilots import batch_progress, zones_in_force
from cbec_policy.analysis.stats import NOT_ENOUGH, RobustnessRow, trend_test, verdict_from
from cbec_policy.models import PilotBatch, PilotZone

# ② checks conditions, not trends: each one holds or fails
HOLDS, FAILS = "holds", "fails"


def _never_falls(values: Sequence[int]) -> str:
    if len(values) < 2:
        return NOT_ENOUGH
    return FAILS if any(b < a for a, b in itertools.pairwise(values)) else HOLDS


def claim_pilot_expansion(
    batches: Sequence[PilotBatch], zones: Sequence[PilotZone], paper: dict[str, Any], cutoff: date | None
) -> Claim:
    """② the stated counts on the paper's date, and zones/provinces in force never falling."""
    spec = claim_spec(paper, "pilot_expansion")
    stated = paper["pilot_zones"]
    as_of = as_date(stated["as_of"], "paper_claims.yaml pilot_zones.as_of")
    if not batches or not zones:
        return Claim("pilot_expansion", str(spec["section"]), "not_enough_data", spec)
    progress = batch_progress(batches, zones)
    in_force = zones_in_force(zones, as_of)
    provinces = len({z.province for z in in_force})
    batch_count = sum(1 for b in batches if b.approval_date <= as_of)
    matches = (len(in_force), provinces, batch_count) == (stated["zones"], stated["provinces"], stated["batches"])
    paper_rows = [row for row in progress if row["approval_date"] <= as_of]
    primary = _never_falls([int(row["in_force"]) for row in paper_rows])
    verified = [z for z in zones if z.confidence != "candidate"]
    verified_progress = batch_progress([b for b in batches if b.approval_date <= as_of], verified)
    rows = [
        RobustnessRow("stated_counts", "counts", "stated", HOLDS if matches else FAILS),
        RobustnessRow(
            "provinces_in_force",
            "measure",
            "provinces",
            _never_falls([int(r["provinces_covered"]) for r in paper_rows]),
        ),
        RobustnessRow(
            "candidates:excluded",
            "candidates",
            "excluded",
            _never_falls([int(r["in_force"]) for r in verified_progress]),
            details={"zones_on_paper_date": len(zones_in_force(verified, as_of))},
        ),
        RobustnessRow("batch8:included", "batch8", "included", _never_falls([int(r["in_force"]) for r in progress])),
    ]
    verdict, disagree = verdict_from(HOLDS, primary, rows)
    pace = trend_test([(int(r["batch"]), int(r["new_zones"])) for r in progress], min_points=4)
    events = tuple(
        {
            "kind": "batch",
            "batch": row["batch"],
            "doc_number": row["doc_number"],
            "date": row["approval_date"],
            "new_zones": row["new_zones"],
            "revoked": row["revoked"],
            "approved": row["cumulative_approved"],
            "in_force": row["in_force"],
        }
        for row in progress
        if cutoff is not None and row["approval_date"] > cutoff
    )
    last = progress[-1]
    return Claim(
        key="pilot_expansion",
        section=str(spec["section"]),
        verdict=verdict,
        spec=spec,
        primary=primary,
        robustness=tuple(rows),
        disagree=tuple(disagree),
        numbers={
            "as_of": as_of,
            "stated": {"zones": stated["zones"], "provinces": stated["provinces"], "batches": stated["batches"]},
            "zones_on_paper_date": len(in_force),
            "provinces_on_paper_date": provinces,
            "batches_on_paper_date": batch_count,
            "in_force_series": [int(row["in_force"]) for row in progress],
            "cumulative_approved": [int(row["cumulative_approved"]) for row in progress],  # reference only
            "approved_now": last["cumulative_approved"],
            "in_force_now": last["in_force"],
            "candidate_zones": len(zones) - len(verified),
            "new_zones_pace": pace,
        },
        events=events,
    )


def _balance_row(
    key: str,
    dimension: str,
    variant: str,
    series: list[dict[str, object]] | None,
    field: str,
    start_batch: int,
    alpha: float,
    reason: str = "",
) -> RobustnessRow:
    if series is None:
        return RobustnessRow(key, dimension, variant, NOT_ENOUGH, reason=reason or "no_sourced_data")
    points = [(int(r["batch"]), float(r[field])) for r in series if int(r["batch"]) >= start_batch]  # type: ignore[call-overload]
    test = trend_test(points, alpha=alpha)
    return RobustnessRow(key, dimension, variant, test.outcome, test, tuple(points), details={"field": field})


def claim_regional_balance(
    batches: Sequence[PilotBatch], zones: Sequence[PilotZone], paper: dict[str, Any], as_of: date | None = None
) -> Claim:
    """③ a falling bias-corrected Theil index, main test plus the sensitivity table.

    ``as_of`` keeps the batches approved on or before that day (and so the zones in force after
    them): the verdict as it stood then, which a later batch cannot change. None uses every batch.
    """
    spec = claim_spec(paper, "regional_balance")
    alpha = float(paper.get("alpha", 0.05))
    start = int(spec["window"].get("start_batch") or 2)
    if as_of is not None:
        batches = [b for b in batches if b.approval_date <= as_of]
    if not batches or not zones:
        return Claim("regional_balance", str(spec["section"]), "not_enough_data", spec)
    main = allocation_series(batches, zones, unit="region", weighting="provinces")
    assert main is not None  # province weights come from the bundled province table
    primary_points = [(int(r["batch"]), float(r["corrected"])) for r in main if int(r["batch"]) >= start]  # type: ignore[call-overload]
    primary = trend_test(primary_points, alpha=alpha)
    last = max(b.batch for b in batches)
    # "batch8:excluded": the placement without the batches after the paper's (batch 8 on)
    paper_batches = int(paper["pilot_zones"]["batches"])
    rows = [
        _balance_row("measure:uncorrected", "bias", "uncorrected", main, "theil", start, alpha),
        _balance_row(
            "weights:prefectures",
            "weights",
            "prefectures",
            allocation_series(batches, zones, unit="region", weighting="prefectures"),
            "corrected",
            start,
            alpha,
        ),
        _balance_row(
            "weights:population",
            "weights",
            "population",
            allocation_series(batches, zones, unit="region", weighting="population"),
            "corrected",
            start,
            alpha,
            reason="no_sourced_population",
        ),
        _balance_row(
            "unit:province",
            "unit",
            "province",
            allocation_series(batches, zones, unit="province", weighting="provinces"),
            "corrected",
            start,
            alpha,
        ),
        _balance_row("gap:absolute", "gap", "absolute", main, "gap_east_west", start, alpha),
        _balance_row("start:3", "start", "batch_3", main, "corrected", 3, alpha),
        _balance_row(
            "candidates:excluded",
            "candidates",
            "excluded",
            allocation_series(batches, zones, include_candidates=False),
            "corrected",
            start,
            alpha,
        ),
        _balance_row(
            "batch8:excluded",
            "batch8",
            "excluded",
            allocation_series(batches, zones, last_batch=paper_batches) if last > paper_batches else None,
            "corrected",
            start,
            alpha,
            reason="no_batch_8",
        ),
    ]
    verdict, disagree = verdict_from(str(spec.get("expected", "down")), primary.outcome, rows)
    peak = max(main, key=lambda r: float(r["corrected"]))  # type: ignore[arg-type]
    return Claim(
        key="regional_balance",
        section=str(spec["section"]),
        verdict=verdict,
        spec=spec,
        primary=primary,
        robustness=tuple(rows),
        disagree=tuple(disagree),
        numbers={
            "series": main,
            "start_batch": start,
            "peak_corrected_batch": peak["batch"],
            "first": next((r for r in main if int(r["batch"]) == start), None),  # type: ignore[call-overload]
            "last": main[-1],
        },
    )

"""The paper's claims as hypotheses with tests: §3.2 ①–④, §2.2's periods, §4.1.3's trade figures.

Each claim returns a :class:`Claim` with its stated hypothesis (from ``paper_claims.yaml``),
the main test, a sensitivity table and a verdict decided by one rule
(:func:`cbec_policy.analysis.stats.verdict_from`): 支持 only when the test and every robustness
row agree, 部分支持 when they disagree, 不支持 when none finds the claimed direction, 数据不足
when the test lacks data. Results are codes and numbers; the front ends word them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cbec_policy.analysis.claims.base import VERDICT_CODES, Claim, as_date, load_paper_claims, paper_cutoff
from cbec_policy.analysis.claims.changes import changes_since_paper as _changes
from cbec_policy.analysis.claims.content import claim_content_widening, claim_period_theme_mix
from cbec_policy.analysis.claims.local import claim_local_differentiation, focus_test
from cbec_policy.analysis.claims.pilots import claim_pilot_expansion, claim_regional_balance
from cbec_policy.analysis.claims.trade import claim_trade_figure, claim_trade_impact
from cbec_policy.models import LocalPolicy, PilotBatch, PilotZone, Policy, TradeStat


def _cutoff(policies: Sequence[Policy], data: dict[str, Any]) -> date:
    """The paper's last Table 1 date, else the date its pilot-zone figures are stated for."""
    return paper_cutoff(policies) or as_date(data["pilot_zones"]["as_of"], "pilot_zones.as_of")


def evaluate_claims(
    policies: Sequence[Policy],
    zones: Sequence[PilotZone],
    batches: Sequence[PilotBatch],
    stats: Sequence[TradeStat],
    local: Sequence[LocalPolicy] = (),
    paper: dict[str, Any] | None = None,
) -> list[Claim]:
    """Every claim in report order: §3.2 ①–④, §2.2's nodes, each §4.1.3 figure, the causal reading."""
    data = paper or load_paper_claims()
    claims = [
        claim_content_widening(policies, data),
        claim_pilot_expansion(batches, zones, data, _cutoff(policies, data)),
        claim_regional_balance(batches, zones, data),
        claim_local_differentiation(local, zones, data),
        claim_period_theme_mix(policies, data),
    ]
    claims.extend(claim_trade_figure(figure, stats) for figure in data["trade_figures"])
    claims.append(claim_trade_impact(stats, zones))
    return claims


def changes_since_paper(
    policies: Sequence[Policy],
    zones: Sequence[PilotZone],
    stats: Sequence[TradeStat],
    paper: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Later documents, revocations and survey revisions of quoted figures (see ``changes.py``)."""
    data = paper or load_paper_claims()
    quoted = {(int(f["year"]), str(f["period"])) for f in data["trade_figures"]}
    return _changes(policies, zones, stats, _cutoff(policies, data), quoted)


__all__ = [
    "VERDICT_CODES",
    "Claim",
    "changes_since_paper",
    "claim_content_widening",
    "claim_local_differentiation",
    "claim_period_theme_mix",
    "claim_pilot_expansion",
    "claim_regional_balance",
    "claim_trade_figure",
    "claim_trade_impact",
    "evaluate_claims",
    "focus_test",
    "load_paper_claims",
    "paper_cutoff",
]

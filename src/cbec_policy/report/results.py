"""Run every analysis once over the report inputs; the writers only format what is here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from cbec_policy.analysis import claims as claims_mod
from cbec_policy.analysis import evolution, pilots, positive_list, trade
from cbec_policy.analysis.local import LocalComparison, local_differentiation
from cbec_policy.analysis.periods import Framework, PeriodAssignment, assign_periods, bundled_frameworks, period_counts
from cbec_policy.report.inputs import ReportInputs


@dataclass(frozen=True)
class Results:
    """Everything computed for one report (language-neutral)."""

    inputs: ReportInputs
    frameworks: tuple[Framework, ...]
    assignments: list[PeriodAssignment]
    period_counts: list[dict[str, Any]]
    year_type: list[dict[str, Any]]
    year_theme: list[dict[str, Any]]
    widening: list[dict[str, Any]]
    departments: list[dict[str, Any]]
    network: nx.Graph
    network_rows: list[dict[str, Any]]
    batch_progress: list[dict[str, Any]]
    region_batch: list[dict[str, Any]]
    region_cumulative: list[dict[str, Any]]
    map_day: date
    province_zones: list[dict[str, Any]]
    positive_list: list[dict[str, Any]]
    trade_series: list[dict[str, Any]]
    trade_h1: list[dict[str, Any]]
    trade_revisions: list[dict[str, Any]]
    trade_break: dict[str, Any]
    local: LocalComparison
    claims: list[claims_mod.Claim]
    changes: list[dict[str, Any]]
    paper_cutoff: date | None


def run_analysis(inputs: ReportInputs) -> Results:
    """Compute every table of the report from ``inputs``."""
    policies, zones, batches, stats = (
        list(inputs.policies),
        list(inputs.zones),
        list(inputs.batches),
        list(inputs.trade),
    )
    frameworks = bundled_frameworks()
    assignments = assign_periods(policies, frameworks)
    graph = evolution.issuer_network(policies)
    # The map shows the latest state: the day of the last batch (or of the last revocation).
    days = [b.approval_date for b in batches] + [z.revoked_date for z in zones if z.revoked_date]
    map_day = max(days) if days else date.today()
    return Results(
        inputs=inputs,
        frameworks=frameworks,
        assignments=assignments,
        period_counts=period_counts(assignments, frameworks),
        year_type=evolution.year_by_type(policies),
        year_theme=evolution.year_by_theme(policies),
        widening=evolution.theme_widening(policies),
        departments=evolution.departments_per_year(policies),
        network=graph,
        network_rows=evolution.network_table(graph),
        batch_progress=pilots.batch_progress(batches, zones),
        region_batch=pilots.region_shares_per_batch(batches, zones),
        region_cumulative=pilots.region_shares_cumulative(batches, zones),
        map_day=map_day,
        province_zones=pilots.zones_per_province(zones, map_day),
        positive_list=positive_list.positive_list_growth(inputs.positive_list),
        trade_series=trade.trade_series(stats),
        trade_h1=trade.trade_series(stats, period="H1"),
        trade_revisions=trade.revisions(stats),
        trade_break=trade.series_break(stats),
        local=local_differentiation(policies),
        claims=claims_mod.evaluate_claims(policies, zones, batches, stats),
        changes=claims_mod.changes_since_paper(policies, zones, batches, stats),
        paper_cutoff=claims_mod.paper_cutoff(policies),
    )

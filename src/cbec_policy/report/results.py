"""Run every analysis once over the report inputs; the writers only format what is here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from cbec_policy.analysis import claims as claims_mod
from cbec_policy.analysis import evolution, pilots, positive_list, trade
from cbec_policy.analysis.corpus import cbec_policies
from cbec_policy.analysis.local import focus_table, lag_summary, local_documents, plan_lags, provinces_without_documents
from cbec_policy.analysis.network import instruments_by, network_by_period
from cbec_policy.analysis.periods import Framework, PeriodAssignment, assign_periods, bundled_frameworks, period_counts
from cbec_policy.analysis.provenance import provenance_counts
from cbec_policy.models import LocalPolicy
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
    network_periods: list[dict[str, Any]]
    instruments_themes: dict[str, Any]
    instruments_periods: dict[str, Any]
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
    trade_projections: list[Any]
    local_documents: list[LocalPolicy]
    local_by_region: list[dict[str, Any]]
    local_by_coastal: list[dict[str, Any]]
    local_by_province: list[dict[str, Any]]
    local_lags: list[dict[str, Any]]
    local_lag_summary: list[dict[str, Any]]
    local_missing: list[str]
    provenance: dict[str, dict[str, int]]
    claims: list[claims_mod.Claim]
    changes: list[dict[str, Any]]
    paper_cutoff: date | None


def run_analysis(inputs: ReportInputs) -> Results:
    """Compute every table of the report from ``inputs``.

    National statistics count national CBEC policies only; local documents (bundled list plus
    ingested ones) feed the local layer alone.
    """
    everything, zones, batches, stats = (
        list(inputs.policies),
        list(inputs.zones),
        list(inputs.batches),
        list(inputs.trade),
    )
    policies = cbec_policies(everything)
    local = local_documents(inputs.local, everything)
    frameworks = bundled_frameworks()
    assignments = assign_periods(policies, frameworks)
    graph = evolution.issuer_network(policies)
    # The map shows the latest state: the day of the last batch (or of the last revocation).
    days = [b.approval_date for b in batches] + [z.revoked_date for z in zones if z.revoked_date]
    map_day = max(days) if days else date.today()
    lags = plan_lags(zones, local)
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
        network_periods=network_by_period(policies, frameworks),
        instruments_themes=instruments_by(policies, "theme", frameworks),
        instruments_periods=instruments_by(policies, "period", frameworks),
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
        trade_projections=trade.projections(stats),
        local_documents=local,
        local_by_region=focus_table(local, "region"),
        local_by_coastal=focus_table(local, "coastal"),
        local_by_province=focus_table(local, "province"),
        local_lags=lags,
        local_lag_summary=lag_summary(lags),
        local_missing=provinces_without_documents(local),
        provenance=provenance_counts(policies, zones, stats),
        claims=claims_mod.evaluate_claims(policies, zones, batches, stats, local),
        changes=claims_mod.changes_since_paper(policies, zones, stats),
        paper_cutoff=claims_mod.paper_cutoff(policies),
    )

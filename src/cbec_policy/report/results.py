"""Run every analysis once over the report inputs; the writers only format what is here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from cbec_policy.analysis import (
    Claim,
    Framework,
    PeriodAssignment,
    assign_periods,
    batch_progress,
    bundled_frameworks,
    cbec_policies,
    changes_since_paper,
    departments_per_year,
    evaluate_claims,
    focus_table,
    instruments_by,
    issuer_network,
    lag_summary,
    local_documents,
    network_by_period,
    network_table,
    paper_cutoff,
    period_counts,
    plan_lags,
    positive_list_growth,
    projections,
    provenance_counts,
    provinces_without_documents,
    region_shares_cumulative,
    region_shares_per_batch,
    revisions,
    series_break,
    theme_widening,
    trade_series,
    year_by_theme,
    year_by_type,
    zones_per_province,
)
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
    claims: list[Claim]
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
    graph = issuer_network(policies)
    # The map shows the latest state: the day of the last batch (or of the last revocation).
    days = [b.approval_date for b in batches] + [z.revoked_date for z in zones if z.revoked_date]
    map_day = max(days) if days else date.today()
    lags = plan_lags(zones, local)
    return Results(
        inputs=inputs,
        frameworks=frameworks,
        assignments=assignments,
        period_counts=period_counts(assignments, frameworks),
        year_type=year_by_type(policies),
        year_theme=year_by_theme(policies),
        widening=theme_widening(policies),
        departments=departments_per_year(policies),
        network=graph,
        network_rows=network_table(graph),
        network_periods=network_by_period(policies, frameworks),
        instruments_themes=instruments_by(policies, "theme", frameworks),
        instruments_periods=instruments_by(policies, "period", frameworks),
        batch_progress=batch_progress(batches, zones),
        region_batch=region_shares_per_batch(batches, zones),
        region_cumulative=region_shares_cumulative(batches, zones),
        map_day=map_day,
        province_zones=zones_per_province(zones, map_day),
        positive_list=positive_list_growth(inputs.positive_list),
        trade_series=trade_series(stats),
        trade_h1=trade_series(stats, period="H1"),
        trade_revisions=revisions(stats),
        trade_break=series_break(stats),
        trade_projections=projections(stats),
        local_documents=local,
        local_by_region=focus_table(local, "region"),
        local_by_coastal=focus_table(local, "coastal"),
        local_by_province=focus_table(local, "province"),
        local_lags=lags,
        local_lag_summary=lag_summary(lags),
        local_missing=provinces_without_documents(local),
        provenance=provenance_counts(policies, zones, stats),
        claims=evaluate_claims(policies, zones, batches, stats, local),
        changes=changes_since_paper(policies, zones, stats),
        paper_cutoff=paper_cutoff(policies),
    )

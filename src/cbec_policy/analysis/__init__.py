"""Analysis: the paper's hand-made arguments recomputed from the data.

Every function here takes plain lists of models (``Policy``, ``PilotZone``, ``TradeStat`` ...)
and returns plain rows or small records, so that the same numbers feed the report, the web
pages and the tests. Nothing in this package opens the database or writes files.

Other packages use the names exported here. The façade is lazy (:mod:`cbec_policy.lazy`): a
name's module is imported when the name is first used, so a command that only names a province
loads ``provinces`` and nothing else; scipy, numpy and networkx are imported inside the
functions that compute with them (``# start-up:``), so even the claims load without them.
"""

from cbec_policy.lazy import lazy_exports

# name -> the module that defines it, imported on first use (tests/test_architecture.py reads this map)
_LAZY: dict[str, str] = {
    "Claim": "cbec_policy.analysis.claims",
    "changes_since_paper": "cbec_policy.analysis.claims",
    "evaluate_claims": "cbec_policy.analysis.claims",
    "focus_test": "cbec_policy.analysis.claims",
    "paper_cutoff": "cbec_policy.analysis.claims",
    "LOCAL_LEVELS": "cbec_policy.analysis.corpus",
    "NATIONAL": "cbec_policy.analysis.corpus",
    "cbec_policies": "cbec_policy.analysis.corpus",
    "UNCLASSIFIED": "cbec_policy.analysis.evolution",
    "departments_per_year": "cbec_policy.analysis.evolution",
    "issuer_network": "cbec_policy.analysis.evolution",
    "network_table": "cbec_policy.analysis.evolution",
    "policy_type_of": "cbec_policy.analysis.evolution",
    "theme_rows": "cbec_policy.analysis.evolution",
    "theme_widening": "cbec_policy.analysis.evolution",
    "type_code": "cbec_policy.analysis.evolution",
    "type_rows": "cbec_policy.analysis.evolution",
    "year_by_theme": "cbec_policy.analysis.evolution",
    "year_by_type": "cbec_policy.analysis.evolution",
    "bundled_focus_categories": "cbec_policy.analysis.local",
    "document_row": "cbec_policy.analysis.local",
    "find_local": "cbec_policy.analysis.local",
    "focus_table": "cbec_policy.analysis.local",
    "lag_summary": "cbec_policy.analysis.local",
    "local_documents": "cbec_policy.analysis.local",
    "plan_lags": "cbec_policy.analysis.local",
    "provinces_without_documents": "cbec_policy.analysis.local",
    "instruments_by": "cbec_policy.analysis.network",
    "network_by_period": "cbec_policy.analysis.network",
    "Framework": "cbec_policy.analysis.periods",
    "PERIOD_OUTSIDE": "cbec_policy.analysis.periods",
    "PeriodAssignment": "cbec_policy.analysis.periods",
    "PERIOD_UNKNOWN": "cbec_policy.analysis.periods",
    "assign_periods": "cbec_policy.analysis.periods",
    "bundled_frameworks": "cbec_policy.analysis.periods",
    "period_counts": "cbec_policy.analysis.periods",
    "REGION_CODE": "cbec_policy.analysis.pilots",
    "REGION_ORDER": "cbec_policy.analysis.pilots",
    "batch_progress": "cbec_policy.analysis.pilots",
    "region_shares_cumulative": "cbec_policy.analysis.pilots",
    "region_shares_per_batch": "cbec_policy.analysis.pilots",
    "zones_in_force": "cbec_policy.analysis.pilots",
    "zones_per_province": "cbec_policy.analysis.pilots",
    "positive_list_growth": "cbec_policy.analysis.positive_list",
    "provenance_counts": "cbec_policy.analysis.provenance",
    "zone_status": "cbec_policy.analysis.provenance",
    "bundled_provinces": "cbec_policy.analysis.provinces",
    "find_province": "cbec_policy.analysis.provinces",
    "ContingencyTest": "cbec_policy.analysis.stats",
    "RobustnessRow": "cbec_policy.analysis.stats",
    "TrendTest": "cbec_policy.analysis.stats",
    "projections": "cbec_policy.analysis.trade",
    "revisions": "cbec_policy.analysis.trade",
    "series_break": "cbec_policy.analysis.trade",
    "trade_series": "cbec_policy.analysis.trade",
}

# The eager names, then every lazy one: the map is the one list of those.
__all__ = [*_LAZY]

__getattr__ = lazy_exports(globals(), _LAZY)

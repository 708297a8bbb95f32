"""Bundled reference facts (CSV/YAML) and their validating loader.

Facts come from verified public sources; every row keeps its evidence. See ``loader``.
"""

from cbec_policy.reference.loader import (
    load_departments,
    load_doc_number_prefixes,
    load_national_policies,
    load_pilot_batches,
    load_pilot_zones,
    load_positive_list,
    load_rule_parameters,
    load_trade_stats,
    reference_path,
)

__all__ = [
    "load_departments",
    "load_doc_number_prefixes",
    "load_national_policies",
    "load_pilot_batches",
    "load_pilot_zones",
    "load_positive_list",
    "load_rule_parameters",
    "load_trade_stats",
    "reference_path",
]

"""Bundled reference facts (CSV/YAML) and their validating loader.

Facts come from verified public sources; every row keeps its evidence. See ``loader``.
"""

from cbec_policy.reference.customs_codes import CUSTOMS_CODES_FILE, CustomsCodeEntry, load_customs_codes
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
    "CUSTOMS_CODES_FILE",
    "CustomsCodeEntry",
    "load_customs_codes",
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

"""Bundled reference facts (CSV/YAML) and their validating loader.

Facts come from verified public sources; every row keeps its evidence. See ``loader``. Other
packages read the bundled files through the names exported here.
"""

from cbec_policy.reference.customs_codes import CUSTOMS_CODES_FILE, CustomsCodeEntry, load_customs_codes
from cbec_policy.reference.files import REFERENCE_DIR_ENV, reference_dir, reference_path
from cbec_policy.reference.loader import (
    load_departments,
    load_doc_number_prefixes,
    load_national_policies,
    load_pilot_batches,
    load_pilot_zones,
    load_positive_list,
    load_provinces,
    load_retail_import_periods,
    load_rule_parameters,
    load_table1_summaries,
    load_trade_stats,
    load_zone_areas,
    load_zone_succession,
)
from cbec_policy.reference.local_policies import load_local_policies

__all__ = [
    "CUSTOMS_CODES_FILE",
    "REFERENCE_DIR_ENV",
    "CustomsCodeEntry",
    "load_customs_codes",
    "load_departments",
    "load_doc_number_prefixes",
    "load_local_policies",
    "load_national_policies",
    "load_pilot_batches",
    "load_pilot_zones",
    "load_positive_list",
    "load_provinces",
    "load_retail_import_periods",
    "load_rule_parameters",
    "load_table1_summaries",
    "load_trade_stats",
    "load_zone_areas",
    "load_zone_succession",
    "reference_dir",
    "reference_path",
]

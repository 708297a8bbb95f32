"""Rules as code: CBEC tax and customs rules with dates, every answer citing its policy.

- :mod:`~cbec_policy.rules.parameters` — the parameter tree, the OpenFisca way: one YAML file
  per parameter under ``rules/parameters/<node>/``, values keyed by start date, each with its
  source; one vectorised lookup serves the single order and the order file;
- :mod:`~cbec_policy.rules.orders` — orders with lines (customs declaration date, buyer,
  goods, quantity, price, freight and insurance shares, rates), validated with errors naming
  order, line and field;
- :mod:`~cbec_policy.rules.regime` — the one regime choice (within the limits, single-item
  channel below 26,000, general trade), vectorised;
- :mod:`~cbec_policy.rules.goods` — goods categories to rates (consumption-tax categories with
  their price tests, the low-VAT goods), typed rates checked against the date;
- :func:`order_import_tax` — one whole order, taxes per line; :func:`retail_import_tax` — one
  kind of goods (a one-line order);
- :class:`BuyerLedger` — each buyer's calendar year in the store, with returns and quota;
- :func:`postal_tax` / :func:`compare_postal_cbec`, :func:`export_income_tax`,
  :func:`export_return_exemption`, the supervision codes (:func:`explain_code`);
- :mod:`~cbec_policy.rules.order_file` — the same import rules over millions of order lines
  (:func:`run_order_file`; :func:`run_order_file_dask` on a Dask cluster), exported lazily: pyarrow,
  pandas and Dask load when an order file is run, not with the calculators;
- :mod:`~cbec_policy.rules.cases` — rule cases as YAML and their runner (``cbec rules test``).

Dates outside every rule raise :class:`RuleNotApplicableError` with the rule's own answer
("no CBEC retail import regime before 2016-04-08 …"); nothing falls back silently to another
period's value. Dates after the data's horizon carry a caveat naming the last change known.
"""

from __future__ import annotations

from cbec_policy.lazy import lazy_exports
from cbec_policy.rules.cases import run_cases
from cbec_policy.rules.citations import Citation, cite
from cbec_policy.rules.codes import SupervisionCode, explain_code, load_codes
from cbec_policy.rules.errors import ParameterFileError, RuleNotApplicableError
from cbec_policy.rules.export import ExportIncomeResult, ZoneLookup, export_income_tax, reference_zone_lookup
from cbec_policy.rules.goods import category_label, category_names, ct_categories, vat_goods
from cbec_policy.rules.ledger import BuyerLedger, LedgerConflict, Quota, ReturnResult, UnknownLedgerOrder
from cbec_policy.rules.order_tax import LineTax, OrderTax, order_import_tax
from cbec_policy.rules.orders import Line, Order, OrderError, load_order_file, make_order, parse_line_spec
from cbec_policy.rules.parameters import Parameter, ParameterSet, Period, describe, load_parameters
from cbec_policy.rules.postal import PostalComparison, PostalTaxResult, compare_postal_cbec, postal_tax
from cbec_policy.rules.regime import PATHS
from cbec_policy.rules.retail_import import ImportTaxResult, categories, retail_import_tax
from cbec_policy.rules.returns import REASONS, ReturnGoodsResult, export_return_exemption

# name -> the module that defines it, imported on first use (tests/test_architecture.py reads this map)
_LAZY: dict[str, str] = {
    "DEFAULT_CHUNK_ROWS": "cbec_policy.rules.order_file.files",
    "OrderFileSummary": "cbec_policy.rules.order_file.files",
    "parquet_rows": "cbec_policy.rules.order_file.files",
    "run_order_file": "cbec_policy.rules.order_file.files",
    "run_order_file_dask": "cbec_policy.rules.order_file.distributed",  # dask and distributed take about a second
}

# The eager names, then every lazy one: the map is the one list of those.
__all__ = [
    "PATHS",
    "REASONS",
    "BuyerLedger",
    "Citation",
    "ExportIncomeResult",
    "ImportTaxResult",
    "LedgerConflict",
    "Line",
    "LineTax",
    "Order",
    "OrderError",
    "OrderTax",
    "Parameter",
    "ParameterFileError",
    "ParameterSet",
    "Period",
    "PostalComparison",
    "PostalTaxResult",
    "Quota",
    "ReturnGoodsResult",
    "ReturnResult",
    "RuleNotApplicableError",
    "SupervisionCode",
    "UnknownLedgerOrder",
    "ZoneLookup",
    "categories",
    "category_label",
    "category_names",
    "cite",
    "compare_postal_cbec",
    "ct_categories",
    "describe",
    "explain_code",
    "export_income_tax",
    "export_return_exemption",
    "load_codes",
    "load_order_file",
    "load_parameters",
    "make_order",
    "order_import_tax",
    "parse_line_spec",
    "postal_tax",
    "reference_zone_lookup",
    "retail_import_tax",
    "run_cases",
    "vat_goods",
    *_LAZY,
]

__getattr__ = lazy_exports(globals(), _LAZY)

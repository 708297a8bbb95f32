"""Rules as code: CBEC tax and customs rules with dates, every answer citing its policy.

- :mod:`~cbec_policy.rules.parameters` — dated parameters ``{from, to, value, source}`` from
  ``rules/parameters/*.yaml``, validated on load;
- calculators, pure functions of a date and inputs: :func:`retail_import_tax`,
  :func:`postal_tax`, :func:`export_income_tax`, :func:`export_return_exemption`, and the
  supervision codes (:func:`explain_code`);
- :mod:`~cbec_policy.rules.batch` — the same import rules over millions of orders.

Dates outside every rule: a question about a date before a rule existed or after it ended
raises :class:`RuleNotApplicableError` (a :class:`~cbec_policy.errors.CbecError`) whose
message says which rule and which dates, e.g. "2016-04-07: no CBEC retail import regime
before 2016-04-08 …". The command line prints it as one line with exit code 2; the batch
engine puts it in the row's ``error`` column. Nothing falls back silently to another
period's value.
"""

from __future__ import annotations

from cbec_policy.rules.citations import Citation, cite
from cbec_policy.rules.codes import SupervisionCode, explain_code, load_codes
from cbec_policy.rules.errors import ParameterFileError, RuleNotApplicableError
from cbec_policy.rules.export import ExportIncomeResult, export_income_tax, reference_zone_lookup
from cbec_policy.rules.parameters import Parameter, ParameterSet, Period, load_parameters
from cbec_policy.rules.postal import PostalTaxResult, postal_tax
from cbec_policy.rules.retail_import import PATHS, ImportTaxResult, retail_import_tax
from cbec_policy.rules.returns import ReturnGoodsResult, export_return_exemption

__all__ = [
    "PATHS",
    "Citation",
    "ExportIncomeResult",
    "ImportTaxResult",
    "Parameter",
    "ParameterFileError",
    "ParameterSet",
    "Period",
    "PostalTaxResult",
    "ReturnGoodsResult",
    "RuleNotApplicableError",
    "SupervisionCode",
    "cite",
    "explain_code",
    "export_income_tax",
    "export_return_exemption",
    "load_codes",
    "load_parameters",
    "postal_tax",
    "reference_zone_lookup",
    "retail_import_tax",
]

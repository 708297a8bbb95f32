"""CBEC retail import tax (跨境电商综合税) for one order of one kind of goods: a one-line order.

Kept for the calculators that think of an order as one price with one rate set (``tax
import --price``, the postal comparison, the returns calculator): it builds a one-line
:class:`~cbec_policy.rules.orders.Order` and asks :func:`~cbec_policy.rules.order_tax.order_import_tax`,
so the regime choice, the rates by category and the caveats exist once. Paths (see
:mod:`~cbec_policy.rules.regime`): ``cbec_within_limits``, ``cbec_full_tax`` (from 2019-01-01
one item alone over the single limit but below 26,000), ``general_trade``.

A date before 2016-04-08 raises :class:`~cbec_policy.rules.errors.RuleNotApplicableError`:
there was no CBEC retail import regime then (parcels paid postal tax, see ``postal.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.rules.citations import Citation
from cbec_policy.rules.goods import category_names
from cbec_policy.rules.money import money
from cbec_policy.rules.order_tax import order_import_tax, statutory
from cbec_policy.rules.orders import make_order
from cbec_policy.rules.parameters import ParameterSet, load_parameters
from cbec_policy.rules.regime import PATH_FULL, PATH_GENERAL, PATH_WITHIN, PATHS

__all__ = [
    "PATHS", "PATH_FULL", "PATH_GENERAL", "PATH_WITHIN", "ImportTaxResult", "categories",
    "retail_import_tax", "statutory_taxes",
]  # fmt: skip


def categories(params: ParameterSet | None = None) -> list[str]:
    """The goods categories a line may name (consumption-tax categories, then low-VAT goods)."""
    return category_names(params or load_parameters())


@dataclass(frozen=True)
class ImportTaxResult:
    """Amounts (yuan), the path taken, the rates used and the policies cited."""

    date: date
    path: str
    dutiable_value: Decimal
    tariff: Decimal
    consumption_tax: Decimal
    vat: Decimal
    total_tax: Decimal
    effective_rate: Decimal
    citations: tuple[Citation, ...]
    explanation_zh: str
    caveats: tuple[str, ...]
    items: int
    tariff_rate: Decimal
    ct_rate: Decimal
    vat_rate: Decimal
    collection_ratio: Decimal
    consumption_tax_statutory: Fraction
    vat_statutory: Fraction
    single_limit: Decimal
    annual_limit: Decimal
    annual_before: Decimal
    annual_after: Decimal
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The record: contract keys first, in order, then details; amounts stay Decimal (JSON writers emit numbers)."""
        return {
            "date": self.date.isoformat(),
            "path": self.path,
            "dutiable_value": self.dutiable_value,
            "tariff": self.tariff,
            "consumption_tax": self.consumption_tax,
            "vat": self.vat,
            "total_tax": self.total_tax,
            "effective_rate": self.effective_rate,
            "citations": [c.to_dict() for c in self.citations],
            "explanation_zh": self.explanation_zh,
            "caveats": list(self.caveats),
            "items": self.items,
            "tariff_rate": self.tariff_rate,
            "ct_rate": self.ct_rate,
            "vat_rate": self.vat_rate,
            "collection_ratio": self.collection_ratio,
            "consumption_tax_statutory": money(self.consumption_tax_statutory),
            "vat_statutory": money(self.vat_statutory),
            "single_limit": self.single_limit,
            "annual_limit": self.annual_limit,
            "annual_before": self.annual_before,
            "annual_after": self.annual_after,
            **self.extra,
        }


@dataclass(frozen=True)
class Statutory:
    """Exact (unrounded) statutory amounts before the 70 % ratio."""

    tariff: Fraction
    consumption_tax: Fraction
    vat: Fraction


def statutory_taxes(value: Decimal, tariff_rate: Decimal, ct_rate: Decimal, vat_rate: Decimal) -> Statutory:
    """Import taxes in full on dutiable ``value``, with the 1/(1−c) consumption-tax gross-up (exact)."""
    return Statutory(*statutory(value, tariff_rate, ct_rate, vat_rate))


def retail_import_tax(
    day: date,
    price: object,
    *,
    freight: object = 0,
    insurance: object = 0,
    items: int = 1,
    vat_rate: object | None = None,
    ct_rate: object | None = None,
    category: str | None = None,
    net_content: object | None = None,
    pieces: object | None = None,
    tariff_rate: object | None = None,
    annual_before: object = 0,
    params: ParameterSet | None = None,
) -> ImportTaxResult:
    """Tax on one CBEC retail import order of ``items`` items of one kind, declared on ``day``.

    ``vat_rate`` defaults to the rate of the goods' category (the standard rate otherwise);
    ``ct_rate`` or ``category`` (with its price test) gives the consumption tax (none by
    default); ``tariff_rate`` is needed only when the order is taxed in full;
    ``annual_before`` is the buyer's CBEC purchases so far this calendar year.
    """
    if isinstance(items, bool) or not isinstance(items, int) or items < 1:
        raise InputError("items", f"must be a whole number of at least 1, got {items!r}")
    line = {
        "price": price, "freight": freight, "insurance": insurance, "quantity": items, "vat_rate": vat_rate,
        "ct_rate": ct_rate, "category": category, "net_content": net_content, "pieces": pieces,
        "tariff_rate": tariff_rate,
    }  # fmt: skip
    order = make_order("1", day, [{k: v for k, v in line.items() if v is not None}])
    result = order_import_tax(order, annual_before, params)
    only = result.lines[0]
    return ImportTaxResult(
        date=day,
        path=result.path,
        dutiable_value=result.dutiable_value,
        tariff=result.tariff,
        consumption_tax=result.consumption_tax,
        vat=result.vat,
        total_tax=result.total_tax,
        effective_rate=result.effective_rate,
        citations=result.citations,
        explanation_zh=result.explanation_zh,
        caveats=result.caveats + result.warnings,
        items=items,
        tariff_rate=only.tariff_rate,
        ct_rate=only.ct_rate,
        vat_rate=only.vat_rate,
        collection_ratio=result.collection_ratio,
        consumption_tax_statutory=only.consumption_tax_statutory,
        vat_statutory=only.vat_statutory,
        single_limit=result.single_limit,
        annual_limit=result.annual_limit,
        annual_before=result.annual_before,
        annual_after=result.annual_after,
        extra={"warnings": list(result.warnings)},
    )

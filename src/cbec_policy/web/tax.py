"""The web side of the tax calculators: request models, and citations turned into links.

The calculators themselves live in :mod:`cbec_policy.rules` (pure functions of a date and
inputs); here we only validate what a form or JSON body sends, call them, and add to each
citation the URL of its policy page when the cited document is in the corpus.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cbec_policy.rules import (
    categories,
    compare_postal_cbec,
    describe,
    export_income_tax,
    export_return_exemption,
    load_parameters,
    make_order,
    order_import_tax,
    reference_zone_lookup,
    retail_import_tax,
)
from cbec_policy.web.charts import policy_href

Category = Literal[tuple(categories())]  # type: ignore[valid-type]
Money = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)


class ImportTaxRequest(BaseModel):
    """One CBEC retail import order (B2C)."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date = Field(description="order date (YYYY-MM-DD)")
    price: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="goods price, yuan (whole fen)")
    freight: Decimal = Money
    insurance: Decimal = Money
    items: int = Field(default=1, ge=1, le=100_000)
    vat_rate: Decimal | None = Field(default=None, ge=0, lt=1, description="blank: standard import VAT on the date")
    ct_rate: Decimal | None = Field(default=None, ge=0, lt=1)
    category: Category | None = Field(default=None, description="goods category (consumption tax, low VAT rate)")
    net_content: Decimal | None = Field(default=None, gt=0, description="ml or g per item (cosmetics price test)")
    pieces: Decimal | None = Field(default=None, gt=0, description="pieces or sheets per item (cosmetics)")
    tariff_rate: Decimal | None = Field(default=None, ge=0, le=10, description="needed only when full tax applies")
    annual_before: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2,
                                   description="CBEC purchases this year")  # fmt: skip


class LineRequest(BaseModel):
    """One line of an order: goods, quantity, the line's price and its freight and insurance shares."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(default="", max_length=200)
    category: Category | None = None
    hs_code: str | None = Field(default=None, max_length=20)
    quantity: int = Field(default=1, ge=1, le=100_000)
    price: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="the line's goods price, yuan")
    freight: Decimal = Money
    insurance: Decimal = Money
    vat_rate: Decimal | None = Field(default=None, ge=0, lt=1)
    ct_rate: Decimal | None = Field(default=None, ge=0, lt=1)
    tariff_rate: Decimal | None = Field(default=None, ge=0, le=10)
    net_content: Decimal | None = Field(default=None, gt=0)
    pieces: Decimal | None = Field(default=None, gt=0)


class OrderTaxRequest(BaseModel):
    """A whole order: limits on the order and the buyer's year, taxes per line."""

    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(default="1", min_length=1, max_length=200)
    declaration_date: dt.date = Field(description="customs declaration date")
    buyer_id: str | None = Field(default=None, max_length=200, description="with record: kept in the ledger")
    annual_before: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    lines: list[LineRequest] = Field(min_length=1, max_length=500)


class ReturnRequest(BaseModel):
    """A return of imported CBEC goods (within 30 days to apply, 45 days back in the bonded area)."""

    model_config = ConfigDict(extra="forbid")

    buyer_id: str = Field(min_length=1, max_length=200)
    order_id: str = Field(min_length=1, max_length=200)
    applied_on: dt.date
    back_on: dt.date | None = None


class ExportIncomeRequest(BaseModel):
    """Invoice-free exemption and deemed CIT for a retail exporter in a pilot zone."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    zone: str = Field(min_length=1, max_length=50)
    revenue: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)
    platform_recorded: bool = True
    declared_at_zone_customs: bool = True
    goods_excluded: bool = False
    has_purchase_invoices: bool = False


class PostalTaxRequest(BaseModel):
    """The same goods as a personal postal article (行邮税), for comparison."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    value: Decimal = Field(gt=0, max_digits=14, description="value assessed by customs, yuan")
    item: int | None = Field(default=None, ge=1, le=4, description="tax item (税目), 1-based")
    rate: Decimal | None = Field(default=None, ge=0, lt=1)
    hk_macao_taiwan: bool = False
    single_indivisible: bool = False


class ReturnsRequest(BaseModel):
    """Export goods coming back: is the import tax on the return exempt?"""

    model_config = ConfigDict(extra="forbid")

    export_date: dt.date
    code: str = Field(min_length=4, max_length=4, pattern=r"^\d{4}$", description="supervision code, e.g. 9610")
    return_date: dt.date | None = None
    reason: Literal["unsold", "customer_return"] = "unsold"
    is_food: bool = False
    original_state: bool = True
    used: bool = False
    defect_needs_trial: bool = False
    left_zone_date: dt.date | None = None
    export_refund_received: bool = False
    value: Decimal | None = Field(default=None, gt=0, max_digits=14)
    tariff_rate: Decimal = Field(default=Decimal(0), ge=0, le=10)
    vat_rate: Decimal | None = Field(default=None, ge=0, lt=1)
    ct_rate: Decimal = Field(default=Decimal(0), ge=0, lt=1)


def _linked(result: dict[str, Any]) -> dict[str, Any]:
    for citation in result.get("citations", []):
        citation["url"] = policy_href(citation["policy_id"]) if citation.get("in_corpus") else None
    return result


def import_tax(request: ImportTaxRequest) -> dict[str, Any]:
    """Run the retail-import calculator; the result dict with citation links."""
    data = request.model_dump()
    day = data.pop("date")
    price = data.pop("price")
    return _linked(retail_import_tax(day, price, **data).to_dict())


def _order(request: OrderTaxRequest) -> Any:
    lines = [{k: v for k, v in line.model_dump().items() if v is not None} for line in request.lines]
    return make_order(request.order_id, request.declaration_date, lines, request.buyer_id)


def order_tax(request: OrderTaxRequest, ledger: Any | None = None) -> dict[str, Any]:
    """Tax a whole order; with a ledger (and a buyer) the year comes from it and the order is recorded."""
    order = _order(request)
    if ledger is not None and order.buyer_id is not None:
        return _linked(ledger.tax_order(order).to_dict())
    return _linked(order_import_tax(order, request.annual_before).to_dict())


def import_return(request: ReturnRequest, ledger: Any) -> dict[str, Any]:
    """Record a return in the ledger."""
    return _linked(
        ledger.record_return(request.buyer_id, request.order_id, request.applied_on, request.back_on).to_dict()
    )


def export_income(request: ExportIncomeRequest, zone_lookup: Any | None = None) -> dict[str, Any]:
    """Invoice-free exemption and deemed CIT; a non-qualifying exporter gets no deemed tax as payable."""
    data = request.model_dump()
    day, zone = data.pop("date"), data.pop("zone")
    return _linked(export_income_tax(day, zone, zone_lookup=zone_lookup or reference_zone_lookup(), **data).to_dict())


def parameters(name: str | None = None, on: dt.date | None = None) -> dict[str, Any]:
    """Every parameter (or one, or one node) with dated values and sources."""
    params = load_parameters()
    return {
        "compiled": params.compiled.isoformat() if params.compiled else None,
        "parameters": describe(params, name, on),
    }


def postal(request: PostalTaxRequest) -> dict[str, Any]:
    """The postal-articles tax beside the CBEC tax on the same goods (the library's comparison)."""
    data = request.model_dump()
    day = data.pop("date")
    value = data.pop("value")
    return _linked(compare_postal_cbec(day, value, **data).to_dict())


def returns(request: ReturnsRequest) -> dict[str, Any]:
    """Run the export-returns exemption check."""
    data = request.model_dump()
    day = data.pop("export_date")
    return _linked(export_return_exemption(day, **data).to_dict())


def preload() -> None:
    """Read the bundled rule parameters and citation tables now, once per worker process.

    The tax endpoints run on the event loop; without this the first request would read
    those files there, holding up every other request of that worker meanwhile.
    """
    retail_import_tax(dt.date(2019, 1, 1), Decimal(100))

"""The web side of the tax calculators: request models, and citations turned into links.

The calculators themselves live in :mod:`cbec_policy.rules` (pure functions of a date and
inputs); here we only validate what a form or JSON body sends, call them, and add to each
citation the URL of its policy page when the cited document is in the corpus.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

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
from cbec_policy.web import tax_schema
from cbec_policy.web.charts import policy_href
from cbec_policy.web.contract import CALCULATOR_HORIZON, IsoDate, date_in, decimal
from cbec_policy.web.hygiene import NO_CONTROL_OR_EMPTY_PATTERN

Category = Literal[tuple(categories())]  # type: ignore[valid-type]


def _window(key: str, why: str) -> Any:
    """The dates the rule table ``key`` has a value for (open end: the calculators' horizon)."""
    periods = load_parameters()[key].periods
    return date_in(periods[0].start or dt.date.min, periods[-1].end or CALCULATOR_HORIZON, why)


# Days each calculator has rules for: outside them it has no answer, and the schema says so.
CbecDay = _window("single_limit_cny", "the CBEC retail import regime, 财关税〔2016〕18号")
PostalDay = _window("postal_exemption_cny", "the 50-yuan postal rule, 海关总署公告2010年第43号")
ExportDay = _window("invoice_free_exemption", "the invoice-free exemption, 财税〔2018〕103号")
ReturnExportDay = _window("return_goods_window", "the return-goods exemption window")
ReturnLaterDay = date_in(load_parameters()["return_goods_window"].periods[0].start, CALCULATOR_HORIZON)
# Amounts in yuan to the fen (14 digits), rates as fractions.
Price = decimal(positive=True, int_digits=12, places=2)
Money = decimal(int_digits=12, places=2)
Revenue = decimal(int_digits=14, places=2)
Rate = decimal(below=Decimal(1))
TariffRate = decimal(at_most=Decimal(10))
Measure = decimal(positive=True)
TARIFF_HELP = "the goods' import tariff rate (used when taxed in full)"
# Identifiers and words are kept (ledger, results): no control characters, as for parameters.
Text = Field(pattern=NO_CONTROL_OR_EMPTY_PATTERN)


class ImportTaxRequest(BaseModel):
    """One CBEC retail import order (B2C)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=tax_schema.one_order)

    date: CbecDay = Field(description="order date (YYYY-MM-DD)")
    price: Price = Field(description="goods price, yuan (whole fen)")
    freight: Money = Decimal(0)
    insurance: Money = Decimal(0)
    items: int = Field(default=1, ge=1, le=100_000)
    vat_rate: Rate | None = Field(default=None, description="blank: standard import VAT on the date")
    ct_rate: Rate | None = None
    category: Category | None = Field(default=None, description="goods category (consumption tax, low VAT rate)")
    net_content: Measure | None = Field(default=None, description="ml or g per item (cosmetics price test)")
    pieces: Measure | None = Field(default=None, description="pieces or sheets per item (cosmetics)")
    tariff_rate: TariffRate | None = Field(default=None, description=TARIFF_HELP)
    annual_before: Money = Field(default=Decimal(0), description="CBEC purchases this year")


class LineRequest(BaseModel):
    """One line of an order: goods, quantity, the line's price and its freight and insurance shares."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=tax_schema.order_line)

    description: Annotated[str, Text] = Field(default="", max_length=200)
    category: Category | None = None
    hs_code: Annotated[str, Text] | None = Field(default=None, max_length=20)
    quantity: int = Field(default=1, ge=1, le=100_000)
    price: Price = Field(description="the line's goods price, yuan")
    freight: Money = Decimal(0)
    insurance: Money = Decimal(0)
    vat_rate: Rate | None = None
    ct_rate: Rate | None = None
    tariff_rate: TariffRate | None = Field(default=None, description=TARIFF_HELP)
    net_content: Measure | None = None
    pieces: Measure | None = None


class OrderTaxRequest(BaseModel):
    """A whole order: limits on the order and the buyer's year, taxes per line."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=tax_schema.order)

    order_id: Annotated[str, Text] = Field(default="1", min_length=1, max_length=200)
    declaration_date: CbecDay = Field(description="customs declaration date")
    buyer_id: Annotated[str, Text] | None = Field(
        default=None, min_length=1, max_length=200, description="with record: kept in the ledger"
    )
    annual_before: Money = Decimal(0)
    lines: list[LineRequest] = Field(min_length=1, max_length=500)


class ReturnRequest(BaseModel):
    """A return of imported CBEC goods (within 30 days to apply, 45 days back in the bonded area)."""

    model_config = ConfigDict(extra="forbid")

    buyer_id: Annotated[str, Text] = Field(min_length=1, max_length=200)
    order_id: Annotated[str, Text] = Field(min_length=1, max_length=200)
    applied_on: IsoDate
    back_on: IsoDate | None = None


class ExportIncomeRequest(BaseModel):
    """Invoice-free exemption and deemed CIT for a retail exporter in a pilot zone."""

    model_config = ConfigDict(extra="forbid")

    date: ExportDay
    zone: Annotated[str, Text] = Field(min_length=1, max_length=50)
    revenue: Revenue | None = None
    platform_recorded: bool = True
    declared_at_zone_customs: bool = True
    goods_excluded: bool = False
    has_purchase_invoices: bool = False


class PostalTaxRequest(BaseModel):
    """The same goods as a personal postal article (行邮税), for comparison: give the tax item or the rate."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=tax_schema.postal)

    date: PostalDay
    value: Price = Field(description="value assessed by customs, yuan (whole fen)")
    item: int | None = Field(
        default=None, ge=1, le=tax_schema.postal_items(), description="tax item (税目), 1-based; or give the rate"
    )
    rate: Rate | None = None
    hk_macao_taiwan: bool = False
    single_indivisible: bool = False


class ReturnsRequest(BaseModel):
    """Export goods coming back: is the import tax on the return exempt?"""

    model_config = ConfigDict(extra="forbid")

    export_date: ReturnExportDay
    code: str = Field(min_length=4, max_length=4, pattern=r"^[0-9]{4}$", description="supervision code, e.g. 9610")
    return_date: ReturnLaterDay | None = None
    reason: Literal["unsold", "customer_return"] = "unsold"
    is_food: bool = False
    original_state: bool = True
    used: bool = False
    defect_needs_trial: bool = False
    left_zone_date: ReturnLaterDay | None = None
    export_refund_received: bool = False
    value: Price | None = None
    tariff_rate: TariffRate = Decimal(0)
    vat_rate: Rate | None = None
    ct_rate: Rate = Decimal(0)


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

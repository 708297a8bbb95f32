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

from cbec_policy.rules.postal import postal_tax
from cbec_policy.rules.retail_import import CATEGORIES, retail_import_tax
from cbec_policy.rules.returns import export_return_exemption
from cbec_policy.web.charts import policy_href

Category = Literal[tuple(CATEGORIES)]  # type: ignore[valid-type]


class ImportTaxRequest(BaseModel):
    """One CBEC retail import order (B2C)."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date = Field(description="order date (YYYY-MM-DD)")
    price: Decimal = Field(gt=0, max_digits=14, description="goods price, yuan")
    freight: Decimal = Field(default=Decimal(0), ge=0, max_digits=14)
    insurance: Decimal = Field(default=Decimal(0), ge=0, max_digits=14)
    items: int = Field(default=1, ge=1, le=100_000)
    vat_rate: Decimal | None = Field(default=None, ge=0, lt=1, description="blank: standard import VAT on the date")
    ct_rate: Decimal | None = Field(default=None, ge=0, lt=1)
    category: Category | None = Field(default=None, description="consumption-tax category (instead of ct_rate)")
    tariff_rate: Decimal | None = Field(default=None, ge=0, le=10, description="needed only when full tax applies")
    annual_before: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, description="CBEC purchases this year")


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


def postal(request: PostalTaxRequest) -> dict[str, Any]:
    """Run the postal-articles calculator."""
    data = request.model_dump()
    day = data.pop("date")
    value = data.pop("value")
    return _linked(postal_tax(day, value, **data).to_dict())


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

"""Orders with lines: the nouns of a CBEC retail import declaration, parsed and validated.

An :class:`Order` is what a customs broker declares: the customs declaration date (申报日期,
the date the rules are read on), the buyer (订购人), and lines of goods. A :class:`Line`
carries its goods (a description or a category of the parameter tree, the HS code if
known), the quantity, the line's goods price, its shares of freight and insurance, and any
rates typed by hand. The limits apply to the whole order and the buyer's year; the taxes
to each line (see :mod:`~cbec_policy.rules.order_tax`).

Every error names the order id, the line number (1-based) and the field, so an order file can
list all of them and go on: ``order A17, line 2, price: more than two decimal places``.
Money has at most two decimals (fen): 100.005 is refused, never rounded silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError
from cbec_policy.rules.money import to_decimal

LINE_FIELDS = (
    "description", "category", "hs_code", "quantity", "price", "unit_price", "freight", "insurance",
    "vat_rate", "ct_rate", "tariff_rate", "net_content", "pieces",
)  # fmt: skip
MONEY_FIELDS = ("price", "unit_price", "freight", "insurance")
RATE_FIELDS = ("vat_rate", "ct_rate", "tariff_rate")


class OrderError(InputError):
    """Bad order input, naming the order id, the line (if any) and the field."""

    def __init__(self, order_id: str, line: int | None, field_name: str, reason: str) -> None:
        self.order_id = order_id
        self.line = line
        self.field = field_name
        where = f"order {order_id}" + (f", line {line}" if line is not None else "") + f", {field_name}"
        super().__init__(where, reason)


@dataclass(frozen=True)
class Line:
    """One line of an order: goods, quantity, the line's goods price and its freight/insurance shares."""

    price: Decimal  # the line's goods price (unit price × quantity), yuan
    quantity: int = 1
    freight: Decimal = Decimal(0)
    insurance: Decimal = Decimal(0)
    description: str = ""
    category: str | None = None  # a consumption-tax category or a low-VAT goods category
    hs_code: str | None = None
    vat_rate: Decimal | None = None
    ct_rate: Decimal | None = None
    tariff_rate: Decimal | None = None
    net_content: Decimal | None = None  # ml or g per item (cosmetics price test)
    pieces: Decimal | None = None  # pieces or sheets per item (cosmetics price test)

    @property
    def dutiable_value(self) -> Decimal:
        """完税价格 of the line: goods price + freight + insurance (财关税〔2016〕18号 clause 1)."""
        return self.price + self.freight + self.insurance


@dataclass(frozen=True)
class Order:
    """An order as declared: id, customs declaration date, buyer and lines."""

    order_id: str
    declaration_date: date
    lines: tuple[Line, ...]
    buyer_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dutiable_value(self) -> Decimal:
        """The order's 完税价格, compared with the single limit and added to the buyer's year."""
        return sum((line.dutiable_value for line in self.lines), Decimal(0))

    @property
    def items(self) -> int:
        """Number of items (the sum of the quantities): one item alone may use the single-item channel."""
        return sum(line.quantity for line in self.lines)


def fen_amount(value: object, order_id: str, line: int | None, name: str, *, positive: bool = False) -> Decimal:
    """A money input with at most two decimals, not negative (above 0 when ``positive``)."""
    try:
        amount = to_decimal(value, name)
    except InputError as exc:
        raise OrderError(order_id, line, name, exc.reason) from None
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):  # type: ignore[operator]
        raise OrderError(order_id, line, name, f"more than two decimal places ({value}); amounts are in whole fen")
    if positive and amount <= 0:
        raise OrderError(order_id, line, name, f"must be above 0, got {value}")
    if amount < 0:
        raise OrderError(order_id, line, name, f"must not be negative, got {value}")
    return amount


def _rate(value: object, order_id: str, line: int, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = to_decimal(value, name)
    except InputError as exc:
        raise OrderError(order_id, line, name, exc.reason) from None
    below_one = name != "tariff_rate"  # a tariff may exceed 100 %; VAT and ad-valorem CT rates are below 1
    if result < 0 or (below_one and result >= 1):
        bound = "at least 0 and below 1" if below_one else "at least 0"
        raise OrderError(order_id, line, name, f"rate must be {bound}, got {value}")
    return result


def _positive(value: object, order_id: str, line: int, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = to_decimal(value, name)
    except InputError as exc:
        raise OrderError(order_id, line, name, exc.reason) from None
    if result <= 0:
        raise OrderError(order_id, line, name, f"must be above 0, got {value}")
    return result


def make_line(data: Mapping[str, Any], order_id: str, number: int) -> Line:
    """A validated line from a mapping of :data:`LINE_FIELDS` (``price`` or ``unit_price`` required)."""
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise OrderError(order_id, number, sorted(unknown)[0], f"unknown field; known: {', '.join(LINE_FIELDS)}")
    raw_quantity = data.get("quantity", 1)
    try:
        quantity = int(str(raw_quantity).strip())
    except ValueError:
        raise OrderError(order_id, number, "quantity", f"must be a whole number, got {raw_quantity!r}") from None
    if quantity < 1:
        raise OrderError(order_id, number, "quantity", f"must be at least 1, got {raw_quantity!r}")
    has_price, has_unit = data.get("price") not in (None, ""), data.get("unit_price") not in (None, "")
    if has_price == has_unit:
        raise OrderError(order_id, number, "price", "give the line's price or its unit_price (one of them)")
    if has_price:
        price = fen_amount(data["price"], order_id, number, "price", positive=True)
    else:
        price = fen_amount(data["unit_price"], order_id, number, "unit_price", positive=True) * quantity
    ct_rate = _rate(data.get("ct_rate"), order_id, number, "ct_rate")
    category = str(data["category"]).strip() if data.get("category") not in (None, "") else None
    return Line(
        price=price,
        quantity=quantity,
        freight=fen_amount(data.get("freight") or 0, order_id, number, "freight"),
        insurance=fen_amount(data.get("insurance") or 0, order_id, number, "insurance"),
        description=str(data.get("description") or ""),
        category=category,
        hs_code=str(data["hs_code"]).strip() if data.get("hs_code") not in (None, "") else None,
        vat_rate=_rate(data.get("vat_rate"), order_id, number, "vat_rate"),
        ct_rate=ct_rate,
        tariff_rate=_rate(data.get("tariff_rate"), order_id, number, "tariff_rate"),
        net_content=_positive(data.get("net_content"), order_id, number, "net_content"),
        pieces=_positive(data.get("pieces"), order_id, number, "pieces"),
    )


def make_order(
    order_id: str, declaration_date: object, lines: list[Mapping[str, Any]], buyer_id: str | None = None
) -> Order:
    """A validated order; the first problem raises :class:`OrderError` naming order, line and field."""
    order_id = str(order_id or "").strip()
    if not order_id:
        raise OrderError("(none)", None, "order_id", "missing")
    if isinstance(declaration_date, date):
        day = declaration_date
    else:
        try:
            day = parse_date(str(declaration_date or ""), "declaration_date")
        except InputError as exc:
            raise OrderError(order_id, None, "declaration_date", exc.reason) from None
    if not lines:
        raise OrderError(order_id, None, "lines", "an order needs at least one line")
    parsed = tuple(make_line(line, order_id, number) for number, line in enumerate(lines, start=1))
    buyer = str(buyer_id).strip() if buyer_id not in (None, "") else None
    return Order(order_id=order_id, declaration_date=day, lines=parsed, buyer_id=buyer)


def parse_line_spec(spec: str, number: int, order_id: str = "cli") -> dict[str, str]:
    """``price=1000,category=cosmetics,net_content=50`` → a line mapping (the CLI's ``--line``)."""
    data: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise OrderError(order_id, number, part.strip(), "expected name=value (e.g. price=1000)")
        data[name.strip().replace("-", "_")] = value.strip()
    return data


def load_order_file(path: Path) -> tuple[Order, dict[str, Any]]:
    """An order from a JSON or YAML file ``{order_id, declaration_date, buyer_id, lines: [...]}``.

    Other top-level keys (``annual_before``, ``release_date``) come back beside the order.
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"cannot read the order file: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(str(path), "expected a mapping with order_id, declaration_date and lines")
    known = {"order_id", "declaration_date", "buyer_id", "lines", "annual_before", "release_date"}
    unknown = set(data) - known
    if unknown:
        raise InputError(
            str(path), f"unknown keys {', '.join(sorted(map(str, unknown)))}; known: {', '.join(sorted(known))}"
        )
    lines = data.get("lines")
    if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
        raise InputError(str(path), "lines must be a list of mappings")
    order = make_order(str(data.get("order_id") or ""), data.get("declaration_date"), lines, data.get("buyer_id"))
    return order, {key: data[key] for key in ("annual_before", "release_date") if key in data}

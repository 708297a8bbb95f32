"""The tax calculators' rules between fields, as conditions in the request schemas.

A calculator refuses some inputs for reasons one field alone does not show: goods of a low-VAT
class declared before the low-rate list is known need their VAT rate typed; cosmetics from
2016-10-01 need the net content or the pieces per item (the high-end price test); a postal
article takes a tax item or a rate, and the items in force depend on the date. Each rule is
stated here with JSON Schema's ``if``/``then`` over the dates of the rule tables, so a request
the schema admits is one the calculator answers. The dates come from the rule tables.

One rule cannot be stated: whether an order is taxed in full (and so needs the goods' tariff
rate) follows from its amounts, the buyer's year and the date. The contract asks for the
tariff rate always; the server asks for it only when it is used.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cbec_policy.rules import ct_categories, load_parameters, vat_goods
from cbec_policy.web.contract import CALCULATOR_HORIZON, date_pattern

NOT_NULL = {"not": {"type": "null"}}


def _dated(field: str, first: dt.date, last: dt.date) -> dict[str, Any]:
    """``field`` is present and a date from ``first`` to ``last``."""
    return {"properties": {field: {"type": "string", "pattern": date_pattern(first, last)}}, "required": [field]}


def _given(field: str) -> dict[str, Any]:
    return {"required": [field], "properties": {field: NOT_NULL}}


def line_rules() -> list[tuple[dt.date, dt.date, dict[str, Any]]]:
    """(first day, last day, condition on one order line) for each rule between a line's fields."""
    params = load_parameters()
    regime = params["single_limit_cny"].periods[0].start
    low = sorted(name for name, entry in vat_goods(params).items() if entry["vat"] == "low")
    listed_from = params["low_rate_goods_listed"].periods[0].start
    tested = sorted(name for name, entry in ct_categories(params).items() if entry.get("test") == "cosmetics")
    tested_from = params["high_end_cosmetics_price_per_ml_or_g"].periods[0].start
    low_vat = {
        "if": {"properties": {"category": {"enum": low}}, "required": ["category"]},
        "then": _given("vat_rate"),
    }
    cosmetics = {
        "if": {"properties": {"category": {"enum": tested}}, "required": ["category"]},
        "then": {"anyOf": [_given("net_content"), _given("pieces")]},
    }
    return [(regime, listed_from - dt.timedelta(days=1), low_vat), (tested_from, CALCULATOR_HORIZON, cosmetics)]


def tariff_rate_required(schema: dict[str, Any]) -> None:
    """``tariff_rate`` required and not null (see the module docstring)."""
    schema["required"] = [*schema.get("required", []), "tariff_rate"]
    field = schema["properties"]["tariff_rate"]
    field["anyOf"] = [branch for branch in field["anyOf"] if branch.get("type") != "null"]
    field.pop("default", None)


def one_order(schema: dict[str, Any]) -> None:
    """The single-order calculator: its date and goods fields in one object."""
    tariff_rate_required(schema)
    schema["allOf"] = [
        {"if": {"allOf": [_dated("date", first, last), rule["if"]]}, "then": rule["then"]}
        for first, last, rule in line_rules()
    ]


def order_line(schema: dict[str, Any]) -> None:
    """An order line: the tariff rate always (the dated rules sit on the order, which holds the date)."""
    tariff_rate_required(schema)


def order(schema: dict[str, Any]) -> None:
    """A whole order: each dated rule applies to every line of an order declared in its window."""
    schema["allOf"] = [
        {"if": _dated("declaration_date", first, last), "then": {"properties": {"lines": {"items": rule}}}}
        for first, last, rule in line_rules()
    ]


def postal(schema: dict[str, Any]) -> None:
    """Exactly one of the tax item and the rate; the item among those in force on the date."""
    schema["oneOf"] = [
        {"required": ["item"], "properties": {"item": {"type": "integer"}}},
        {"required": ["rate"], "properties": {"rate": NOT_NULL}},
    ]
    params = load_parameters()
    first = params["postal_exemption_cny"].periods[0].start
    rules = []
    for period in params["postal_rates"].periods:
        start = max(period.start or first, first)
        end = period.end or CALCULATOR_HORIZON
        if end >= start:
            rules.append(
                {"if": _dated("date", start, end), "then": {"properties": {"item": {"maximum": len(period.value)}}}}
            )
    schema["allOf"] = rules


def postal_items() -> int:
    """The most tax items any period has (the field's own upper bound)."""
    return max(len(period.value) for period in load_parameters()["postal_rates"].periods)

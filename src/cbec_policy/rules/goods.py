"""Goods → rates where the policies fix them, so a seller chooses goods, not rates.

The categories are data: the consumption-tax node (``parameters/consumption_tax/index.yaml``:
cosmetics with the 高档化妆品 price test, watches with the 高档手表 price test, jewellery,
wine ...) and the low-VAT goods node (``parameters/vat/index.yaml``: farm products, edible
vegetable oil, books and newspapers, feed). Each category points at dated rate parameters,
so the rate follows the date. A rate typed by hand still wins, but it is checked against
the table for the date and a warning says where they disagree; the table's citation stays
in the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from cbec_policy.rules.errors import RuleNotApplicableError
from cbec_policy.rules.money import money, percent, to_decimal
from cbec_policy.rules.orders import Line, OrderError
from cbec_policy.rules.parameters import ParameterSet, Period


@dataclass
class LineRates:
    """The rates of one line on one day, the periods they rest on, and notes and warnings in Chinese."""

    vat: Decimal
    ct: Decimal
    periods: list[Period] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ct_category: str | None = None


def ct_categories(params: ParameterSet) -> dict[str, dict[str, str]]:
    """The consumption-tax categories of the parameter node, by name."""
    return dict(params.nodes["consumption_tax"]["categories"])


def vat_goods(params: ParameterSet) -> dict[str, dict[str, str]]:
    """The goods categories of the VAT node (which take the low rate), by name."""
    return dict(params.nodes["vat"]["goods"])


def category_names(params: ParameterSet) -> list[str]:
    """Every category a line may name, consumption-tax ones first."""
    return [*ct_categories(params), *(name for name in vat_goods(params) if name not in ct_categories(params))]


def category_label(params: ParameterSet, name: str) -> str:
    """The Chinese label of a category."""
    entry = ct_categories(params).get(name) or vat_goods(params).get(name)
    return str(entry["label"]) if entry else name


def _price_test(
    params: ParameterSet, day: date, entry: dict[str, str], line: Line, value: Decimal, where: tuple[str, int]
) -> tuple[Period, Decimal, str]:
    """The rate period a price-tested category rests on, its rate on ``day``, and the test as a Chinese note."""
    order_id, number = where
    if entry.get("test") == "watch":
        period = params[entry["rate"]].at(day)
        limit = to_decimal(params["high_end_watch_price_per_watch"].value_at(day), "threshold")
        per_watch = Fraction(value) / line.quantity
        if per_watch >= limit:
            return period, to_decimal(period.value, "ct_rate"), f"每只{money(per_watch)}元≥{limit}元，属高档手表"
        return period, Decimal(0), f"每只{money(per_watch)}元<{limit}元，非高档手表，不征消费税"
    threshold_start = params["high_end_cosmetics_price_per_ml_or_g"].periods[0].start
    if threshold_start is not None and day < threshold_start:
        period = params[entry["rate"]].at(day)
        return period, to_decimal(period.value, "ct_rate"), "2016-10-01前所有化妆品均征收消费税"
    if line.net_content is None and line.pieces is None:
        raise OrderError(
            order_id, number, "net_content", "化妆品须填写每件净含量（毫升或克）或片数，用于判断是否属高档化妆品"
        )
    tests = []
    if line.net_content is not None:
        per_unit = Fraction(value) / (line.quantity * Fraction(line.net_content))
        limit = to_decimal(params["high_end_cosmetics_price_per_ml_or_g"].value_at(day), "threshold")
        tests.append((per_unit >= limit, f"每毫升(克){money(per_unit)}元{'≥' if per_unit >= limit else '<'}{limit}元"))
    if line.pieces is not None:
        per_unit = Fraction(value) / (line.quantity * Fraction(line.pieces))
        limit = to_decimal(params["high_end_cosmetics_price_per_piece"].value_at(day), "threshold")
        tests.append((per_unit >= limit, f"每片(支){money(per_unit)}元{'≥' if per_unit >= limit else '<'}{limit}元"))
    high_end = any(passed for passed, _ in tests)
    note = "；".join(text for _, text in tests) + ("，属高档化妆品" if high_end else "，属普通化妆品")
    period = params[entry["rate"] if high_end else entry["ordinary_rate"]].at(day)
    return period, to_decimal(period.value, "ct_rate"), note


def line_rates(params: ParameterSet, day: date, line: Line, where: tuple[str, int]) -> LineRates:
    """VAT and consumption-tax rates of ``line`` on ``day``: from its category, or typed and checked."""
    order_id, number = where
    ct_cats, goods = ct_categories(params), vat_goods(params)
    if line.category is not None and line.category not in ct_cats and line.category not in goods:
        known = ", ".join(category_names(params))
        raise OrderError(order_id, number, "category", f"unknown category {line.category!r}; known: {known}")
    value = line.dutiable_value
    standard = params["import_vat_standard"].at(day)
    result = LineRates(vat=Decimal(0), ct=Decimal(0))

    # VAT: the goods' class decides standard or low; a typed rate is checked against both.
    table_vat = standard
    entry = goods.get(line.category or "")
    class_known = entry is not None
    if entry is not None and entry["vat"] == "low":
        try:
            listed = params["low_rate_goods_listed"].at(day)  # raises before the list is known
        except RuleNotApplicableError:
            if line.vat_rate is None:
                raise  # its answer asks for the rate
            class_known = False  # the typed rate is taken, checked against both rates of the day
        else:
            table_vat = params["import_vat_low"].at(day)
            result.periods.append(listed)
            result.notes.append(f"{entry['label']}适用增值税低税率{percent(to_decimal(table_vat.value, 'vat'))}")
    table_rate = to_decimal(table_vat.value, "vat_rate")
    result.periods.append(table_vat)
    if line.vat_rate is None:
        result.vat = table_rate
    else:
        result.vat = line.vat_rate
        allowed = (
            {table_rate} if class_known else {table_rate, to_decimal(params["import_vat_low"].value_at(day), "vat")}
        )
        if line.vat_rate not in allowed:
            rates = "、".join(percent(rate) for rate in sorted(allowed, reverse=True))
            result.warnings.append(
                f"第{number}行所填增值税税率{percent(line.vat_rate)}与{day}适用的税率（{rates}）不符，已按所填税率计算，请核对"
            )

    # Consumption tax: the category's dated rate (with its price test) or the typed rate.
    ct_entry = ct_cats.get(line.category or "")
    if ct_entry is not None:
        if ct_entry.get("test"):
            period, table_ct, note = _price_test(params, day, ct_entry, line, value, where)
            result.notes.append(note)
        else:
            period = params[ct_entry["rate"]].at(day)
            table_ct = to_decimal(period.value, "ct_rate")
        result.periods.append(period)
        result.ct_category = line.category
        prefix = "" if ct_entry.get("test") else f"{ct_entry['label']}："
        result.notes.insert(0, f"{prefix}消费税税率{percent(table_ct)}")
        if period.status != "verified":
            result.warnings.append(f"第{number}行消费税税率仅见于二手资料（{period.citation.label()}）")
        if line.ct_rate is None:
            result.ct = table_ct
        else:
            result.ct = line.ct_rate
            if line.ct_rate != table_ct:
                result.warnings.append(
                    f"第{number}行所填消费税税率{percent(line.ct_rate)}与{day}{ct_entry['label']}的税率"
                    f"{percent(table_ct)}不符，已按所填税率计算，请核对"
                )
    else:
        result.ct = line.ct_rate if line.ct_rate is not None else Decimal(0)
    return result

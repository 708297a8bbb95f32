"""CBEC retail import tax of one whole order: limits on the order and the buyer's year, taxes per line.

The regime (within the limits / single-item channel taxed in full / general trade) is chosen
once for the order by :func:`~cbec_policy.rules.regime.choose`, the same vectorised rule an
order file runs. Each line is then taxed on its own dutiable value with its own rates
(statutory: tariff = P·t; CT = (P + tariff)/(1 − c)·c; VAT = (P + tariff + CT)·v, exact
fractions), at 70 % within the limits; each tax of each line is rounded to the fen half up
and the order's totals are the sums of the rounded line amounts (the rounding level is not
stated in the policies: a caveat says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from cbec_policy.rules.citations import Citation, unique
from cbec_policy.rules.goods import line_rates
from cbec_policy.rules.money import money, percent, rate, to_decimal
from cbec_policy.rules.orders import Order, OrderError
from cbec_policy.rules.parameters import ParameterSet, Period, load_parameters
from cbec_policy.rules.regime import PATH_FULL, PATH_GENERAL, PATH_WITHIN, PATHS, REGIME_KEYS, choose

ALWAYS_CAVEATS = (
    "未核对正面清单、三单比对等资格条件",
    "取整方式未经核实：按每行每个税种分别四舍五入到分计算",
)


@dataclass(frozen=True)
class LineTax:
    """The taxes of one line (yuan) with the rates used."""

    line: int
    description: str
    category: str | None
    hs_code: str | None
    quantity: int
    dutiable_value: Decimal
    tariff_rate: Decimal
    ct_rate: Decimal
    vat_rate: Decimal
    tariff: Decimal
    consumption_tax: Decimal
    vat: Decimal
    total_tax: Decimal
    consumption_tax_statutory: Fraction
    vat_statutory: Fraction
    exact_total: Fraction
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain record (amounts as Decimal)."""
        return {
            "line": self.line,
            "description": self.description,
            "category": self.category,
            "hs_code": self.hs_code,
            "quantity": self.quantity,
            "dutiable_value": self.dutiable_value,
            "tariff_rate": self.tariff_rate,
            "ct_rate": self.ct_rate,
            "vat_rate": self.vat_rate,
            "tariff": self.tariff,
            "consumption_tax": self.consumption_tax,
            "vat": self.vat,
            "total_tax": self.total_tax,
            "consumption_tax_statutory": money(self.consumption_tax_statutory),
            "vat_statutory": money(self.vat_statutory),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class OrderTax:
    """The answer for one order: the path, the itemised lines, totals, the buyer's year and citations."""

    order_id: str
    declaration_date: date
    buyer_id: str | None
    path: str
    items: int
    dutiable_value: Decimal
    tariff: Decimal
    consumption_tax: Decimal
    vat: Decimal
    total_tax: Decimal
    effective_rate: Decimal
    collection_ratio: Decimal
    single_limit: Decimal
    annual_limit: Decimal
    annual_before: Decimal
    annual_after: Decimal
    counts: bool
    lines: tuple[LineTax, ...]
    citations: tuple[Citation, ...]
    explanation_zh: str
    caveats: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def quota_left(self) -> Decimal:
        """The buyer's annual quota left after this order."""
        return max(self.annual_limit - self.annual_after, Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """The record: order keys and totals first, then the lines, citations, caveats and warnings."""
        return {
            "order_id": self.order_id,
            "declaration_date": self.declaration_date.isoformat(),
            "buyer_id": self.buyer_id,
            "path": self.path,
            "items": self.items,
            "dutiable_value": self.dutiable_value,
            "tariff": self.tariff,
            "consumption_tax": self.consumption_tax,
            "vat": self.vat,
            "total_tax": self.total_tax,
            "effective_rate": self.effective_rate,
            "collection_ratio": self.collection_ratio,
            "single_limit": self.single_limit,
            "annual_limit": self.annual_limit,
            "annual_before": self.annual_before,
            "annual_after": self.annual_after,
            "quota_left": self.quota_left,
            "counts_towards_annual": self.counts,
            "lines": [line.to_dict() for line in self.lines],
            "citations": [c.to_dict() for c in self.citations],
            "explanation_zh": self.explanation_zh,
            "caveats": list(self.caveats),
            "warnings": list(self.warnings),
            **self.extra,
        }


def statutory(value: Decimal, tariff_rate: Decimal, ct_rate: Decimal, vat_rate: Decimal) -> tuple[Fraction, ...]:
    """Import taxes in full on ``value`` (tariff, CT with the 1/(1−c) gross-up, VAT), exact."""
    p, t, c, v = Fraction(value), Fraction(tariff_rate), Fraction(ct_rate), Fraction(vat_rate)
    tariff = p * t
    consumption_tax = (p + tariff) / (1 - c) * c
    return tariff, consumption_tax, (p + tariff + consumption_tax) * v


def order_import_tax(order: Order, annual_before: object = 0, params: ParameterSet | None = None) -> OrderTax:
    """Tax one order on its customs declaration date; ``annual_before`` is the buyer's CBEC total so far this year."""
    params = params or load_parameters()
    day = order.declaration_date
    before = to_decimal(annual_before, "annual_before")
    if before < 0 or before != before.quantize(Decimal("0.01")):
        raise OrderError(
            order.order_id, None, "annual_before", f"must be a non-negative amount in fen, got {annual_before}"
        )
    value = order.dutiable_value
    days = np.array([np.datetime64(day, "D")])
    regime = choose(params, days, np.array([int(value * 100)]), np.array([order.items]), np.array([int(before * 100)]))
    if not regime.covered[0]:
        params["single_limit_cny"].at(day)  # raises the parameter's own "no CBEC regime" answer
    path = PATHS[int(regime.path[0])]
    ratio = to_decimal(float(regime.ratio[0]), "ratio") if path == PATH_WITHIN else Decimal(1)
    single_p, annual_p = params["single_limit_cny"].at(day), params["annual_limit_cny"].at(day)
    single, annual = to_decimal(single_p.value, "single"), to_decimal(annual_p.value, "annual")
    periods: list[Period] = [params["collection_ratio_within_limits"].at(day), single_p, annual_p]
    caveats = list(ALWAYS_CAVEATS)
    warnings: list[str] = []
    if path != PATH_GENERAL and (value == single or before + value == annual):
        boundary = params["limit_boundary_inclusive"].at(day)
        periods.append(boundary)
        caveats.append("金额恰好等于限值，按未超过限值处理（政策原文为“超过”，此为解释性假设）")
    below: Decimal | None = None
    if value > single and order.items == 1 and bool(params["single_item_full_tax_channel"].value_at(day)):
        below_p = params["single_item_channel_below_cny"].at(day)
        periods += [params["single_item_full_tax_channel"].at(day), below_p]
        below = to_decimal(below_p.value, "single_item_channel_below_cny")
    if path == PATH_GENERAL and order.items > 1 and value > single and day >= date(2019, 1, 1):
        caveats.append("多件商品订单超过单次限值按一般贸易处理，系依据18号推断（49号未直接规定）")
    if path == PATH_GENERAL:
        caveats.append("一般贸易税额仅供参考：实际须按一般贸易报关，完税价格和税率可能不同")
    if path == PATH_WITHIN:
        periods.append(params["tariff_rate_within_limits"].at(day))
    if any(line.hs_code for line in order.lines):
        caveats.append("HS编码仅作记录：资料中没有HS编码与税率的对应表，税率按商品类别或所填税率确定")

    line_results = []
    for number, line in enumerate(order.lines, start=1):
        rates = line_rates(params, day, line, (order.order_id, number))
        periods += rates.periods
        warnings += rates.warnings
        if path == PATH_WITHIN:
            tariff_rate = to_decimal(float(regime.within_tariff[0]), "tariff_rate")
        elif line.tariff_rate is None:
            raise OrderError(
                order.order_id, number, "tariff_rate",
                f"needed: the order is taxed in full ({path}); give the goods' import tariff rate",
            )  # fmt: skip
        else:
            tariff_rate = line.tariff_rate
        full = statutory(line.dutiable_value, tariff_rate, rates.ct, rates.vat)
        exact = (full[0], full[1] * Fraction(ratio), full[2] * Fraction(ratio))
        amounts = [money(amount) for amount in exact]
        line_results.append(
            LineTax(
                line=number,
                description=line.description,
                category=line.category,
                hs_code=line.hs_code,
                quantity=line.quantity,
                dutiable_value=money(line.dutiable_value),
                tariff_rate=tariff_rate,
                ct_rate=rates.ct,
                vat_rate=rates.vat,
                tariff=amounts[0],
                consumption_tax=amounts[1],
                vat=amounts[2],
                total_tax=sum(amounts, Decimal(0)),
                consumption_tax_statutory=full[1],
                vat_statutory=full[2],
                exact_total=sum(exact, Fraction(0)),
                notes=tuple(rates.notes),
            )
        )
    horizon = params.horizon_caveat(day, [*REGIME_KEYS, "import_vat_standard"])
    if horizon:
        caveats.append(horizon)
    counts = bool(regime.counts[0])
    after = before + value if counts else before
    totals = {name: sum((getattr(item, name) for item in line_results), Decimal(0)) for name in
              ("tariff", "consumption_tax", "vat", "total_tax")}  # fmt: skip
    effective = rate(sum((item.exact_total for item in line_results), Fraction(0)) / Fraction(value))
    return OrderTax(
        order_id=order.order_id,
        declaration_date=day,
        buyer_id=order.buyer_id,
        path=path,
        items=order.items,
        dutiable_value=money(value),
        effective_rate=effective,
        collection_ratio=ratio,
        single_limit=single,
        annual_limit=annual,
        annual_before=money(before),
        annual_after=money(after),
        counts=counts,
        lines=tuple(line_results),
        citations=tuple(unique([p.citation for p in periods])),
        explanation_zh=_explain(order, path, before, single, annual, ratio, line_results, below),
        caveats=tuple(caveats),
        warnings=tuple(warnings),
        **totals,
    )


def _explain(
    order: Order,
    path: str,
    before: Decimal,
    single: Decimal,
    annual: Decimal,
    ratio: Decimal,
    lines: list[LineTax],
    below: Decimal | None,
) -> str:
    """The answer in plain Chinese: limits on the order and the year, then each line's rates."""
    day, p = order.declaration_date, money(order.dutiable_value)
    text = (
        f"申报日期{day}：订单{order.order_id}共{len(lines)}行{order.items}件，完税价格合计{p}元（单次限值{single}元）；"
        f"本年累计{money(before)}+{p}={money(before + order.dutiable_value)}元（年度限值{annual}元）。"
    )
    if path == PATH_WITHIN:
        text += f"均未超过限值，按跨境电商限值内征税：关税0%，消费税和增值税按法定应纳税额的{percent(ratio)}征收。"
    elif path == PATH_FULL:
        text += (
            "订单仅1件商品，超过单次限值但低于26000元且未超过年度限值，"
            "可走跨境电商渠道，按货物税率全额征收，计入年度交易总额。"
        )
    elif below is not None and order.dutiable_value >= below:
        text += (
            f"订单仅1件商品，但完税价格不低于{below}元（单件商品低于{below}元方可走跨境电商渠道），"
            "按一般贸易全额征税，不计入跨境电商年度交易额度。"
        )
    else:
        text += "超过限值，按一般贸易全额征税，不计入跨境电商年度交易额度。"
    for item in lines:
        name = item.description or item.category or "商品"
        text += (
            f"第{item.line}行{name}：关税{percent(item.tariff_rate)}，消费税{percent(item.ct_rate)}"
            f"（组成计税价格P/(1−c)），增值税{percent(item.vat_rate)}"
        )
        if item.notes:
            text += "（" + "；".join(item.notes) + "）"
        text += f"，税额{item.total_tax}元。"
    return text


__all__ = ["PATHS", "PATH_FULL", "PATH_GENERAL", "PATH_WITHIN", "LineTax", "OrderTax", "order_import_tax", "statutory"]

"""CBEC retail import tax (跨境电商综合税) for one order on one date.

Pure function of the date and the inputs. Dutiable value P = goods price + freight +
insurance (财关税〔2016〕18号 clause 1). Paths:

- ``cbec_within_limits`` — P within the single limit and the year's running total within
  the annual limit: tariff 0, consumption tax and VAT at 70 % of the statutory amount;
- ``cbec_full_tax`` — from 2019-01-01 (财关税〔2018〕49号) a one-item order over the single
  limit whose running total stays within the annual limit: tariff, VAT and consumption tax
  in full at the goods rates, and the value counts towards the annual total;
- ``general_trade`` — everything over the limits: taxed in full as general trade, and the
  value does not count towards the CBEC annual total.

Statutory amounts (ad-valorem consumption tax uses the composite price, i.e. the
1/(1−c) gross-up): tariff = P·t; CT = (P + tariff)/(1 − c)·c; VAT = (P + tariff + CT)·v.
Each tax is rounded to 0.01 yuan half-up at the end; the total is the sum of the rounded
taxes; the effective rate is the unrounded total divided by P (six decimals).

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
from cbec_policy.rules.citations import Citation, unique
from cbec_policy.rules.money import money, percent, rate, to_decimal
from cbec_policy.rules.parameters import ParameterSet, Period, load_parameters

PATH_WITHIN = "cbec_within_limits"
PATH_FULL = "cbec_full_tax"
PATH_GENERAL = "general_trade"
PATHS = (PATH_WITHIN, PATH_FULL, PATH_GENERAL)
PATH_LABELS = {
    PATH_WITHIN: "跨境电商限值内（关税0%，增值税和消费税按70%）",
    PATH_FULL: "跨境电商渠道全额征税（单件超单次限值）",
    PATH_GENERAL: "按一般贸易全额征税（超限值）",
}

# Consumption-tax categories: name -> (parameter key, price-test kind or None).
CATEGORIES: dict[str, tuple[str, str | None]] = {
    "cosmetics": ("ct_cosmetics_high_end", "cosmetics"),  # 化妆品: the price test decides
    "high_end_cosmetics": ("ct_cosmetics_high_end", None),
    "ordinary_cosmetics": ("ct_cosmetics_ordinary", None),
    "high_end_watch": ("ct_high_end_watch", "watch"),
    "precious_jewellery_jade": ("ct_precious_jewellery_jade", None),
    "gold_silver_platinum_diamond": ("ct_gold_silver_platinum_diamond_at_import", None),
    "other_alcohol": ("ct_other_alcohol", None),
    "wine": ("ct_other_alcohol", None),
}

ALWAYS_CAVEATS = (
    "未核对正面清单和三单比对等资格条件 eligibility (positive list, order/payment/logistics match) is not checked",
    "取整方式未经核实：每个税种分别四舍五入到分 rounding per tax type to 0.01 yuan is assumed, not verified",
)


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
    explanation_en: str
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
            "explanation_en": self.explanation_en,
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
    """Import taxes in full on dutiable ``value``, with the 1/(1−c) consumption-tax gross-up.

    Computed in exact fractions, so rounding happens once, at the end, on the true value.
    """
    p, t, c, v = Fraction(value), Fraction(tariff_rate), Fraction(ct_rate), Fraction(vat_rate)
    tariff = p * t
    consumption_tax = (p + tariff) / (1 - c) * c
    vat = (p + tariff + consumption_tax) * v
    return Statutory(tariff, consumption_tax, vat)


def _rate_input(value: object, what: str, upper_open: bool = True) -> Decimal:
    result = to_decimal(value, what)
    if result < 0 or (upper_open and result >= 1):
        raise InputError(what, f"rate must be at least 0 and below 1, got {value!r}")
    return result


def consumption_tax_rate(
    day: date,
    category: str,
    dutiable_value: Decimal,
    items: int,
    net_content: Decimal | None = None,
    pieces: Decimal | None = None,
    params: ParameterSet | None = None,
) -> tuple[Decimal, Period, str]:
    """Consumption-tax rate of ``category`` on ``day``, applying its price test; returns (rate, period, note).

    The price test compares the dutiable value per unit (ml or g, piece, or watch) with the
    threshold; ``net_content`` and ``pieces`` are per item, so the unit price is
    P / (items × content).
    """
    params = params or load_parameters()
    if category not in CATEGORIES:
        raise InputError("--category", f"unknown category {category!r}; known: {', '.join(sorted(CATEGORIES))}")
    key, test = CATEGORIES[category]
    if test == "cosmetics":
        high_end = params["ct_cosmetics_high_end"]
        if day < params["high_end_cosmetics_price_per_ml_or_g"].periods[0].start:  # type: ignore[operator]
            period = high_end.at(day)
            return to_decimal(period.value, key), period, "2016-10-01前所有化妆品征收消费税 all cosmetics taxed"
        if net_content is None and pieces is None:
            raise InputError(
                "--net-content/--pieces",
                "category cosmetics needs the net content (ml or g) or pieces per item for the 高档化妆品 price test",
            )
        tests = []
        if net_content is not None:
            per_unit = Fraction(dutiable_value) / (items * Fraction(net_content))
            limit = to_decimal(params["high_end_cosmetics_price_per_ml_or_g"].value_at(day), "threshold")
            tests.append((per_unit >= limit, f"{money(per_unit)} 元/ml(g) {'≥' if per_unit >= limit else '<'} {limit}"))
        if pieces is not None:
            per_unit = Fraction(dutiable_value) / (items * Fraction(pieces))
            limit = to_decimal(params["high_end_cosmetics_price_per_piece"].value_at(day), "threshold")
            tests.append(
                (per_unit >= limit, f"{money(per_unit)} 元/片(支) {'≥' if per_unit >= limit else '<'} {limit}")
            )
        is_high_end = any(passed for passed, _ in tests)
        note = "；".join(text for _, text in tests) + (
            " → 高档化妆品 high-end" if is_high_end else " → 普通化妆品 ordinary"
        )
        period = params["ct_cosmetics_high_end" if is_high_end else "ct_cosmetics_ordinary"].at(day)
        return to_decimal(period.value, key), period, note
    if test == "watch":
        period = params[key].at(day)
        limit = to_decimal(params["high_end_watch_price_per_watch"].value_at(day), "threshold")
        per_watch = Fraction(dutiable_value) / items
        if per_watch >= limit:
            return (
                to_decimal(period.value, key),
                period,
                f"{money(per_watch)} 元/只 ≥ {limit} → 高档手表 high-end watch",
            )
        return Decimal(0), period, f"{money(per_watch)} 元/只 < {limit} → 非高档手表, no consumption tax"
    period = params[key].at(day)
    return to_decimal(period.value, key), period, ""


def choose_path(
    value: Decimal, items: int, annual_before: Decimal, single: Decimal, annual: Decimal, single_item_channel: bool
) -> str:
    """Which treatment applies; a value equal to a limit counts as within it (assumption, see caveats)."""
    over_single = value > single
    if over_single and not (single_item_channel and items == 1):
        return PATH_GENERAL  # 18号: over the single limit; 49号 keeps this for multi-item orders (inferred)
    if annual_before + value > annual:
        return PATH_GENERAL
    return PATH_FULL if over_single else PATH_WITHIN


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
    """Tax on one CBEC retail import order placed on ``day``.

    ``vat_rate`` defaults to the standard import VAT rate in force on ``day``;
    ``ct_rate`` (or ``category`` with its price test) defaults to no consumption tax;
    ``tariff_rate`` is needed only when the order is taxed in full; ``annual_before`` is the
    buyer's CBEC purchases so far this calendar year.
    """
    params = params or load_parameters()
    value_price = to_decimal(price, "price")
    if value_price <= 0:
        raise InputError("price", f"must be above 0, got {price!r}")
    value_freight = to_decimal(freight, "freight")
    value_insurance = to_decimal(insurance, "insurance")
    for name, amount in (("freight", value_freight), ("insurance", value_insurance)):
        if amount < 0:
            raise InputError(name, f"must not be negative, got {amount}")
    if isinstance(items, bool) or not isinstance(items, int) or items < 1:
        raise InputError("items", f"must be a whole number of at least 1, got {items!r}")
    before = to_decimal(annual_before, "annual_before")
    if before < 0:
        raise InputError("annual_before", f"must not be negative, got {annual_before!r}")
    if ct_rate is not None and category is not None:
        raise InputError("--ct-rate/--category", "give either a consumption-tax rate or a category, not both")

    value = value_price + value_freight + value_insurance
    periods: list[Period] = []
    caveats: list[str] = list(ALWAYS_CAVEATS)
    single_p = params["single_limit_cny"].at(day)  # raises before 2016-04-08
    annual_p = params["annual_limit_cny"].at(day)
    channel_p = params["single_item_full_tax_channel"].at(day)
    ratio_p = params["collection_ratio_within_limits"].at(day)
    within_tariff_p = params["tariff_rate_within_limits"].at(day)
    boundary_p = params["limit_boundary_inclusive"].at(day)
    single = to_decimal(single_p.value, "single_limit_cny")
    annual = to_decimal(annual_p.value, "annual_limit_cny")
    path = choose_path(value, items, before, single, annual, bool(channel_p.value))
    periods += [ratio_p, single_p, annual_p]
    if value == single or before + value == annual:
        caveats.append(f"金额恰好等于限值，按限值内处理 value equals a limit: treated as within ({boundary_p.note})")
        periods.append(boundary_p)
    if path == PATH_FULL:
        periods.append(channel_p)
    if path == PATH_GENERAL and day >= channel_p.start and items > 1 and value > single:  # type: ignore[operator]
        caveats.append(
            "多件商品订单超过单次限值按一般贸易处理，系据18号推断 a multi-item order over the single limit is "
            "taken as general trade by inference from 18号 (49号 does not say)"
        )
    if path == PATH_GENERAL:
        caveats.append(
            "一般贸易金额仅供参考：实际须按一般贸易报关，完税价格和税率可能不同 general-trade amounts are indicative"
        )

    if vat_rate is None:
        vat_p = params["import_vat_standard"].at(day)
        vat = to_decimal(vat_p.value, "vat_rate")
        periods.append(vat_p)
    else:
        vat = _rate_input(vat_rate, "vat_rate")
    ct_note = ""
    if category is not None:
        content = None if net_content is None else to_decimal(net_content, "net_content")
        count = None if pieces is None else to_decimal(pieces, "pieces")
        for name, amount in (("net_content", content), ("pieces", count)):
            if amount is not None and amount <= 0:
                raise InputError(name, f"must be above 0, got {amount}")
        ct, ct_p, ct_note = consumption_tax_rate(day, category, value, items, content, count, params)
        periods.append(ct_p)
        if ct_p.status != "verified":
            caveats.append(f"消费税税率来源为二手资料 consumption-tax rate from secondary sources ({ct_p.source})")
    else:
        ct = Decimal(0) if ct_rate is None else _rate_input(ct_rate, "ct_rate")

    if path == PATH_WITHIN:
        tariff_r = to_decimal(within_tariff_p.value, "tariff_rate_within_limits")
        ratio = to_decimal(ratio_p.value, "collection_ratio_within_limits")
        periods.append(within_tariff_p)
    else:
        if tariff_rate is None:
            raise InputError(
                "tariff_rate",
                f"needed: the order is taxed in full ({path}); give the goods' import tariff rate",
            )
        tariff_r = to_decimal(tariff_rate, "tariff_rate")
        if tariff_r < 0:
            raise InputError("tariff_rate", f"must not be negative, got {tariff_rate!r}")
        ratio = Decimal(1)

    full = statutory_taxes(value, tariff_r, ct, vat)
    tariff_exact = full.tariff
    ct_exact = full.consumption_tax * Fraction(ratio)
    vat_exact = full.vat * Fraction(ratio)
    tariff_amount, ct_amount, vat_amount = money(tariff_exact), money(ct_exact), money(vat_exact)
    total = tariff_amount + ct_amount + vat_amount
    effective = rate((tariff_exact + ct_exact + vat_exact) / Fraction(value))
    counts = path in (PATH_WITHIN, PATH_FULL)
    after = before + value if counts else before

    zh, en = _explain(day, path, value, items, before, single, annual, tariff_r, ct, vat, ratio, ct_note)
    return ImportTaxResult(
        date=day,
        path=path,
        dutiable_value=money(value),
        tariff=tariff_amount,
        consumption_tax=ct_amount,
        vat=vat_amount,
        total_tax=total,
        effective_rate=effective,
        citations=tuple(unique([p.citation for p in periods])),
        explanation_zh=zh,
        explanation_en=en,
        caveats=tuple(caveats),
        items=items,
        tariff_rate=tariff_r,
        ct_rate=ct,
        vat_rate=vat,
        collection_ratio=ratio,
        consumption_tax_statutory=full.consumption_tax,
        vat_statutory=full.vat,
        single_limit=single,
        annual_limit=annual,
        annual_before=money(before),
        annual_after=money(after),
    )


def _explain(
    day: date,
    path: str,
    value: Decimal,
    items: int,
    before: Decimal,
    single: Decimal,
    annual: Decimal,
    tariff_rate: Decimal,
    ct: Decimal,
    vat: Decimal,
    ratio: Decimal,
    ct_note: str,
) -> tuple[str, str]:
    p, a = money(value), money(before + value)
    limits_zh = f"完税价格{p}元（单次限值{single}元），本年累计{money(before)}+{p}={a}元（年度限值{annual}元）"
    limits_en = (
        f"dutiable value {p} (single limit {single}); year total {money(before)}+{p}={a} (annual limit {annual})"
    )
    rates_zh = f"关税{percent(tariff_rate)}，消费税{percent(ct)}（按组成计税价格P/(1−c)），增值税{percent(vat)}"
    rates_en = f"tariff {percent(tariff_rate)}, consumption tax {percent(ct)} on P/(1−c), VAT {percent(vat)}"
    if ct_note:
        rates_zh += f"；{ct_note}"
    if path == PATH_WITHIN:
        zh = f"{day}：{limits_zh}，均未超过 → 限值内：{rates_zh}，消费税和增值税按法定应纳税额的{percent(ratio)}征收。"
        en = f"{day}: {limits_en}, within both -> within limits: {rates_en}; VAT and CT collected at {percent(ratio)}."
    elif path == PATH_FULL:
        zh = (
            f"{day}：{limits_zh}；订单仅{items}件商品、超过单次限值但未超过年度限值 → 可走跨境电商渠道，"
            f"按货物税率全额征收：{rates_zh}，计入年度交易总额。"
        )
        en = (
            f"{day}: {limits_en}; one item over the single limit, within the annual limit -> CBEC channel, "
            f"full tax at goods rates: {rates_en}; counts towards the annual total."
        )
    else:
        zh = f"{day}：{limits_zh}；订单{items}件，超过限值 → 按一般贸易全额征税：{rates_zh}，不计入跨境电商年度额度。"
        en = f"{day}: {limits_en}; {items} item(s), over a limit -> general trade, full tax: {rates_en}."
    return zh, en

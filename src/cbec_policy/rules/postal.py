"""Personal postal articles tax (行邮税) on the same goods, for comparison with the CBEC tax.

Tax = value × the rate of the goods' tax item (税目 1/2/3; four bands before 2016-04-08).
The value is the one customs assesses under its value table (进境物品完税价格表); the user
supplies it. An assessed tax of 50 yuan or less is not collected (海关总署公告2010年第43号,
50 itself included) — unlike CBEC retail imports, where 财关税〔2016〕18号 removed that
exemption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cbec_policy.errors import CbecError, InputError
from cbec_policy.rules.citations import Citation, unique
from cbec_policy.rules.money import money, percent, to_decimal
from cbec_policy.rules.parameters import ParameterSet, load_parameters
from cbec_policy.rules.retail_import import retail_import_tax


@dataclass(frozen=True)
class PostalTaxResult:
    """Assessed and payable postal tax, whether the 50-yuan exemption applied, and citations."""

    date: date
    value: Decimal
    item: int | None
    rate: Decimal
    assessed_tax: Decimal
    exempt: bool
    payable: Decimal
    citations: tuple[Citation, ...]
    explanation_zh: str
    explanation_en: str
    caveats: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The result as a record; amounts stay Decimal (JSON writers emit them as numbers)."""
        return {
            "date": self.date.isoformat(),
            "value": self.value,
            "item": self.item,
            "rate": self.rate,
            "assessed_tax": self.assessed_tax,
            "exempt": self.exempt,
            "payable": self.payable,
            "citations": [c.to_dict() for c in self.citations],
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
            "caveats": list(self.caveats),
        }


def postal_tax(
    day: date,
    value: object,
    *,
    item: int | None = None,
    rate: object | None = None,
    hk_macao_taiwan: bool = False,
    single_indivisible: bool = False,
    params: ParameterSet | None = None,
) -> PostalTaxResult:
    """Postal articles tax on goods of ``value`` on ``day``: give the tax ``item`` (1-based) or a ``rate``."""
    params = params or load_parameters()
    amount = to_decimal(value, "value")
    if amount <= 0:
        raise InputError("value", f"must be above 0, got {value!r}")
    if (item is None) == (rate is None):
        raise InputError("--item/--rate", "give either the tax item (税目) or the rate")
    exemption_p = params["postal_exemption_cny"].at(day)
    periods = [exemption_p]
    caveats: list[str] = []
    if item is not None:
        rates_p = params["postal_rates"].at(day)
        periods.insert(0, rates_p)
        bands = rates_p.value
        if not 1 <= item <= len(bands):
            raise InputError("--item", f"tax item must be 1 to {len(bands)} on {day}, got {item}")
        applied = to_decimal(bands[item - 1], "rate")
        if rates_p.status != "verified":
            caveats.append("该期行邮税税率仅见于二手资料，未完全核实")
    else:
        applied = to_decimal(rate, "rate")
        if not 0 <= applied < 1:
            raise InputError("--rate", f"must be at least 0 and below 1, got {rate!r}")
    assessed = money(amount * applied)
    threshold = to_decimal(exemption_p.value, "postal_exemption_cny")
    exempt = assessed <= threshold
    payable = Decimal("0.00") if exempt else assessed
    cap_p = params["postal_parcel_value_limit_hmt_cny" if hk_macao_taiwan else "postal_parcel_value_limit_cny"].at(day)
    cap = to_decimal(cap_p.value, "parcel cap")
    if amount > cap and not single_indivisible:
        periods.append(cap_p)
        caveats.append(f"超过每包裹限值{cap}元（单件不可分割物品除外），可能须退运或按货物报关")
    verdict_zh = f"≤ {threshold}元，免征" if exempt else f"> {threshold}元，照章征收"
    verdict_en = f"<= {threshold}: not collected" if exempt else f"> {threshold}: collected"
    item_text = f"税目{item}" if item is not None else "指定税率"
    zh = f"{day}：行邮税 {item_text} {percent(applied)}，{money(amount)}×{applied} = {assessed}元，{verdict_zh}。"
    en = f"{day}: postal tax at {percent(applied)}: {money(amount)} x {applied} = {assessed}; {verdict_en}."
    return PostalTaxResult(
        date=day,
        value=money(amount),
        item=item,
        rate=applied,
        assessed_tax=assessed,
        exempt=exempt,
        payable=payable,
        citations=tuple(unique([p.citation for p in periods])),
        explanation_zh=zh,
        explanation_en=en,
        caveats=tuple(caveats),
    )


@dataclass(frozen=True)
class PostalComparison:
    """The same goods as a postal article and as a one-line CBEC retail order, side by side."""

    postal: PostalTaxResult
    cbec_path: str | None
    cbec_total_tax: Decimal | None
    cbec_note: str

    def to_dict(self) -> dict[str, Any]:
        """The postal record with the CBEC figures beside it."""
        data = self.postal.to_dict()
        data["cbec_path"], data["cbec_total_tax"] = self.cbec_path, self.cbec_total_tax
        if self.cbec_note:
            data["caveats"] = [*data["caveats"], self.cbec_note]
        return data


def compare_postal_cbec(
    day: date,
    value: object,
    *,
    item: int | None = None,
    rate: object | None = None,
    hk_macao_taiwan: bool = False,
    single_indivisible: bool = False,
    ct_rate: object | None = None,
    category: str | None = None,
    params: ParameterSet | None = None,
) -> PostalComparison:
    """Postal tax on ``value`` beside the CBEC tax on the same goods as a first purchase of the year.

    Where the CBEC figure cannot be given (before 2016-04-08, or over the limits, where a
    goods tariff rate would be needed), the note says why instead of a number.
    """

    result = postal_tax(
        day, value, item=item, rate=rate, hk_macao_taiwan=hk_macao_taiwan,
        single_indivisible=single_indivisible, params=params,
    )  # fmt: skip
    try:
        cbec = retail_import_tax(day, value, ct_rate=ct_rate, category=category, params=params)
    except CbecError as exc:
        return PostalComparison(result, None, None, f"无法与跨境电商对比：{exc}")
    return PostalComparison(result, cbec.path, cbec.total_tax, "")

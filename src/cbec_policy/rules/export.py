"""Export side: 无票免税 eligibility (财税〔2018〕103号) and deemed corporate income tax
(国家税务总局公告2019年第36号) for retail exporters in a comprehensive pilot zone.

Pilot-zone membership on the date comes from a ``zone_lookup(name, on)`` callable returning a
:class:`~cbec_policy.places.coverage.ZoneMembership` (or a bare ``bool | None``); the command
line builds it on the store's ``lookup_zone``, so this module stays a pure function and never
opens the database. Membership follows the place hierarchy (海口 after 2025-04-25 is inside the
海南全岛 zone), and the State Council replies it rests on are cited. ``None`` means "not
known" (an unknown or ambiguous place) and makes the answer "unknown" rather than a guess.

A date before 2018-10-01 raises :class:`~cbec_policy.rules.errors.RuleNotApplicableError`
(no invoice-free exemption yet). Deemed CIT exists only from 2020-01-01; for an earlier date
the result says so in ``deemed_cit_note`` and leaves the amounts empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.models import PilotBatch
from cbec_policy.places import ZoneMembership, lookup_place, membership
from cbec_policy.reference import load_pilot_batches, load_pilot_zones
from cbec_policy.rules.citations import Citation, cite, unique
from cbec_policy.rules.errors import RuleNotApplicableError
from cbec_policy.rules.money import money, percent, to_decimal
from cbec_policy.rules.parameters import ParameterSet, load_parameters

ZoneLookup = Callable[[str, date], "ZoneMembership | bool | None"]


@dataclass(frozen=True)
class Condition:
    """One legal condition and whether it holds (None: not known)."""

    code: str
    zh: str
    met: bool | None


@dataclass(frozen=True)
class ExportIncomeResult:
    """Invoice-free exemption eligibility and, where it applies, the deemed CIT."""

    date: date
    zone: str
    invoice_free_eligible: bool | None
    conditions: tuple[Condition, ...]
    deemed_cit_applicable: bool | None
    deemed_cit_note: str
    revenue: Decimal | None
    taxable_income_rate: Decimal | None
    taxable_income: Decimal | None
    cit: Decimal | None
    citations: tuple[Citation, ...]
    explanation_zh: str
    explanation_en: str
    caveats: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The result as a record; amounts stay Decimal (JSON writers emit them as numbers)."""
        return {
            "date": self.date.isoformat(),
            "zone": self.zone,
            "invoice_free_eligible": self.invoice_free_eligible,
            "conditions": [{"code": c.code, "zh": c.zh, "met": c.met} for c in self.conditions],
            "deemed_cit_applicable": self.deemed_cit_applicable,
            "deemed_cit_note": self.deemed_cit_note,
            "revenue": self.revenue,
            "taxable_income_rate": self.taxable_income_rate,
            "taxable_income": self.taxable_income,
            "cit": self.cit,
            "citations": [c.to_dict() for c in self.citations],
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
            "caveats": list(self.caveats),
        }


def _all(values: Sequence[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def deemed_cit(
    taxable_income: Decimal, relief_bands: Sequence[tuple[object | None, object]], standard_rate: Decimal
) -> Decimal:
    """CIT on ``taxable_income``: each relief band ``(upper bound or None, effective rate)`` in turn.

    The income above the last band is taxed at ``standard_rate``.

    E.g. the 2020 small low-profit rule ``[(1_000_000, 0.05)]`` taxes the first million at 25 % × 20 % = 5 %.
    """
    remaining, lower, tax = taxable_income, Decimal(0), Decimal(0)
    for number, (upper, band_rate) in enumerate(relief_bands, start=1):
        band = to_decimal(band_rate, f"relief band {number} rate")
        if not 0 <= band < 1:
            raise InputError(f"relief band {number}", f"rate must be at least 0 and below 1, got {band_rate!r}")
        if upper is None:
            return money(tax + remaining * band)
        top = to_decimal(upper, f"relief band {number} upper bound")
        if top <= lower:
            raise InputError(f"relief band {number}", "upper bounds must increase")
        portion = min(remaining, top - lower)
        tax += portion * band
        remaining -= portion
        lower = top
        if remaining <= 0:
            return money(tax)
    return money(tax + remaining * standard_rate)


def export_income_tax(
    day: date,
    zone: str,
    *,
    zone_lookup: ZoneLookup,
    revenue: object | None = None,
    platform_recorded: bool | None = True,
    declared_at_zone_customs: bool | None = True,
    goods_excluded: bool | None = False,
    has_purchase_invoices: bool = False,
    relief_bands: Sequence[tuple[object | None, object]] = (),
    params: ParameterSet | None = None,
) -> ExportIncomeResult:
    """Whether a retail export from ``zone`` on ``day`` gets 无票免税, and the deemed CIT on ``revenue``."""
    params = params or load_parameters()
    exemption_p = params["invoice_free_exemption"].at(day)  # raises before 2018-10-01
    citations = [exemption_p.citation]
    caveats = ["财税〔2018〕103号的施行日期仅见于二手资料"] if exemption_p.status != "verified" else []
    found = zone_lookup(zone, day)
    zone_answer = found if isinstance(found, ZoneMembership) else ZoneMembership(found, "", ())
    in_zone = zone_answer.covered
    citations.extend(reply_citation(batch) for batch in zone_answer.replies)
    no_excluded = None if goods_excluded is None else not goods_excluded
    conditions = (
        Condition("in_pilot_zone", f"{zone}在{day}是跨境电商综合试验区", in_zone),
        Condition(
            "registered_and_recorded_on_zone_platform",
            "在综试区注册并在线上综合服务平台登记出口信息",
            platform_recorded,
        ),
        Condition("declared_at_zone_customs", "在综试区所在地海关办理电子商务出口申报", declared_at_zone_customs),
        Condition("goods_not_excluded", "出口货物不属于取消出口退（免）税的货物", no_excluded),
        Condition("no_valid_purchase_invoices", "未取得有效进货凭证（无票）", not has_purchase_invoices),
    )
    eligible = _all([c.met for c in conditions])
    if in_zone is None:
        caveats.append(f"未能确定{zone}在{day}是否为综试区 {zone_answer.sentence}".strip())
    if has_purchase_invoices:
        caveats.append("有有效进货凭证时适用财税〔2013〕96号退（免）税")
        citations.append(cite("2013-caishui-96"))

    amount = None if revenue is None else to_decimal(revenue, "revenue")
    if amount is not None and amount < 0:
        raise InputError("revenue", f"must not be negative, got {revenue!r}")
    income_rate = taxable = tax = None
    try:
        cit_p = params["deemed_cit_taxable_income_rate"].at(day)
    except RuleNotApplicableError as exc:
        applicable: bool | None = False
        note = exc.reason
    else:
        citations.append(cit_p.citation)
        applicable = eligible
        note = "" if eligible else "须先符合无票免税条件才适用核定征收"
        income_rate = to_decimal(cit_p.value, "taxable income rate")
        if amount is not None:
            taxable = money(amount * income_rate)
            if not relief_bands:  # the dated relief scale, where the data has it for the year
                try:
                    scale_p = params["small_low_profit_relief_scale"].at(day)
                except RuleNotApplicableError as exc:
                    caveats.append(f"未输入小型微利企业优惠档次：{exc.reason}")
                else:
                    relief_bands = [(band["upper"], band["rate"]) for band in scale_p.value]
                    citations.append(scale_p.citation)
                    caveats.append(f"按{scale_p.start}起的小型微利企业优惠计算（{scale_p.note}）")
            standard_p = params["cit_standard_rate"].at(day)
            bounds = [upper for upper, _ in relief_bands]
            covered = bool(bounds) and (bounds[-1] is None or taxable <= to_decimal(bounds[-1], "relief band"))
            if not covered:  # part of the income is taxed at the statutory rate
                citations.append(standard_p.citation)
                caveats.append("超出优惠档次的部分按法定税率25%计算（该税率不在已核实的资料中，请核对）")
            tax = deemed_cit(taxable, relief_bands, to_decimal(standard_p.value, "cit rate"))
    verdict = {True: "符合", False: "不符合", None: "无法确定"}[eligible]
    zh = f"{day}：{zone} 无票免税条件{verdict}（财税〔2018〕103号）。"
    en = f"{day}: invoice-free VAT/CT exemption for {zone}: {verdict_en(eligible)} (财税〔2018〕103号)."
    if tax is not None and taxable is not None and income_rate is not None and amount is not None:
        base = f"{money(amount)}×{percent(income_rate)} = {taxable}"
        if applicable is True:
            zh += f"核定征收：收入×应税所得率 {base}（应纳税所得额），企业所得税{tax}元。"
            en += f" Deemed CIT: revenue x rate {base} taxable income; CIT {tax}."
        else:  # never shown as payable: the deemed method does not apply
            zh += f"{'不符合' if applicable is False else '无法确定是否符合'}无票免税条件，不适用核定征收。"
            en += " Deemed CIT does not apply (the exemption conditions are not met)."
            caveats.append(f"仅供参考：若符合条件，按核定征收计算的企业所得税为{tax}元，并非应纳税额")
            tax = None
    elif note:
        zh += note
        en += " " + note
    return ExportIncomeResult(
        date=day,
        zone=zone,
        invoice_free_eligible=eligible,
        conditions=conditions,
        deemed_cit_applicable=applicable,
        deemed_cit_note=note,
        revenue=None if amount is None else money(amount),
        taxable_income_rate=income_rate,
        taxable_income=taxable,
        cit=tax,
        citations=tuple(unique(citations)),
        explanation_zh=zh,
        explanation_en=en,
        caveats=tuple(caveats),
    )


def reference_zone_lookup() -> ZoneLookup:
    """A ``zone_lookup`` over the bundled pilot-zone list and the place hierarchy (no database needed)."""
    zones, batches = load_pilot_zones(), load_pilot_batches()

    def lookup(name: str, on: date) -> ZoneMembership:
        return membership(lookup_place(name, on, zones, batches))

    return lookup


def reply_citation(batch: PilotBatch) -> Citation:
    """The State Council reply of a pilot-zone batch as a citation (the replies are not corpus policies)."""
    return Citation(
        policy_id=f"pilot-batch-{batch.batch}",
        doc_number=batch.doc_number,
        title=batch.title,
        publish_date=batch.approval_date,
        effective_date=None,
        in_corpus=False,
        note=f"跨境电商综试区第{batch.batch}批批复 pilot-zone batch {batch.batch}",
    )


def verdict_en(value: bool | None) -> str:
    """'eligible' / 'not eligible' / 'unknown'."""
    return {True: "eligible", False: "not eligible", None: "unknown"}[value]

"""Export return goods (跨境电商出口退运) import-tax exemption.

财政部 海关总署 税务总局公告2023年第4号 (window extended by 2023年第34号 to 2025-12-31;
renewed by 2026年第16号 for 2026-2027): goods exported under 1210/9610/9710/9810 that come
back unsold or returned by the customer, in original state, within 6 months of export (for
1210: of leaving the special zone or B-type centre) are exempt from import tariff, import
VAT and import consumption tax; export duty paid is refunded; food is excluded.

The rules are dated by the **export declaration date**. A date outside 2023-01-30 …
2027-12-31 raises :class:`~cbec_policy.rules.errors.RuleNotApplicableError`. How "within 6
months" counts days is not stated in the sources read: the deadline here is the same day
number six calendar months later (clamped to the month's end), inclusive.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.rules.citations import Citation, unique
from cbec_policy.rules.money import money, to_decimal
from cbec_policy.rules.parameters import ParameterSet, load_parameters
from cbec_policy.rules.retail_import import statutory_taxes

REASONS = {"unsold": "滞销", "customer_return": "退货"}
TAX_LABELS = {"import_tariff": "进口关税", "import_vat": "进口环节增值税", "import_consumption_tax": "进口环节消费税"}


def add_months(day: date, months: int) -> date:
    """Same day number ``months`` later, clamped to the last day of that month (2025-08-31 + 6 → 2026-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReturnGoodsResult:
    """Whether returned export goods are exempt, the deadline, what is exempt, the steps and citations."""

    export_date: date
    code: str
    eligible: bool | None
    failures: tuple[str, ...]
    window_from: date
    window_to: date
    window_source: str  # policy id of the document whose window covers the export date
    deadline_start: date
    return_by: date
    return_date: date | None
    exempt_taxes: tuple[str, ...]
    exempt_amount: Decimal | None
    steps: tuple[str, ...]
    citations: tuple[Citation, ...]
    explanation_zh: str
    explanation_en: str
    caveats: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The result as a record; amounts stay Decimal (JSON writers emit them as numbers)."""
        return {
            "export_date": self.export_date.isoformat(),
            "code": self.code,
            "eligible": self.eligible,
            "failures": list(self.failures),
            "window_from": self.window_from.isoformat(),
            "window_to": self.window_to.isoformat(),
            "window_source": self.window_source,
            "deadline_start": self.deadline_start.isoformat(),
            "return_by": self.return_by.isoformat(),
            "return_date": self.return_date.isoformat() if self.return_date else None,
            "exempt_taxes": list(self.exempt_taxes),
            "exempt_amount": self.exempt_amount,
            "steps": list(self.steps),
            "citations": [c.to_dict() for c in self.citations],
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
            "caveats": list(self.caveats),
        }


def export_return_exemption(
    export_date: date,
    *,
    code: str,
    return_date: date | None = None,
    reason: str = "unsold",
    is_food: bool = False,
    original_state: bool = True,
    used: bool = False,
    defect_needs_trial: bool = False,
    left_zone_date: date | None = None,
    export_refund_received: bool = False,
    value: object | None = None,
    tariff_rate: object = 0,
    vat_rate: object | None = None,
    ct_rate: object = 0,
    params: ParameterSet | None = None,
) -> ReturnGoodsResult:
    """Check the exemption for goods exported on ``export_date`` under supervision ``code``.

    ``value`` (with the goods' import rates; VAT defaults to the standard rate on the return
    date) adds the amount of import tax exempted.
    """
    params = params or load_parameters()
    if reason not in REASONS:
        raise InputError("--reason", f"must be one of {', '.join(REASONS)} (滞销 / 退货), got {reason!r}")
    window_p = params["return_goods_window"].at(export_date)  # raises outside 2023-01-30 … 2027-12-31
    codes_p = params["return_goods_codes"].at(export_date)
    months_p = params["return_goods_deadline_months"].at(export_date)
    taxes_p = params["return_goods_exempt_taxes"].at(export_date)
    excluded_p = params["return_goods_excluded"].at(export_date)
    # The window's own document first; No.16 restates the common rules itself, so 2026 exports cite
    # it alone, while 2024-2025 exports cite No.34 (the window) and No.4 (the rules it kept).
    citations = [window_p.citation, codes_p.citation, months_p.citation, taxes_p.citation, excluded_p.citation]
    caveats: list[str] = ["“6个月”按同日对应月份计算（含当日），原文计法未核实"]
    failures: list[str] = []
    unknown = False
    if code not in codes_p.value:
        failures.append(f"监管方式{code}不在{'/'.join(codes_p.value)}之列")
    if is_food and "food" in excluded_p.value:
        failures.append("食品不适用")
    if not original_state:
        failures.append("未保持原状（有加工、改装或增加部件）")
    if used and not defect_needs_trial:
        failures.append("已使用（且非试用才能发现的质量问题）")
    start = export_date
    if code == "1210":
        if left_zone_date is None:
            caveats.append("1210商品应自出区之日起算6个月，未提供出区日期，暂按出口日期起算")
        else:
            if left_zone_date < export_date:  # goods cannot leave the zone before they were exported
                failures.append(f"出区日期{left_zone_date}早于出口日期{export_date}")
            start = max(left_zone_date, export_date)
    return_by = add_months(start, int(months_p.value))
    if return_date is None:
        unknown = True
        caveats.append(f"须在{return_by}（含）前复运进境")
    elif return_date < export_date:  # a return before the export is no return of exported goods
        failures.append(f"复运进境日期{return_date}早于出口日期{export_date}")
    elif return_date > return_by:
        failures.append(f"超过退运期限{return_by}")
    eligible: bool | None = False if failures else (None if unknown else True)

    steps = ["申报退运，海关核实原状"]
    if export_refund_received:
        steps.insert(
            0,
            "已办理出口退税的，先补缴已退税款，凭《出口货物已补税/未退税证明》申请",
        )
    steps.append("退还出口时已征出口关税")
    steps.append("出口环节增值税、消费税比照内销货物发生退货处理")

    amount = None
    if value is not None:
        goods = to_decimal(value, "value")
        if goods <= 0:
            raise InputError("value", f"must be above 0, got {value!r}")
        on = return_date or export_date
        vat = to_decimal(vat_rate, "vat_rate") if vat_rate is not None else None
        if vat is None:
            vat_p = params["import_vat_standard"].at(on)
            vat = to_decimal(vat_p.value, "vat_rate")
            citations.append(vat_p.citation)
        full = statutory_taxes(goods, to_decimal(tariff_rate, "tariff_rate"), to_decimal(ct_rate, "ct_rate"), vat)
        amount = money(full.tariff) + money(full.consumption_tax) + money(full.vat)

    verdict_zh = {True: "可以免征", False: "不能免征", None: "在期限内复运进境即可免征"}[eligible]
    verdict_en = {True: "exempt", False: "not exempt", None: "exempt if back in time"}[eligible]
    taxes_zh = "、".join(TAX_LABELS.get(t, t) for t in taxes_p.value)
    zh = (
        f"出口申报日期{export_date}（{window_p.citation.doc_number}适用期{window_p.start}至{window_p.end}），"
        f"监管方式{code}，原因{REASONS[reason]}，期限{return_by}：{verdict_zh}{taxes_zh}。"
    )
    en = (
        f"Exported {export_date} under {code} ({REASONS[reason]}), back by {return_by}: {verdict_en} "
        f"({', '.join(taxes_p.value)})."
    )
    if failures:
        zh += "原因：" + "；".join(failures)
    return ReturnGoodsResult(
        export_date=export_date,
        code=code,
        eligible=eligible,
        failures=tuple(failures),
        window_from=window_p.start,  # type: ignore[arg-type]
        window_to=window_p.end,  # type: ignore[arg-type]
        window_source=window_p.source,
        deadline_start=start,
        return_by=return_by,
        return_date=return_date,
        exempt_taxes=tuple(taxes_p.value),
        exempt_amount=amount,
        steps=tuple(steps),
        citations=tuple(unique(citations)),
        explanation_zh=zh,
        explanation_en=en,
        caveats=tuple(caveats),
    )

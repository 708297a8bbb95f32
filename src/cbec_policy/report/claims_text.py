"""The claims in words: each claim's hypothesis, test, interval, sensitivity table and verdict,
in Chinese or English, from the codes and numbers the analysis returns.
"""

from __future__ import annotations

from typing import Any

from cbec_policy.analysis import Claim, ContingencyTest, RobustnessRow, TrendTest
from cbec_policy.i18n import (
    measure_label,
    outcome_label,
    provenance_label,
    reason_label,
    release_label,
    tr,
    variant_label,
    verdict_label,
)
from cbec_policy.report.i18n import NOT_APPLICABLE

RULE = (
    "主检验与敏感性表每一行都得到所述方向 → 支持；部分行一致、部分不一致 → 部分支持（表中标出不一致的行）；"
    "没有一行得到所述方向 → 不支持；主检验数据不足 → 数据不足。无数据的行列出但不参与判定。",
    "The main test and every sensitivity row find the stated direction → supported; some do and some do not → "
    "partly (the table marks the rows that disagree); none does → not supported; too little data for the main "
    "test → not enough data. Rows without data are listed but do not vote.",
)


def _num(value: float | None, digits: int = 3, sign: bool = False) -> str:
    if value is None:
        return NOT_APPLICABLE
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _p(value: float | None) -> str:
    if value is None:
        return NOT_APPLICABLE
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def trend_text(test: TrendTest, lang: str, unit: str = "") -> str:
    """``τ = …, p = … (method); Theil–Sen slope … [CI]; n = …``."""
    if test.outcome == "not_enough_data":
        return tr(f"数据点不足（n = {test.n}）", f"too few points (n = {test.n})", lang)
    ci = round((1 - test.alpha) * 100)
    return (
        f"Mann–Kendall τ = {_num(test.tau, 2)}, p = {_p(test.p)}; "
        + tr("Theil–Sen 斜率 ", "Theil–Sen slope ", lang)
        + f"{_num(test.slope, 4, True)}{unit}, {ci}% CI "
        + f"[{_num(test.slope_low, 4, True)}, {_num(test.slope_high, 4, True)}]"
        + tr(f"；OLS 斜率 {_num(test.ols_slope, 4, True)}", f"; OLS slope {_num(test.ols_slope, 4, True)}", lang)
        + f" [{_num(test.ols_low, 4, True)}, {_num(test.ols_high, 4, True)}]; n = {test.n}"
    )


def contingency_text(test: ContingencyTest, lang: str) -> str:
    """``χ²(df) = …, permutation p = …, Cramér's V = …, n = …``."""
    if test.chi2 is None:
        return tr(f"数据不足（n = {test.n}）", f"not enough data (n = {test.n})", lang)
    fisher = f", Fisher p = {_p(test.p_fisher)}" if test.p_fisher is not None else ""
    return (
        f"χ²({test.dof}) = {test.chi2:.1f}, "
        + tr("置换 p = ", "permutation p = ", lang)
        + f"{_p(test.p_permutation)} ("
        + tr("渐近 p = ", "asymptotic p = ", lang)
        + f"{_p(test.p_asymptotic)}){fisher}, Cramér's V = {_num(test.cramers_v, 2)}, n = {test.n}"
    )


def primary_text(claim: Claim, lang: str) -> str:
    """The main test of a claim in one line."""
    if isinstance(claim.primary, TrendTest):
        return trend_text(claim.primary, lang, tr("/年", "/yr", lang) if claim.key == "content_widening" else "")
    if isinstance(claim.primary, ContingencyTest):
        return contingency_text(claim.primary, lang)
    if claim.key == "pilot_expansion":
        return tr(
            "与论文所述数量逐项比较；在运行综试区数逐批是否下降", "counts compared; zones in force batch by batch", lang
        )
    return tr("与各发布值比较（论文精度内）", "compared with every release (within the paper's rounding)", lang)


def row_text(row: RobustnessRow, lang: str) -> str:
    """A sensitivity row's test in one line."""
    if row.reason:
        return reason_label(row.reason, lang)
    if row.test is not None:
        return trend_text(row.test, lang)
    if "contingency" in row.details:
        return contingency_text(row.details["contingency"], lang)
    return outcome_label(row.outcome, lang)


def sensitivity_rows(claim: Claim, lang: str) -> list[dict[str, str]]:
    """The sensitivity table of one claim: the main test first, then every variant."""
    main = claim.primary.outcome if hasattr(claim.primary, "outcome") else claim.primary
    rows = [
        {
            "variant": tr("主检验", "main test", lang),
            "test": primary_text(claim, lang),
            "outcome": outcome_label(str(main), lang),
            "agrees": "",
        }
    ]
    for row in claim.robustness:
        agrees = (
            tr("不参与", "no vote", lang)
            if row.outcome == "not_enough_data"
            else (tr("✗ 不一致", "✗ disagrees", lang) if row.key in claim.disagree else tr("一致", "agrees", lang))
        )
        rows.append(
            {
                "variant": variant_label(row.key, lang),
                "test": row_text(row, lang),
                "outcome": outcome_label(row.outcome, lang),
                "agrees": agrees,
            }
        )
    return rows


def _wan(value: float) -> str:
    return f"{value / 10000:.2f} 万亿元" if value >= 10000 else f"{value:g} 亿元"


def data_shows(claim: Claim, lang: str) -> str:
    """What the data shows for one claim, in words."""
    n = claim.numbers
    verdict = verdict_label(claim.verdict, lang)
    if claim.key == "content_widening":
        full = n.get("all_themes_year")
        return tr(
            f"窗口内 {n['documents']} 份国家文件；{full} 年起七个主题已全部出现（累计主题数不会下降，不作证据）。"
            f"每份文件的主题数逐年趋势：{primary_text(claim, lang)}。",
            f"{n['documents']} national documents in the window; all seven themes appear by {full} (the cumulative "
            f"count cannot fall and is not evidence). Themes per document by year: {primary_text(claim, lang)}.",
            lang,
        )
    if claim.key == "pilot_expansion":
        series = " → ".join(str(v) for v in n["in_force_series"])
        return tr(
            f"{n['as_of']} 在运行 {n['zones_on_paper_date']} 个、覆盖 {n['provinces_on_paper_date']} 个省区市、"
            f"共 {n['batches_on_paper_date']} 批（其中待核实 {n['candidate_zones']} 个）；各批后在运行 {series}"
            f"（可因撤销而下降）；目前累计获批 {n['approved_now']} 个、在运行 {n['in_force_now']} 个。",
            f"On {n['as_of']}: {n['zones_on_paper_date']} zones in force in {n['provinces_on_paper_date']} provinces "
            f"from {n['batches_on_paper_date']} batches ({n['candidate_zones']} candidates); in force after each "
            f"batch {series} (revocations can lower it); {n['approved_now']} "
            f"approved, {n['in_force_now']} in force now.",
            lang,
        )
    if claim.key == "regional_balance":
        first, last = n["first"], n["last"]
        return tr(
            f"第 {first['batch']} 批后观测泰尔指数 {first['theil']:.3f}，"
            f"按比例分配的期望值 {first['expected_null']:.3f}，"
            f"校正后 {first['corrected']:+.3f}；第 {last['batch']} 批后 "
            f"{last['theil']:.3f} / {last['expected_null']:.3f} / "
            f"{last['corrected']:+.3f}；校正值在第 {n['peak_corrected_batch']} "
            f"批最高。主检验：{primary_text(claim, lang)}。"
            "衡量的是综试区设在哪里，不是各地跨境电商的发展水平。",
            f"After batch {first['batch']}: observed Theil {first['theil']:.3f}, expected under proportional "
            f"allocation {first['expected_null']:.3f}, corrected "
            f"{first['corrected']:+.3f}; after batch {last['batch']}: "
            f"{last['theil']:.3f} / {last['expected_null']:.3f} / {last['corrected']:+.3f}; the corrected value peaks "
            f"at batch {n['peak_corrected_batch']}. Main test: {primary_text(claim, lang)}. This measures where zones "
            "were placed, not how CBEC developed.",
            lang,
        )
    if claim.key == "local_differentiation":
        none = "、".join(n["provinces_without"]) if lang == "zh" else ", ".join(n["provinces_without"])
        dated = [r for r in n["lags"] if r["lag_days"] is not None]
        median = sorted(r["lag_days"] for r in dated)[len(dated) // 2] if dated else None
        return tr(
            f"{n['documents']} 份地方文件、{n['provinces_with_documents']} "
            f"个省级地区；数据中没有地方文件的省份：{none or '无'}。"
            f"区域 × 侧重点：{primary_text(claim, lang)}。{n['zones']} "
            f"个综试区中 {n['zones_with_plan']} 个在数据中有实施方案，"
            f"有日期者 {len(dated)} 个，获批到方案印发的中位滞后 {median if median is not None else '未知'} 天。",
            f"{n['documents']} local documents from {n['provinces_with_documents']} provinces; provinces with no local "
            f"document in the data: {none or 'none'}. Region × focus: {primary_text(claim, lang)}. Of {n['zones']} "
            f"zones, {n['zones_with_plan']} have an implementation plan in the data, {len(dated)} dated; median lag "
            f"from approval to plan {median if median is not None else 'unknown'} days.",
            lang,
        )
    if claim.key == "period_theme_mix":
        return tr(
            f"论文三个节点（2015 / 2016–2020 / 2021–）的主题结构：{primary_text(claim, lang)}。",
            f"Theme mix across the paper's nodes (2015 / 2016–2020 / 2021–): {primary_text(claim, lang)}.",
            lang,
        )
    if claim.key == "trade_impact":
        return (
            tr(
                f"{n.get('first_year')} 年 {n.get('first_total')} 亿元 "
                f"→ {n.get('last_year')} 年 {n.get('last_total')} 亿元"
                f"（两者发布不同，不计算增速）；同期在运行综试区 {n.get('zones_then')} → {n.get('zones_now')} 个。"
                + reason_label("no_comparison_group", lang)
                + "。",
                f"{n.get('first_total')} in {n.get('first_year')} → {n.get('last_total')} in {n.get('last_year')} "
                "(different releases: no growth computed); zones in "
                f"force {n.get('zones_then')} → {n.get('zones_now')}. "
                + reason_label("no_comparison_group", lang)
                + ".",
                lang,
            )
            if n.get("first_year")
            else reason_label(n.get("reason", ""), lang)
        )
    return _trade_text(claim, lang, verdict)


def _trade_text(claim: Claim, lang: str, verdict: str) -> str:
    n = claim.numbers
    parts = []
    for release in n.get("releases", []):
        mark = provenance_label(release["provenance"], lang)
        when = f"{release['published']} " if release.get("published") else ""
        growth = (
            f"{release['yoy_pct']:+.1f}%" if release["yoy_pct"] is not None else tr("增速未知", "growth unknown", lang)
        )
        name = release_label(release["release"], lang)
        parts.append(f"{when}{name} {release['value']:g}（{growth}，{mark}）")
    text = "；".join(parts) if lang == "zh" else "; ".join(parts)
    if n.get("as_published"):
        revised = n["revised_to"]
        text += tr(
            f"。按发布时（{n.get('matched_published') or '未知'}）的数值支持；后修订为 {_wan(revised['value'])}，"
            f"增长 {revised['yoy_pct']:.1f}%",
            f". Supported as published ({n.get('matched_published') or 'unknown'}); later revised to "
            f"{revised['value'] / 10000:.2f} trillion yuan, {revised['yoy_pct']:+.1f}%",
            lang,
        )
    if n.get("reason"):
        text += tr("。", ". ", lang) + reason_label(n["reason"], lang)
    return text + tr("。", ".", lang)


def hypothesis_text(claim: Claim, lang: str) -> str:
    """The claim as stated: the paper's words, then the measure, window and threshold."""
    spec = claim.spec
    if "measure" not in spec or "quote" not in spec:
        return NOT_APPLICABLE
    window = spec.get("window") or {}
    span = "–".join(str(window.get(k) or "") for k in ("start", "end")) if "start" in window else ""
    if "start_batch" in window:
        span = tr(f"第 {window['start_batch']} 批起", f"from batch {window['start_batch']}", lang)
    return tr(
        f"“{spec['quote']}”｜假设：{spec.get('hypothesis_zh', '')}｜度量：{spec.get('measure_zh', '')}"
        f"｜窗口：{span or '全部'}｜检验：{spec.get('test_zh', '')}｜阈值：{spec.get('threshold_zh', '')}",
        f'"{spec["quote"]}" | hypothesis: {spec.get("hypothesis", "")} | measure: {spec.get("measure", "")} | '
        f"window: {span or 'all'} | test: {spec.get('test', '')} | threshold: {spec.get('threshold', '')}",
        lang,
    )


def paper_says(claim: Claim, lang: str) -> str:
    """What the paper says, as quoted (trade figures: the figure as printed)."""
    spec = claim.spec
    if "quote" in spec:
        return f"“{spec['quote']}”"
    half = tr("上半年", "H1 ", lang) if spec.get("period") == "H1" else ""
    when = tr(f"{spec.get('year')} 年{half}", f"{half}{spec.get('year')}", lang)
    measure = measure_label(str(spec["measure"]), lang) if spec.get("measure") else ""
    growth = (
        tr(f"，增长 {spec['yoy_pct']}%", f", {spec['yoy_pct']:+.1f}%", lang) if spec.get("yoy_pct") is not None else ""
    )
    return f"{when}{tr('跨境电商', ' CBEC ', lang)}{measure} {spec.get('value_text', spec.get('value'))}{growth}"


def verdict_text(claim: Claim, lang: str) -> str:
    """The verdict, with "as published" and the later revision when a figure was revised."""
    label = verdict_label(claim.verdict, lang)
    if not claim.numbers.get("as_published"):
        return label
    revised = claim.numbers["revised_to"]
    return tr(
        f"{label}（按发布时：{claim.numbers.get('matched_published')}）；后修订为 {revised['value'] / 10000:.2f} 万亿，"
        f"+{revised['yoy_pct']:.1f} %",
        f"{label} as published ({claim.numbers.get('matched_published')}); later revised to "
        f"{revised['value'] / 10000:.2f} 万亿, +{revised['yoy_pct']:.1f} %",
        lang,
    )


def claim_summary(claim: Claim, lang: str) -> dict[str, Any]:
    """One claims-table row: section, paper says, hypothesis, main test, data shows, verdict."""
    return {
        "section": claim.section,
        "paper_says": paper_says(claim, lang),
        "hypothesis": hypothesis_text(claim, lang),
        "test": primary_text(claim, lang),
        "data_shows": data_shows(claim, lang),
        "verdict": verdict_text(claim, lang),
        "disagree": ", ".join(variant_label(k, lang) for k in claim.disagree) or NOT_APPLICABLE,
    }

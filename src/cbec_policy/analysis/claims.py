""" "Paper says / data shows": the paper's four characteristics (§3.2) and trade figures (§4.1.3)
recomputed from the data, each with a verdict decided by a stated rule.

A verdict is one of ``supported``, ``partly``, ``not_supported`` or ``not_enough_data``. The rule
behind each verdict is returned with it, so a reader can disagree with the rule rather than
with a hidden judgement. What changed after the paper (new pilot batch and revocations,
extended tax windows, revised trade figures, later documents) is computed, not written by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from statistics import median
from typing import Any

from cbec_policy.analysis._data import data_path, read_yaml
from cbec_policy.analysis.evolution import linear_slope, theme_widening
from cbec_policy.analysis.local import local_differentiation
from cbec_policy.analysis.pilots import batch_progress, region_shares_cumulative, zones_in_force
from cbec_policy.analysis.trade import RELEASE_LABELS, RELEASE_RANK, trade_series, value_of, yoy_of
from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError, ReferenceDataError
from cbec_policy.labels import RELATION_ZH, THEMES
from cbec_policy.models import PilotBatch, PilotZone, Policy, TradeStat

VERDICTS: dict[str, tuple[str, str]] = {
    "supported": ("支持", "supported"),
    "partly": ("部分支持", "partly supported"),
    "not_supported": ("不支持", "not supported"),
    "not_enough_data": ("数据不足", "not enough data"),
}
_MEASURE_LABELS = {"total": ("进出口总额", "total trade"), "export": ("出口", "exports"), "import": ("进口", "imports")}
_LATER_ACTIONS = ("amends", "extends", "replaces", "supplements")
_THEME_ZH = {label.code: label.zh for label in THEMES}


@dataclass(frozen=True)
class Claim:
    """One claim of the paper set against the numbers computed here."""

    key: str
    section: str
    paper_says_zh: str
    paper_says_en: str
    data_shows_zh: str
    data_shows_en: str
    verdict: str
    rule_zh: str
    rule_en: str
    numbers: dict[str, Any] = field(default_factory=dict)
    since_paper_zh: tuple[str, ...] = ()
    since_paper_en: tuple[str, ...] = ()


@cache
def _bundled_claims() -> dict[str, Any]:
    return read_yaml(data_path("paper_claims.yaml"))


def load_paper_claims(path: Path | None = None) -> dict[str, Any]:
    """The paper's stated numbers (``paper_claims.yaml`` or a file of the same shape)."""
    data = _bundled_claims() if path is None else read_yaml(path)
    for key in ("pilot_zones", "trade_figures"):
        if key not in data:
            raise ReferenceDataError("paper_claims.yaml", None, key, "section is missing")
    return data


def paper_cutoff(policies: Sequence[Policy]) -> date | None:
    """The latest date in the paper's Table 1: documents after it are news to the paper."""
    days = []
    for policy in policies:
        if policy.paper is not None and policy.paper.date_text:
            try:
                days.append(parse_date(policy.paper.date_text, f"{policy.id} paper date"))
            except InputError:
                continue
    return max(days) if days else None


def _as_date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    return parse_date(str(value), where)


# --------------------------------------------------------------------------- ① content widens


def claim_content_widening(policies: Sequence[Policy]) -> Claim:
    """§3.2 ①: policy content keeps widening — cumulative distinct themes and the trend of diversity."""
    rows = theme_widening(policies)
    rule_zh = (
        "累计主题数从首年到末年增加且每年主题多样性（香农指数，仅计≥2份文件的年份）趋势不降 → 支持；"
        "累计主题增加但多样性趋势下降 → 部分支持；累计主题不增 → 不支持。"
    )
    rule_en = (
        "Cumulative distinct themes rise from the first to the last year and the yearly Shannon diversity "
        "(years with ≥2 documents) does not trend down → supported; themes rise but diversity trends down → "
        "partly; no rise in themes → not supported."
    )
    common = {
        "key": "content_widening",
        "section": "§3.2 ①",
        "paper_says_zh": "政策内容从早期少数环节逐步扩展到税收、监管、金融、物流、知识产权、标准等更多方面，"
        "越来越综合。",
        "paper_says_en": "Policy content grows from a few early links into a comprehensive set covering tax, "
        "supervision, finance, logistics, intellectual property, standards and more.",
        "rule_zh": rule_zh,
        "rule_en": rule_en,
    }
    if not rows or not any(row["themes_this_year"] for row in rows):
        return Claim(
            **common,
            data_shows_zh="没有带主题标注且有日期的政策。",
            data_shows_en="No dated policy carries themes.",
            verdict="not_enough_data",
        )
    first, last = rows[0], rows[-1]
    full = next((row["year"] for row in rows if row["cumulative_themes"] == len(THEMES)), None)
    slope = linear_slope([(row["year"], row["shannon"]) for row in rows if row["policies"] >= 2])
    rising = last["cumulative_themes"] > first["cumulative_themes"]
    if not rising:
        verdict = "not_supported"
    elif slope is not None and slope < 0:
        verdict = "partly"
    else:
        verdict = "supported"
    slope_text = "n/a" if slope is None else f"{slope:+.3f}"
    full_zh = f"{full} 年覆盖全部 {len(THEMES)} 个主题" if full else f"截至 {last['year']} 年仍未覆盖全部主题"
    full_en = f"all {len(THEMES)} themes are covered by {full}" if full else "not all themes are covered yet"
    return Claim(
        **common,
        data_shows_zh=(
            f"{first['year']} 年累计 {first['cumulative_themes']} 个主题，{last['year']} 年累计 "
            f"{last['cumulative_themes']} 个；{full_zh}；此后新增的是政策类型（累计 {last['cumulative_types']} 类）"
            f"与文件数量。每年主题多样性趋势斜率 {slope_text}/年。"
        ),
        data_shows_en=(
            f"{first['cumulative_themes']} themes in {first['year']}, {last['cumulative_themes']} by {last['year']}; "
            f"{full_en}; after that the corpus widens by type ({last['cumulative_types']} types) and volume. "
            f"Trend of yearly theme diversity: {slope_text} per year."
        ),
        verdict=verdict,
        numbers={
            "first_year": first["year"],
            "first_year_themes": first["cumulative_themes"],
            "last_year": last["year"],
            "last_year_themes": last["cumulative_themes"],
            "all_themes_year": full,
            "cumulative_types": last["cumulative_types"],
            "shannon_slope_per_year": None if slope is None else round(slope, 4),
        },
    )


# --------------------------------------------------------------------------- ② pilots expand


def claim_pilot_expansion(
    batches: Sequence[PilotBatch], zones: Sequence[PilotZone], paper: dict[str, Any], cutoff: date | None
) -> Claim:
    """§3.2 ②: pilot zones keep expanding — 7 batches, 165 zones, 31 provinces by the end of 2022."""
    stated = paper["pilot_zones"]
    as_of = _as_date(stated["as_of"], "paper_claims.yaml pilot_zones.as_of")
    common = {
        "key": "pilot_expansion",
        "section": str(stated.get("section", "§3.2 ②")),
        "paper_says_zh": f"试点布局不断扩大：截至 {as_of.year} 年底分 {stated['batches']} 批设立 {stated['zones']} "
        "个综试区，"
        f"覆盖 {stated['provinces']} 个省区市。",
        "paper_says_en": f"Pilot coverage keeps growing: by the end of {as_of.year}, {stated['batches']} batches had "
        f"set up {stated['zones']} zones across {stated['provinces']} provinces.",
        "rule_zh": "在运行综试区数与覆盖省份数与论文一致，且各批次后累计获批数单调增加 → 支持；数量不符 → 部分支持；"
        "无批次数据 → 数据不足。",
        "rule_en": "Zones and provinces in force on the paper's date match the paper and cumulative approvals never "
        "fall → supported; counts differ → partly; no batch data → not enough data.",
    }
    if not batches or not zones:
        return Claim(
            **common, data_shows_zh="没有综试区数据。", data_shows_en="No pilot-zone data.", verdict="not_enough_data"
        )
    progress = batch_progress(batches, zones)
    in_force = zones_in_force(zones, as_of)
    provinces = len({z.province for z in in_force})
    batch_count = sum(1 for b in batches if b.approval_date <= as_of)
    approved = [int(row["cumulative_approved"]) for row in progress]
    monotone = all(later >= earlier for earlier, later in itertools.pairwise(approved))
    matches = len(in_force) == stated["zones"] and provinces == stated["provinces"] and batch_count == stated["batches"]
    verdict = "supported" if matches and monotone else "partly"
    last = progress[-1]
    series = " → ".join(str(n) for n in approved)
    since_zh, since_en = [], []
    for row in progress:
        if cutoff is not None and row["approval_date"] > cutoff:
            since_zh.append(
                f"第 {row['batch']} 批（{row['doc_number']}，{row['approval_date']}）新增 {row['new_zones']} 个，"
                f"同时撤销 {row['revoked']} 个，累计获批 {row['cumulative_approved']} 个、在运行 {row['in_force']} 个。"
            )
            since_en.append(
                f"Batch {row['batch']} ({row['doc_number']}, {row['approval_date']}) added {row['new_zones']} zones "
                "and "
                f"revoked {row['revoked']}: {row['cumulative_approved']} approved, {row['in_force']} in force."
            )
    return Claim(
        **common,
        data_shows_zh=f"{as_of} 在运行 {len(in_force)} 个、覆盖 {provinces} 个省区市、共 {batch_count} 批；"
        f"各批后累计获批 {series}；目前在运行 {last['in_force']} 个。",
        data_shows_en=f"On {as_of}: {len(in_force)} zones in force in {provinces} provinces from {batch_count} "
        "batches; "
        f"cumulative approvals {series}; {last['in_force']} in force now.",
        verdict=verdict,
        numbers={
            "zones_on_paper_date": len(in_force),
            "provinces_on_paper_date": provinces,
            "batches_on_paper_date": batch_count,
            "cumulative_approved": approved,
            "approved_now": last["cumulative_approved"],
            "in_force_now": last["in_force"],
        },
        since_paper_zh=tuple(since_zh),
        since_paper_en=tuple(since_en),
    )


# --------------------------------------------------------------------------- ③ regions balance


def claim_regional_balance(batches: Sequence[PilotBatch], zones: Sequence[PilotZone]) -> Claim:
    """§3.2 ③: regions move toward balance — Theil index of zones against provinces, batch by batch."""
    common = {
        "key": "regional_balance",
        "section": "§3.2 ③",
        "paper_says_zh": "在政策引导下，东中西部在跨境电商上的差距逐步缩小，区域发展趋向平衡。",
        "paper_says_en": "Guided by policy, the gap between eastern, central and western regions narrows and "
        "development moves toward regional balance.",
        "rule_zh": "以累计在运行综试区对各区域省份数的泰尔指数衡量（0=与省份数成比例）："
        "从首个≥10个综试区的批次到最新批次下降，且下降的批次多于上升的 → 支持；总体下降但上升批次不少于下降批次 "
        "→ 部分支持；未下降 → 不支持。",
        "rule_en": "Theil index of zones in force against each region's number of provinces (0 = proportional): "
        "lower at the latest batch than at the first batch with ≥10 zones, with more falls than rises → "
        "supported; lower overall but as many rises as falls → partly; not lower → not supported.",
    }
    rows = [row for row in region_shares_cumulative(batches, zones) if int(row["zones"]) >= 10]
    if len(rows) < 2:
        return Claim(
            **common,
            data_shows_zh="综试区批次太少，无法看出趋势。",
            data_shows_en="Too few batches to see a trend.",
            verdict="not_enough_data",
        )
    theils = [float(row["theil"]) for row in rows]
    falls = sum(1 for a, b in itertools.pairwise(theils) if b < a)
    rises = sum(1 for a, b in itertools.pairwise(theils) if b > a)
    if theils[-1] >= theils[0]:
        verdict = "not_supported"
    elif falls > rises:
        verdict = "supported"
    else:
        verdict = "partly"
    first, last = rows[0], rows[-1]
    ratio = (
        round(float(last["east_per_province"]) / float(last["west_per_province"]), 2)
        if last["west_per_province"]
        else None
    )
    return Claim(
        **common,
        data_shows_zh=(
            f"泰尔指数从第 {first['batch']} 批后的 {theils[0]:.3f} 降到第 {last['batch']} 批后的 {theils[-1]:.3f}"
            f"（{falls} 次下降、{rises} 次上升）；东部占比 {float(first['east_share']):.1%} → "
            f"{float(last['east_share']):.1%}。"
            f"但每省平均综试区数东部 {last['east_per_province']} 个、西部 {last['west_per_province']} 个，差距仍为 "
            f"{ratio} 倍。"
        ),
        data_shows_en=(
            f"The Theil index fell from {theils[0]:.3f} after batch {first['batch']} to {theils[-1]:.3f} after batch "
            f"{last['batch']} ({falls} falls, {rises} rises); the east's share went from "
            f"{float(first['east_share']):.1%} "
            f"to {float(last['east_share']):.1%}. Yet an eastern province hosts {last['east_per_province']} zones on "
            f"average against {last['west_per_province']} in the west, {ratio} times as many."
        ),
        verdict=verdict,
        numbers={
            "theil_series": dict(zip([row["batch"] for row in rows], theils, strict=True)),
            "east_share_first": first["east_share"],
            "east_share_last": last["east_share"],
            "east_to_west_per_province": ratio,
        },
    )


# --------------------------------------------------------------------------- ④ local differentiation


def claim_local_differentiation(policies: Sequence[Policy]) -> Claim:
    """§3.2 ④: local policies differ by place — needs local documents; says so when there are none."""
    result = local_differentiation(policies)
    common = {
        "key": "local_differentiation",
        "section": "§3.2 ④",
        "paper_says_zh": "在全国统一框架下，各地结合自身条件制定差异化的跨境电商政策（如沿海侧重物流与航线，"
        "内陆侧重通道与周边合作）。",
        "paper_says_en": "Within one national framework, localities tailor their CBEC policies to local conditions "
        "(ports stress logistics and routes; inland areas stress corridors and neighbours).",
        "rule_zh": "有≥3份带主题文件的省份与全国主题结构的余弦距离中位数 ≥0.10 → 支持；0.03–0.10 → 部分支持；<0.03 → "
        "不支持；没有地方文件 → 数据不足。",
        "rule_en": "Median cosine distance between national and provincial theme profiles (provinces with ≥3 themed "
        "documents) ≥0.10 → supported; 0.03–0.10 → partly; <0.03 → not supported; no local documents → "
        "not enough data.",
    }
    if not result.available:
        return Claim(
            **common,
            data_shows_zh=result.message_zh,
            data_shows_en=result.message_en,
            verdict="not_enough_data",
            numbers={"local_documents": result.local_count},
        )
    distances = [
        float(row["cosine_distance"])
        for row in result.rows
        if row["enough_documents"] and row["cosine_distance"] is not None
    ]
    middle = median(distances)
    verdict = "supported" if middle >= 0.10 else "partly" if middle >= 0.03 else "not_supported"
    return Claim(
        **common,
        data_shows_zh=f"{result.message_zh} 余弦距离中位数 {middle:.3f}。",
        data_shows_en=f"{result.message_en} Median cosine distance {middle:.3f}.",
        verdict=verdict,
        numbers={
            "local_documents": result.local_count,
            "provinces_compared": len(distances),
            "median_distance": round(middle, 4),
        },
    )


# --------------------------------------------------------------------------- §4.1.3 trade figures


def _close(value: float | None, stated: float, tolerance: float) -> bool:
    return value is not None and abs(value - stated) <= tolerance + 1e-9


def claim_trade_figure(figure: dict[str, Any], stats: Sequence[TradeStat]) -> Claim:
    """One trade figure of §4.1.3 against every release of the same year and period."""
    year, period, measure = int(figure["year"]), str(figure["period"]), str(figure["measure"])
    stated_value, stated_yoy = float(figure["value"]), figure.get("yoy_pct")
    tolerance = float(figure.get("precision", 1)) / 2
    when_zh = f"{year} 年" + ("上半年" if period == "H1" else "")
    when_en = f"{'H1 ' if period == 'H1' else ''}{year}"
    measure_zh, measure_en = _MEASURE_LABELS[measure]
    yoy_zh = f"，增长 {stated_yoy}%" if stated_yoy is not None else ""
    yoy_en = f", up {stated_yoy}%" if stated_yoy is not None else ""
    common = {
        "key": str(figure["key"]),
        "section": str(figure.get("section", "§4.1.3")),
        "paper_says_zh": f"{when_zh}跨境电商{measure_zh} {figure.get('value_text', stated_value)}{yoy_zh}。",
        "paper_says_en": f"{when_en} CBEC {measure_en}: {stated_value:g} (100 million yuan){yoy_en}.",
        "rule_zh": "与最新（最权威）发布值在论文精度内一致 → 支持；只与被修订前的初步数一致 → 部分支持；"
        "与所有发布值都不一致 → 不支持；无该期数据 → 数据不足。",
        "rule_en": "Matches the latest (most authoritative) release within the paper's rounding → supported; matches "
        "only a superseded preliminary release → partly; matches no release → not supported; no release → "
        "not enough data.",
    }
    releases = sorted(
        (s for s in stats if s.year == year and s.period == period and value_of(s, measure) is not None),
        key=lambda s: RELEASE_RANK.get(s.release, 0),
        reverse=True,
    )
    if not releases:
        return Claim(
            **common,
            data_shows_zh=f"参考数据中没有{when_zh}{measure_zh}的发布值。",
            data_shows_en=f"The reference data has no release of {when_en} {measure_en}.",
            verdict="not_enough_data",
        )

    def agrees(stat: TradeStat) -> bool:
        published = yoy_of(stat, measure)
        yoy_ok = stated_yoy is None or published is None or _close(published, float(stated_yoy), 0.05)
        return _close(value_of(stat, measure), stated_value, tolerance) and yoy_ok

    latest = releases[0]
    if agrees(latest):
        verdict = "supported"
    elif any(agrees(s) for s in releases[1:]):
        verdict = "partly"
    else:
        verdict = "not_supported"
    parts_zh, parts_en = [], []
    for stat in releases:
        label_zh, label_en = RELEASE_LABELS.get(stat.release, (stat.release, stat.release))
        published = yoy_of(stat, measure)
        growth_zh = f"，增长 {published}%" if published is not None else "，增速未知"
        growth_en = f", growth {published}%" if published is not None else ", growth unknown"
        parts_zh.append(f"{label_zh} {value_of(stat, measure):g} 亿元{growth_zh}")
        parts_en.append(f"{label_en} {value_of(stat, measure):g}{growth_en}")
    numbers: dict[str, Any] = {
        "releases": {s.release: value_of(s, measure) for s in releases},
        "latest_release": latest.release,
    }
    computed = _computed_growth(stats, year, period, measure, latest)
    if computed is not None:
        numbers["computed_yoy_pct"] = computed
        parts_zh.append(f"按上年最新发布值计算增长 {computed}%")
        parts_en.append(f"growth computed against the previous year's latest release: {computed}%")
    since_zh, since_en = [], []
    if verdict == "partly":
        since_zh.append(
            f"{when_zh}{measure_zh}已由{RELEASE_LABELS[latest.release][0]}修订为 {value_of(latest, measure):g} 亿元。"
        )
        since_en.append(
            f"{when_en} {measure_en} was revised by the {RELEASE_LABELS[latest.release][1]} release to "
            f"{value_of(latest, measure):g}."
        )
    return Claim(
        **common,
        data_shows_zh="；".join(parts_zh) + "。",
        data_shows_en="; ".join(parts_en) + ".",
        verdict=verdict,
        numbers=numbers,
        since_paper_zh=tuple(since_zh),
        since_paper_en=tuple(since_en),
    )


def _computed_growth(
    stats: Sequence[TradeStat], year: int, period: str, measure: str, latest: TradeStat
) -> float | None:
    previous = sorted(
        (s for s in stats if s.year == year - 1 and s.period == period and value_of(s, measure) is not None),
        key=lambda s: RELEASE_RANK.get(s.release, 0),
        reverse=True,
    )
    if not previous or not previous[0].comparable_series or not latest.comparable_series:
        return None
    base, current = value_of(previous[0], measure), value_of(latest, measure)
    if not base or current is None:
        return None
    return round((current / base - 1) * 100, 1)


def claim_trade_impact(stats: Sequence[TradeStat], batches: Sequence[PilotBatch], zones: Sequence[PilotZone]) -> Claim:
    """§4.1.3's causal reading ("policy drives trade"): growth and expansion coincide, which cannot show cause."""
    # releases of unknown standing (e.g. a projection quoted second-hand) are left out of a trend
    series = [
        row
        for row in trade_series([s for s in stats if s.release != "unknown"])
        if row["comparable_series"] and row["total"] is not None
    ]
    common = {
        "key": "trade_impact",
        "section": "§4.1.3",
        "paper_says_zh": "跨境电商政策显著促进了我国对外贸易增长。",
        "paper_says_en": "CBEC policy has markedly promoted the growth of China's foreign trade.",
        "rule_zh": "因果判断需要对照组或政策前后可比的数据；仅有同期增长 → 数据不足。",
        "rule_en": "A causal verdict needs a comparison group or comparable before/after data; growth that merely "
        "coincides with policy → not enough data.",
    }
    if len(series) < 2:
        return Claim(
            **common,
            data_shows_zh="可比的贸易数据不足两年。",
            data_shows_en="Fewer than two comparable years.",
            verdict="not_enough_data",
        )
    first, last = series[0], series[-1]
    years = last["year"] - first["year"]
    cagr = round(((last["total"] / first["total"]) ** (1 / years) - 1) * 100, 1) if years > 0 else None
    zones_then = len(zones_in_force(zones, date(first["year"], 12, 31)))
    zones_now = len(zones_in_force(zones, date(last["year"], 12, 31)))
    return Claim(
        **common,
        data_shows_zh=f"可比口径下进出口 {first['year']} 年 {first['total']:g} 亿元 → {last['year']} 年 "
        f"{last['total']:g} 亿元"
        f"（年均增长 {cagr}%）；同期在运行综试区 {zones_then} → {zones_now} 个。两者同步增长，但数据中没有对照组，"
        "不能说明因果。",
        data_shows_en=f"Comparable series: {first['total']:g} in {first['year']} → {last['total']:g} in {last['year']} "
        f"(compound growth {cagr}% a year); zones in force {zones_then} → {zones_now}. They grew together, but "
        "without a comparison group this does not show cause.",
        verdict="not_enough_data",
        numbers={
            "first_year": first["year"],
            "last_year": last["year"],
            "cagr_pct": cagr,
            "zones_then": zones_then,
            "zones_now": zones_now,
        },
    )


# --------------------------------------------------------------------------- all claims and later changes


def evaluate_claims(
    policies: Sequence[Policy],
    zones: Sequence[PilotZone],
    batches: Sequence[PilotBatch],
    stats: Sequence[TradeStat],
    paper: dict[str, Any] | None = None,
) -> list[Claim]:
    """Every claim in report order: §3.2 ①–④, then each §4.1.3 trade figure and the causal reading."""
    data = paper or load_paper_claims()
    cutoff = paper_cutoff(policies) or _as_date(data["pilot_zones"]["as_of"], "pilot_zones.as_of")
    claims = [
        claim_content_widening(policies),
        claim_pilot_expansion(batches, zones, data, cutoff),
        claim_regional_balance(batches, zones),
        claim_local_differentiation(policies),
    ]
    claims.extend(claim_trade_figure(figure, stats) for figure in data["trade_figures"])
    claims.append(claim_trade_impact(stats, batches, zones))
    return claims


def changes_since_paper(
    policies: Sequence[Policy],
    zones: Sequence[PilotZone],
    batches: Sequence[PilotBatch],
    stats: Sequence[TradeStat],
    paper: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """What the paper could not know: later documents and what they change, revocations, revised figures."""
    data = paper or load_paper_claims()
    cutoff = paper_cutoff(policies) or _as_date(data["pilot_zones"]["as_of"], "pilot_zones.as_of")
    by_id = {p.id: p for p in policies}
    rows: list[dict[str, Any]] = []
    later = [p for p in policies if p.publish_date and p.publish_date > cutoff and p.paper is None]
    for policy in sorted(later, key=lambda p: (p.publish_date, p.id)):
        actions = [r for r in policy.relations if r.kind in _LATER_ACTIONS and r.target_id in by_id]
        for relation in actions:
            target = by_id[relation.target_id]
            in_table = "（论文表1）" if target.paper is not None else ""
            rows.append(
                {
                    "date": policy.publish_date,
                    "kind": "document",
                    "policy_id": policy.id,
                    "what_zh": f"{policy.doc_number or policy.title} {RELATION_ZH.get(relation.kind, relation.kind)} "
                    f"{target.doc_number or target.title}{in_table}"
                    + (f"，适用至 {policy.end_date}" if policy.end_date else ""),
                    "what_en": f"{policy.doc_number or policy.title} {relation.kind.replace('_', ' ')} "
                    f"{target.doc_number or target.title}"
                    + (" (paper's Table 1)" if target.paper else "")
                    + (f", applies until {policy.end_date}" if policy.end_date else ""),
                }
            )
        if not actions:
            rows.append(
                {
                    "date": policy.publish_date,
                    "kind": "document",
                    "policy_id": policy.id,
                    "what_zh": f"新文件：{policy.title}" + (f"（{policy.doc_number}）" if policy.doc_number else ""),
                    "what_en": f"New document: {policy.doc_number or policy.id}",
                }
            )
    for zone in sorted((z for z in zones if z.revoked_date and z.revoked_date > cutoff), key=lambda z: z.revoked_date):
        rows.append(
            {
                "date": zone.revoked_date,
                "kind": "revocation",
                "policy_id": "",
                "what_zh": f"撤销综试区：{zone.zone_name}（第 {zone.batch} 批设立，依据 {zone.revoked_by or '未知'}）",
                "what_en": f"Pilot zone revoked: {zone.zone_name} (batch {zone.batch}; by "
                f"{zone.revoked_by or 'unknown'})",
            }
        )
    quoted = {(int(f["year"]), str(f["period"])) for f in data["trade_figures"]}
    for stat in stats:
        if (stat.year, stat.period) in quoted and stat.release == "survey":
            rows.append(
                {
                    "date": None,
                    "kind": "trade_revision",
                    "policy_id": "",
                    "what_zh": f"{stat.year} 年{'上半年' if stat.period == 'H1' else '全年'}统计调查数："
                    f"{stat.total:g} 亿元"
                    + (f"，增长 {stat.total_yoy_pct}%" if stat.total_yoy_pct is not None else ""),
                    "what_en": f"{'H1 ' if stat.period == 'H1' else ''}{stat.year} survey figure: {stat.total:g}"
                    + (f", growth {stat.total_yoy_pct}%" if stat.total_yoy_pct is not None else ""),
                }
            )
    return rows


def verdict_label(verdict: str, lang: str = "zh") -> str:
    """Readable verdict in Chinese or English."""
    zh, en = VERDICTS.get(verdict, (verdict, verdict))
    return zh if lang == "zh" else en


def theme_label(code: str) -> str:
    """Chinese label of a theme code (used in claim texts)."""
    return _THEME_ZH.get(code, code)

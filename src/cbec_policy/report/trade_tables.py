"""Report tables of CBEC trade: full-year and half-year series with provenance marks, growth
computed only within one release beside the published growth, and preliminary-vs-survey revisions.
"""

from __future__ import annotations

from typing import Any

from cbec_policy.i18n import label, provenance_label, release_label, tr
from cbec_policy.report.i18n import PROVENANCE_MARKS
from cbec_policy.report.results import Results
from cbec_policy.report.table_cells import Col, make_table, na_note
from cbec_policy.report.table_writers import TableData


def trade_tables(results: Results, lang: str) -> list[TableData]:
    """Full-year and half-year series, and preliminary-vs-survey revisions."""

    def release(value: Any) -> str:
        return release_label(str(value), lang)

    def series(value: Any) -> str:
        return (
            tr("可比（全口径）", "comparable (full scope)", lang)
            if value
            else tr("早期窄口径", "early narrow scope", lang)
        )

    def marked(row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        for measure in ("total", "export", "import"):
            status = row["provenance"][measure]
            if row[measure] is not None and PROVENANCE_MARKS.get(status):
                out[measure] = f"{row[measure]:g}{PROVENANCE_MARKS[status]}"
        out["provenance"] = "; ".join(
            f"{m}: {provenance_label(st, lang)}" for m, st in row["provenance"].items() if row[m] is not None
        )
        out["growth_note"] = label("growth_notes", row["growth_note"], lang) if row["growth_note"] else None
        return out

    cols = [
        Col("year", "年份", "year", 6),
        Col("total", "进出口（亿元）", "total (100m yuan)", 10),
        Col("export", "出口", "exports", 10),
        Col("import", "进口", "imports", 10),
        Col("release", "发布类型", "release", 10, fmt=release),
        Col("comparable_series", "口径", "series", 12, fmt=series),
        Col("provenance", "来源状态", "provenance", 24),
        Col("published_yoy_pct", "公布增速 %", "published growth %", 8),
        Col("computed_yoy_pct", "同一发布内计算增速 %", "computed within one release %", 8, empty="na"),
        Col("growth_note", "未计算原因", "why not computed", 20, empty="na"),
        Col("other_releases", "被替代的发布", "superseded releases", 20, empty="na"),
    ]
    revision_cols = [
        Col("year", "年份", "year", 6),
        Col("period", "期间", "period", 8),
        Col("preliminary_total", "初步数", "preliminary", 10),
        Col("survey_total", "统计调查数", "survey", 10),
        Col("change", "修订额", "change", 8, empty="na"),
        Col("change_pct", "修订幅度 %", "change %", 8, empty="na"),
        Col("preliminary_yoy_pct", "初步增速 %", "preliminary growth %", 8),
        Col("survey_yoy_pct", "调查增速 %", "survey growth %", 8),
    ]
    brk = results.trade_break
    break_note = tr(
        f"2020 年前的早期数据（{', '.join(map(str, brk['narrow_years'])) or '无'}）为窄口径，与全口径序列不可比，"
        "不计算跨口径增速。",
        f"Early narrow-scope values ({', '.join(map(str, brk['narrow_years'])) or 'none'}) are not comparable with the "
        "full-scope series; no growth is computed across the break.",
        lang,
    )
    mark_note = tr(
        "标记：² 二手来源，? 待核实，ᴾ 仅见于论文（不能用来印证论文）；"
        "无标记为已核实。增速只在同一次发布的数值之间计算。",
        "Marks: ² secondary, ? candidate, ᴾ from the paper only (cannot confirm the paper); unmarked values are "
        "verified. Growth is computed only between figures of the same release.",
        lang,
    )
    projected = "; ".join(f"{s.year} {s.period}: {s.total:g}" for s in results.trade_projections if s.total is not None)
    projection_note = tr(
        f"预测值（非数据，不入表、不作图）：{projected or '无'}。",
        f"Projections (not data; neither tabled nor plotted): {projected or 'none'}.",
        lang,
    )
    return [
        make_table(
            "跨境电商进出口（全年）",
            "CBEC trade, full year",
            cols,
            [marked(r) for r in results.trade_series],
            lang,
            [break_note, mark_note, projection_note, na_note(lang)],
        ),
        make_table(
            "跨境电商进出口（上半年）",
            "CBEC trade, first half",
            cols,
            [marked(r) for r in results.trade_h1],
            lang,
            [mark_note, na_note(lang)],
        ),
        make_table("初步数与统计调查数", "Preliminary vs survey figures", revision_cols, results.trade_revisions, lang),
    ]

"""Report tables of the local layer (§3.2 ④): focus by region and by coastal/inland province,
local documents per province, provinces with none, and the lag from zone approval to plan.
"""

from __future__ import annotations

from typing import Any

from cbec_policy.analysis import bundled_focus_categories
from cbec_policy.i18n import group_label, label, local_confidence_label, local_level_label, provenance_label, tr
from cbec_policy.report.i18n import NOT_APPLICABLE
from cbec_policy.report.results import Results
from cbec_policy.report.table_writers import Column, TableData


def _share(count: int, total: int) -> str:
    # one rounding, from the counts, so 25/46 prints 54.3 %
    return f"{count} ({100 * count / total:.1f}%)" if total else NOT_APPLICABLE


def focus_group_table(rows: list[dict[str, Any]], by: str, lang: str) -> TableData:
    """Documents per group and, per focus category, count and share of the group's documents."""
    categories = bundled_focus_categories()
    columns = [Column("group", tr("分组", "group", lang), 12), Column("documents", tr("文件数", "documents", lang), 8)]
    columns += [Column(c.code, tr(c.zh, c.en, lang), 12) for c in categories]
    cells = []
    for row in rows:
        cell = {"group": group_label(str(row["group"]), lang), "documents": str(row["documents"])}
        for c in categories:
            cell[c.code] = _share(int(row[c.code]), int(row["documents"]))
        cells.append(cell)
    title = {
        "region": ("地方文件侧重点：按区域", "Local focus by region"),
        "coastal": ("地方文件侧重点：沿海与内陆", "Local focus: coastal vs inland"),
        "province": ("地方文件侧重点：按省份", "Local focus by province"),
    }[by]
    note = tr(
        "侧重点按标题、记录的侧重词与已导入全文匹配 local_focus.yaml 的词表；一份文件可属多类。",
        "Focus categories match the terms of local_focus.yaml in titles, recorded focus keywords and any ingested "
        "full text; a document may fall in several.",
        lang,
    )
    return TableData(title=tr(*title, lang), columns=tuple(columns), rows=tuple(cells), notes=(note,))


def lag_table(results: Results, lang: str) -> TableData:
    """Per batch: zones, zones with a plan in the data, median and range of the lag."""
    columns = (
        Column("batch", tr("批次", "batch", lang), 6),
        Column("zones", tr("综试区数", "zones", lang), 8),
        Column("with_plan", tr("有实施方案", "with a plan", lang), 8),
        Column("with_dated_plan", tr("方案有日期", "plan dated", lang), 8),
        Column("median_lag_days", tr("中位滞后（天）", "median lag (days)", lang), 10),
        Column("range", tr("范围（天）", "range (days)", lang), 12),
    )
    rows = []
    for row in results.local_lag_summary:
        rows.append(
            {
                "batch": str(row["batch"]),
                "zones": str(row["zones"]),
                "with_plan": str(row["with_plan"]),
                "with_dated_plan": str(row["with_dated_plan"]),
                "median_lag_days": f"{row['median_lag_days']:g}" if row["median_lag_days"] is not None else "—",
                "range": f"{row['min_lag_days']}–{row['max_lag_days']}" if row["min_lag_days"] is not None else "—",
            }
        )
    note = tr(
        "滞后 = 省（市）印发该综试区实施方案的日期 − 国务院批复日期；数据中没有方案的综试区不计入，不代表没有方案。",
        "Lag = date the province (or city) issued the zone's implementation plan − the State Council approval date; "
        "zones without a plan in the data are not counted, which does not mean they have none.",
        lang,
    )
    return TableData(
        title=tr("综试区获批到实施方案印发的滞后", "Lag from zone approval to implementation plan", lang),
        columns=columns,
        rows=tuple(rows),
        notes=(note,),
    )


def documents_table(results: Results, lang: str) -> TableData:
    """Every local document: province, level, kind, date, title, number, confidence, source."""
    columns = (
        Column("province", tr("省份", "province", lang), 10),
        Column("level", tr("级别", "level", lang), 8),
        Column("kind", tr("类别", "kind", lang), 10),
        Column("date", tr("日期", "date", lang), 11),
        Column("title", tr("标题", "title", lang), 48),
        Column("doc_number", tr("文号", "number", lang), 18),
        Column("confidence", tr("可信度", "confidence", lang), 8),
    )
    unknown = tr("未知", "unknown", lang)
    rows = tuple(
        {
            "province": d.province,
            "level": local_level_label(d.level, lang),
            "kind": d.kind or unknown,
            "date": d.date_text or unknown,
            "title": d.title,
            "doc_number": d.doc_number or unknown,
            "confidence": local_confidence_label(d.confidence, lang),
        }
        for d in sorted(results.local_documents, key=lambda d: (d.province, d.date_text or "9999"))
    )
    return TableData(
        title=tr("地方跨境电商政策文件", "Local CBEC documents", lang),
        columns=columns,
        rows=rows,
        notes=(tr("空白为未知，不表示没有。", "Empty cells are unknown, not absent.", lang),),
    )


def local_tables(results: Results, lang: str) -> dict[str, TableData]:
    """Every local-layer table keyed by file stem."""
    return {
        "local_focus_region": focus_group_table(results.local_by_region, "region", lang),
        "local_focus_coastal": focus_group_table(results.local_by_coastal, "coastal", lang),
        "local_plan_lag": lag_table(results, lang),
        "local_documents": documents_table(results, lang),
    }


def provenance_note(results: Results, lang: str) -> str:
    """The methods note's count of values by provenance status."""
    parts = []
    for kind, counts in results.provenance.items():
        inner = "，".join if lang == "zh" else ", ".join
        text = inner(f"{provenance_label(status, lang)} {n}" for status, n in sorted(counts.items()))
        name = label("provenance_kinds", kind, lang)
        parts.append(f"{name}：{text}" if lang == "zh" else f"{name}: {text}")
    return tr(
        "来源状态计数（已核实 / 二手来源 / 待核实 / 仅见于论文 / 未知）——"
        + "；".join(parts)
        + "。仅见于论文的值不用于印证论文。",
        "Values by provenance (verified / secondary / candidate / from the paper / unknown) — "
        + "; ".join(parts)
        + ". Values known only from the paper are never used to confirm it.",
        lang,
    )

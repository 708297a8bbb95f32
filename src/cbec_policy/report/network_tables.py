"""Report tables of the co-issuance network per period and of policy instruments × themes/periods."""

from __future__ import annotations

from typing import Any

from cbec_policy.analysis import bundled_frameworks
from cbec_policy.i18n import instrument_label, period_label, theme_label, tr
from cbec_policy.report.i18n import NOT_APPLICABLE
from cbec_policy.report.results import Results
from cbec_policy.report.table_writers import Column, TableData


def network_period_table(results: Results, lang: str) -> TableData:
    """Per period of the paper's nodes: documents, joint documents, issuers counted, network shape."""
    columns = (
        Column("period", tr("阶段", "period", lang), 24),
        Column("documents", tr("文件数", "documents", lang), 8),
        Column("joint_documents", tr("联合发文", "joint documents", lang), 8),
        Column("issuer_slots", tr("发文机关人次", "issuers counted", lang), 8),
        Column("unnamed_issuers", tr("其中未具名", "of which unnamed", lang), 8),
        Column("agencies", tr("机构数（统一改革前后名称）", "agencies (harmonised)", lang), 8),
        Column("edges", tr("合作关系", "ties", lang), 8),
        Column("density", tr("密度", "density", lang), 8),
        Column("broker", tr("中介中心性最高", "top broker", lang), 20),
    )
    rows = tuple(
        {
            "period": period_label(results.frameworks, "d", row["period"], lang),
            **{
                k: str(row[k])
                for k in ("documents", "joint_documents", "issuer_slots", "unnamed_issuers", "agencies", "edges")
            },
            "density": f"{row['density']:.3f}" if row["density"] is not None else NOT_APPLICABLE,
            "broker": f"{row['broker']} ({row['broker_betweenness']:.3f})" if row["broker"] else NOT_APPLICABLE,
        }
        for row in results.network_periods
    )
    note = tr(
        "2018 年（及 2023 年）机构改革前后的机构按 agency_succession.csv 归并（如农业部→农业农村部）；"
        "“等N部门”中未列名的机关计入人次，不入网络。",
        "Agencies renamed or merged in the 2018 (and 2023) reforms are merged per agency_succession.csv (e.g. 农业部 → "
        "农业农村部); the unnamed rest of a stated '…等N部门' counts as issuers but cannot enter the network.",
        lang,
    )
    return TableData(
        title=tr("各阶段联合发文网络", "Co-issuance network by period", lang), columns=columns, rows=rows, notes=(note,)
    )


def instruments_table(data: dict[str, Any], lang: str) -> TableData:
    """Instrument sides × themes or × periods, with how many policies are coded."""
    axis = data["axis"]
    periods = {p.key: tr(p.zh, p.en, lang) for f in bundled_frameworks() for p in f.periods}
    heads = [theme_label(c, lang) if axis == "theme" else periods.get(c, c) for c in data["columns"]]
    columns = (
        Column("side", tr("政策工具", "instrument side", lang), 12),
        *(Column(c, h, 10) for c, h in zip(data["columns"], heads, strict=True)),
    )
    rows = tuple(
        {"side": instrument_label(row["side"], lang), **{c: str(row[c]) for c in data["columns"]}}
        for row in data["rows"]
    )
    note = tr(
        f"已编码政策工具的政策 {data['coded']} 项，未编码 {data['uncoded']} 项（运行 cbec classify 后计入）。",
        f"{data['coded']} policies coded with instruments, {data['uncoded']} not coded (run cbec classify).",
        lang,
    )
    title = (
        ("政策工具 × 主题", "Policy instruments × themes")
        if axis == "theme"
        else ("政策工具 × 阶段（论文节点）", "Policy instruments × periods (the paper's nodes)")
    )
    return TableData(title=tr(*title, lang), columns=columns, rows=rows, notes=(note,))

"""Every computed table of the report as a :class:`TableData`, labelled in Chinese or English.

Cells are text. An empty value prints as 未知/unknown where the fact is unknown and as "—"
where a value cannot be computed (e.g. growth in a series' first year), and each table's
notes say which.
"""

from __future__ import annotations

from typing import Any

from cbec_policy.analysis import REGION_CODE, REGION_ORDER, zone_status
from cbec_policy.departments import canonical_department, english_names
from cbec_policy.i18n import (
    UNKNOWN_LABEL,
    label,
    period_label,
    provenance_label,
    region_label,
    theme_label,
    tr,
    type_label,
)
from cbec_policy.labels import THEMES
from cbec_policy.report.claims_tables import claims_table, sensitivity_tables
from cbec_policy.report.local_tables import local_tables
from cbec_policy.report.network_tables import instruments_table, network_period_table
from cbec_policy.report.results import Results
from cbec_policy.report.table_cells import Col, make_table, na_note, pct
from cbec_policy.report.table_writers import TableData
from cbec_policy.report.trade_tables import trade_tables


def department_name(name: str, lang: str) -> str:
    """A department in the chosen language (English from the department table when known)."""
    if lang == "zh":
        return name
    return english_names().get(canonical_department(name) or name, name)


def change_text(row: dict[str, Any], lang: str) -> str:
    """One change since the paper in words."""
    if row["kind"] == "revocation":
        return tr(
            f"撤销综试区：{row['zone']}（第 {row['batch']} 批设立，依据 {row['by'] or '未知'}）",
            f"Pilot zone revoked: {row['zone']} (batch {row['batch']}; by {row['by'] or 'unknown'})",
            lang,
        )
    if row["kind"] == "trade_revision":
        when = tr("上半年", "H1 ", lang) if row["period"] == "H1" else tr("全年", "", lang)
        growth = f"，增长 {row['yoy_pct']}%" if row["yoy_pct"] is not None else ""
        return tr(
            f"{row['year']} 年{when}统计调查数（{row['published'] or '日期未知'}）：{row['total']:g} 亿元{growth}",
            f"{when}{row['year']} survey figure ({row['published'] or 'date unknown'}): {row['total']:g}"
            + (f", growth {row['yoy_pct']}%" if row["yoy_pct"] is not None else ""),
            lang,
        )
    if row.get("relation"):
        until = f"，适用至 {row['until']}" if row.get("until") else ""
        in_table = tr("（论文表1）", " (paper's Table 1)", lang) if row.get("target_in_table1") else ""
        verb = tr(label("relations", row["relation"], "zh"), row["relation"].replace("_", " "), lang)
        return f"{row['label']} {verb} {row['target']}{in_table}" + (until if lang == "zh" else "")
    number = f"（{row['doc_number']}）" if row.get("doc_number") else ""
    return tr(f"新文件：{row['label']}{number}", f"New document: {row.get('doc_number') or row['label']}", lang)


def changes_table(results: Results, lang: str) -> TableData:
    """Later documents, revocations and revised figures the paper could not know."""
    rows = [
        {
            "date": row["date"],
            "kind": label("change_kinds", row["kind"], lang),
            "what": change_text(row, lang),
            "policy_id": row["policy_id"],
        }
        for row in results.changes
    ]
    cutoff = results.paper_cutoff.isoformat() if results.paper_cutoff else UNKNOWN_LABEL[lang]
    cols = [
        Col("date", "日期", "date", 11),
        Col("kind", "类别", "kind", 10),
        Col("what", "内容", "what", 70),
        Col("policy_id", "政策编号", "policy id", 24, empty="na"),
    ]
    note = tr(
        f"论文表1的最晚日期为 {cutoff}，此后的变化列于此。",
        f"The latest date in the paper's Table 1 is {cutoff}.",
        lang,
    )
    return make_table("论文之后的变化", "What changed since the paper", cols, rows, lang, [note, na_note(lang)])


def period_tables(results: Results, lang: str) -> list[TableData]:
    """Policies per period of each framework, and every policy's period in each framework."""
    counts = [
        {
            "framework": tr(row["framework_zh"], row["framework_en"], lang),
            "period": tr(row["period_zh"], row["period_en"], lang),
            "span": row["span"],
            "policies": row["policies"],
        }
        for row in results.period_counts
    ]
    count_cols = [
        Col("framework", "划分框架", "framework", 30),
        Col("period", "阶段", "period", 24),
        Col("span", "年份", "years", 12, empty="na"),
        Col("policies", "政策数", "policies", 8),
    ]
    by_id = {p.id: p for p in results.inputs.policies}
    assignment_rows = []
    for item in results.assignments:
        policy = by_id.get(item.policy_id)
        row: dict[str, Any] = {
            "policy_id": item.policy_id,
            "date": item.day,
            "doc_number": policy.doc_number if policy else None,
            "title": item.title,
        }
        for framework in results.frameworks:
            row[framework.key] = period_label(results.frameworks, framework.key, item.periods[framework.key], lang)
        assignment_rows.append(row)
    assignment_cols = [
        Col("policy_id", "政策编号", "policy id", 24),
        Col("date", "公布日期", "published", 11),
        Col("doc_number", "发文字号", "document number", 22),
        Col("title", "标题", "title", 40),
        *(Col(f.key, f.zh, f.en, 22) for f in results.frameworks),
    ]
    return [
        make_table("各阶段政策数", "Policies per period", count_cols, counts, lang),
        make_table("每项政策所处阶段", "Period of every policy", assignment_cols, assignment_rows, lang),
    ]


def evolution_tables(results: Results, lang: str) -> list[TableData]:
    """Year × type, year × theme, widening of content, departments per policy."""
    type_codes = [k for k in (results.year_type[0] if results.year_type else {}) if k not in ("year", "total")]
    type_cols = [
        Col("year", "年份", "year", 6),
        *(Col(c, type_label(c, "zh"), type_label(c, "en"), 8) for c in type_codes),
    ]
    type_cols.append(Col("total", "合计", "total", 6))
    theme_cols = [Col("year", "年份", "year", 6), Col("policies", "政策数", "policies", 8)]
    theme_cols += [Col(t.code, t.zh, t.en, 10) for t in THEMES]
    widening_rows = [
        {**row, "new_themes": [theme_label(code, lang) for code in row["new_themes"]]} for row in results.widening
    ]
    widening_cols = [
        Col("year", "年份", "year", 6),
        Col("policies", "政策数", "policies", 8),
        Col("themes_this_year", "当年主题数", "themes that year", 10),
        Col("new_themes", "新出现主题", "new themes", 24, empty="na"),
        Col("cumulative_themes", "累计主题数", "cumulative themes", 10),
        Col("cumulative_types", "累计类型数", "cumulative types", 10),
        Col("shannon", "当年香农多样性", "Shannon diversity", 10),
        Col("cumulative_shannon", "累计香农多样性", "cumulative Shannon", 10),
    ]
    dept_cols = [
        Col("year", "年份", "year", 6),
        Col("policies", "政策数", "policies", 8),
        Col("mean_departments", "平均发文部门数", "mean departments", 10, empty="na"),
        Col("max_departments", "最多发文部门数", "max departments", 10, empty="na"),
        Col("joint_share", "联合发文占比", "jointly issued", 10, empty="na", fmt=pct),
    ]
    dept_note = tr(
        "部门数取已列明的发文机关数，论文注明“等N部门”时取较大者。",
        "Departments = named issuers, or the count the paper states (…等N部门) when larger.",
        lang,
    )
    return [
        make_table("逐年政策类型", "Policies per year by type", type_cols, results.year_type, lang),
        make_table("逐年政策主题", "Policies per year by theme", theme_cols, results.year_theme, lang),
        make_table("政策内容扩展", "Widening of policy content", widening_cols, widening_rows, lang, [na_note(lang)]),
        make_table(
            "每项政策的发文部门数",
            "Departments per policy",
            dept_cols,
            results.departments,
            lang,
            [dept_note, na_note(lang)],
        ),
    ]


def network_table(results: Results, lang: str) -> TableData:
    """Departments ranked by betweenness in the joint-issuance network."""
    rows = [{**row, "department": department_name(row["department"], lang)} for row in results.network_rows]
    cols = [
        Col("department", "部门", "department", 30),
        Col("policies", "发文数", "policies", 8),
        Col("degree", "合作部门数（度）", "partners (degree)", 10),
        Col("co_issuances", "联合发文次数", "co-issuances", 10),
        Col("betweenness", "中介中心性", "betweenness", 10),
    ]
    note = tr(
        "只列出名称已核实的发文机关；仅知部门数量的文件只计入牵头部门。",
        "Only issuers named in the data enter the network; documents known only by a department count add their lead "
        "issuer.",
        lang,
    )
    return make_table("联合发文网络", "Joint-issuance network", cols, rows, lang, [note])


def _region_cols(per_province: bool) -> list[Col]:
    cols = [
        Col("batch", "批次", "batch", 6),
        Col("approval_date", "批复日期", "approved", 11),
        Col("zones", "综试区数", "zones", 8),
    ]
    for region in REGION_ORDER:
        code = REGION_CODE[region]
        cols.append(Col(f"{code}_zones", f"{region}", region_label(region, "en"), 6))
        cols.append(Col(f"{code}_share", f"{region}占比", f"{region_label(region, 'en')} share", 8, "na", pct))
    if per_province:
        for region in REGION_ORDER:
            code = REGION_CODE[region]
            cols.append(
                Col(f"{code}_per_province", f"{region}每省", f"{region_label(region, 'en')} per province", 8, "na")
            )
    cols += [Col("evenness", "均衡度（Pielou）", "evenness (Pielou)", 10), Col("theil", "泰尔指数", "Theil index", 10)]
    return cols


def pilot_tables(results: Results, lang: str) -> list[TableData]:
    """Batch progress, region shares per batch and cumulative, zones per province."""
    progress_cols = [
        Col("batch", "批次", "batch", 6),
        Col("approval_date", "批复日期", "approved", 11),
        Col("doc_number", "文号", "document number", 18),
        Col("new_zones", "新增", "new zones", 6),
        Col("cumulative_approved", "累计获批", "approved to date", 8),
        Col("stated_cumulative", "批次表所载累计", "stated cumulative", 8),
        Col("revoked", "撤销", "revoked", 6),
        Col("in_force", "在运行", "in force", 8),
        Col("provinces_covered", "覆盖省份", "provinces covered", 8),
        Col("new_provinces", "新覆盖省份", "new provinces", 8),
        Col("provenance", "来源状态", "provenance", 16),
    ]
    candidates: dict[int, list[str]] = {}
    for zone in results.inputs.zones:
        if zone_status(zone) != "verified":
            candidates.setdefault(zone.batch, []).append(zone.zone_name)
    progress_rows = [
        {
            **row,
            "new_zones": f"{row['new_zones']}?" if candidates.get(int(row["batch"])) else row["new_zones"],
            "provenance": tr(
                f"待核实 {len(candidates[int(row['batch'])])} 个：" + "、".join(candidates[int(row["batch"])]),
                f"{len(candidates[int(row['batch'])])} candidates: " + ", ".join(candidates[int(row["batch"])]),
                lang,
            )
            if candidates.get(int(row["batch"]))
            else provenance_label("verified", lang),
        }
        for row in results.batch_progress
    ]
    progress_note = tr(
        "“?” 标出含待核实综试区的批次（名单见来源状态列）。",
        "'?' marks a batch that includes candidate zones (listed in the provenance column).",
        lang,
    )
    balance_note = tr(
        "均衡度=四大区域香农熵/ln4（1为完全均匀）；泰尔指数以各区域省份数占比为基准（0为与省份数成比例）。",
        "Evenness = Shannon entropy over the four regions / ln 4 (1 = even); Theil index against each region's "
        "share of provinces (0 = proportional to provinces).",
        lang,
    )
    province_rows = [
        {
            **row,
            "province": row["province"] if lang == "zh" else (row["en"] or row["province"]),
            "region": region_label(row["region"], lang),
        }
        for row in results.province_zones
    ]
    province_cols = [
        Col("province", "省份", "province", 14),
        Col("region", "区域", "region", 8),
        Col("zones", "综试区数", "zones", 8),
    ]
    return [
        make_table(
            "各批次综试区扩围", "Pilot zones batch by batch", progress_cols, progress_rows, lang, [progress_note]
        ),
        make_table(
            "各批次新增综试区的区域结构",
            "Regions of each batch's new zones",
            _region_cols(False),
            results.region_batch,
            lang,
            [balance_note],
        ),
        make_table(
            "各批次后在运行综试区的区域结构",
            "Regions of zones in force after each batch",
            _region_cols(True),
            results.region_cumulative,
            lang,
            [balance_note],
        ),
        make_table(
            f"各省在运行综试区数（{results.map_day}）",
            f"Zones in force per province ({results.map_day})",
            province_cols,
            province_rows,
            lang,
        ),
    ]


def positive_list_table(results: Results, lang: str) -> TableData:
    """The positive list, version by version."""
    cols = [
        Col("label", "版本", "version", 16),
        Col("doc_number", "公告", "announcement", 16),
        Col("announced", "公布日期", "announced", 11),
        Col("effective", "施行日期", "effective", 11),
        Col("tariff_lines", "税目数", "tariff lines", 8),
        Col("net_added", "净增", "net added", 8, empty="na"),
        Col("growth_pct", "增幅 %", "growth %", 8, empty="na"),
    ]
    return make_table(
        "零售进口商品清单", "Retail import positive list", cols, results.positive_list, lang, [na_note(lang)]
    )


def all_computed_tables(results: Results, lang: str) -> dict[str, TableData]:
    """Every computed table keyed by a stable file-name stem, in report order."""
    tables: dict[str, TableData] = {
        "claims": claims_table(results, lang),
        **sensitivity_tables(results, lang),
        "changes_since_paper": changes_table(results, lang),
    }
    periods = period_tables(results, lang)
    tables["period_counts"], tables["period_assignment"] = periods
    evo = evolution_tables(results, lang)
    tables["year_by_type"], tables["year_by_theme"], tables["content_widening"], tables["departments_per_year"] = evo
    tables["issuer_network"] = network_table(results, lang)
    tables["network_periods"] = network_period_table(results, lang)
    tables["instruments_themes"] = instruments_table(results.instruments_themes, lang)
    tables["instruments_periods"] = instruments_table(results.instruments_periods, lang)
    pil = pilot_tables(results, lang)
    tables["pilot_batches"], tables["regions_per_batch"], tables["regions_cumulative"], tables["zones_per_province"] = (
        pil
    )
    tables["positive_list"] = positive_list_table(results, lang)
    tables["trade_full_year"], tables["trade_half_year"], tables["trade_revisions"] = trade_tables(results, lang)
    tables.update(local_tables(results, lang))
    return tables

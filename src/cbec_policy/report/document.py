"""The report as an ordered list of sections (text, tables, figures), shared by the HTML and
Markdown writers so both say the same thing in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cbec_policy.i18n import tr, verdict_label
from cbec_policy.report.claims_tables import TESTED
from cbec_policy.report.claims_text import paper_says, verdict_text
from cbec_policy.report.figures import FigureFile
from cbec_policy.report.i18n import SECTIONS
from cbec_policy.report.local_tables import provenance_note
from cbec_policy.report.results import Results
from cbec_policy.report.table_writers import TableData


@dataclass(frozen=True)
class Section:
    """One report section: heading, paragraphs, then tables and figures."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[tuple[str, TableData], ...] = ()
    figures: tuple[FigureFile, ...] = ()
    verdicts: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)  # (claim, verdict code, label)


def build_document(
    results: Results,
    tables: dict[str, TableData],
    paper_tables: dict[str, TableData],
    figures: dict[str, FigureFile],
    lang: str,
) -> list[Section]:
    """Assemble the sections in report order (see :data:`cbec_policy.report.i18n.SECTIONS`)."""

    def t(*keys: str) -> tuple[tuple[str, TableData], ...]:
        return tuple((key, tables[key]) for key in keys if key in tables)

    def f(*keys: str) -> tuple[FigureFile, ...]:
        return tuple(figures[key] for key in keys if key in figures)

    inputs = results.inputs
    local_documents = len(results.local_documents)
    last_batch = results.batch_progress[-1] if results.batch_progress else None
    overview = [
        tr(
            f"数据来源：{inputs.source_zh}。政策 {len(inputs.policies)} 项（其中论文表1收录 "
            f"{sum(1 for p in inputs.policies if p.paper)} "
            f"项；另有地方文件 {local_documents} 份，单独统计），综试区批复 "
            f"{len(inputs.zones)} 个、{len(inputs.batches)} 批，贸易数据 {len(inputs.trade)} 条，正面清单 "
            f"{len(inputs.positive_list)} 版。",
            f"Source: {inputs.source_en}. {len(inputs.policies)} policies "
            f"({sum(1 for p in inputs.policies if p.paper)} in the "
            f"paper's Table 1; {local_documents} local documents kept "
            "apart), "
            f"{len(inputs.zones)} pilot-zone approvals in {len(inputs.batches)} batches, {len(inputs.trade)} trade "
            f"figures, {len(inputs.positive_list)} positive-list versions.",
            lang,
        ),
        tr(
            "本报告由程序根据数据重新计算论文中的判断；每个结论都附有判定规则，数据更新后重新生成即可。",
            "This report recomputes the paper's arguments from the data; each verdict comes with its rule, and "
            "the report is rebuilt whenever the data changes.",
            lang,
        ),
    ]
    if last_batch:
        overview.append(
            tr(
                f"最新：第 {last_batch['batch']} 批后累计获批 {last_batch['cumulative_approved']} 个综试区，在运行 "
                f"{last_batch['in_force']} 个，覆盖 {last_batch['provinces_covered']} 个省区市。",
                f"Latest: after batch {last_batch['batch']}, {last_batch['cumulative_approved']} zones approved, "
                f"{last_batch['in_force']} in force, in {last_batch['provinces_covered']} provinces.",
                lang,
            )
        )
    verdicts = tuple((f"{c.section} {paper_says(c, lang)}", c.verdict, verdict_text(c, lang)) for c in results.claims)
    since_text: list[str] = []
    for claim in results.claims:
        for event in claim.events:
            if event["kind"] == "batch":
                since_text.append(
                    tr(
                        f"第 {event['batch']} 批（{event['doc_number']}，"
                        f"{event['date']}）新增 {event['new_zones']} 个，"
                        f"同时撤销 {event['revoked']} 个，累计获批 "
                        f"{event['approved']} 个、在运行 {event['in_force']} 个。",
                        f"Batch {event['batch']} ({event['doc_number']}, {event['date']}) added {event['new_zones']} "
                        f"zones and revoked {event['revoked']}: {event['approved']} approved, {event['in_force']} in "
                        "force.",
                        lang,
                    )
                )
        if claim.numbers.get("as_published"):
            revised = claim.numbers["revised_to"]
            since_text.append(
                tr(
                    f"{claim.section} {paper_says(claim, lang)}："
                    f"按发布时（{claim.numbers.get('matched_published')}）支持；"
                    f"后修订为 {revised['value'] / 10000:.2f} 万亿元，增长 {revised['yoy_pct']:.1f}%。",
                    f"{claim.section} {paper_says(claim, lang)}: supported as published "
                    f"({claim.numbers.get('matched_published')}); later revised to {revised['value'] / 10000:.2f} "
                    f"trillion yuan, {revised['yoy_pct']:+.1f}%.",
                    lang,
                )
            )
    local_claim = next((c for c in results.claims if c.key == "local_differentiation"), None)
    missing = "、".join(results.local_missing) if lang == "zh" else ", ".join(results.local_missing)
    local_text = [
        tr(
            f"地方文件 {len(results.local_documents)} 份（内置参考清单与已导入文件），与国家层面政策分开统计。"
            f"数据中没有任何地方文件的省份：{missing or '无'}——这是数据缺口，不表示这些省份没有出台文件。",
            f"{len(results.local_documents)} local documents (the bundled list plus ingested ones), counted apart from "
            f"national policies. Provinces with no local document in the data: {missing or 'none'} — a gap in the "
            "data, not evidence that they issued none.",
            lang,
        )
    ]
    if local_claim is not None:
        local_text.append(
            tr(
                f"§3.2 ④ 结论：{verdict_label(local_claim.verdict, lang)}。",
                f"§3.2 ④ verdict: {verdict_label(local_claim.verdict, lang)}.",
                lang,
            )
        )
    sections = {
        "overview": Section("overview", "", tuple(overview), verdicts=verdicts),
        "claims": Section(
            "claims",
            "",
            (),
            t(
                "claims",
                *TESTED.values(),
            ),
        ),
        "changes": Section("changes", "", tuple(since_text), t("changes_since_paper")),
        "periods": Section(
            "periods",
            "",
            (
                tr(
                    "论文第2.2节列举了三种已发表的阶段划分，并提出2013年后的三个节点。每项政策按公布日期同时放入四种框架；"
                    "不在某框架任何阶段内的政策标为“不在任何阶段”。",
                    "Section 2.2 cites three published periodisations and adds three nodes after 2013. Each policy is "
                    "placed in all four by its publish date; a date outside a framework's periods is shown as such.",
                    lang,
                ),
            ),
            t("period_counts", "period_assignment"),
            f("timeline"),
        ),
        "evolution": Section(
            "evolution",
            "",
            (),
            t("year_by_type", "year_by_theme", "content_widening"),
            f("year_by_type", "year_by_theme", "content_widening"),
        ),
        "network": Section(
            "network", "", (), t("departments_per_year", "issuer_network"), f("departments_per_year", "issuer_network")
        ),
        "pilots": Section("pilots", "", (), t("pilot_batches"), f("pilot_growth")),
        "regions": Section(
            "regions",
            "",
            (),
            t("regions_per_batch", "regions_cumulative", "zones_per_province"),
            f("region_balance", "province_map"),
        ),
        "positive_list": Section("positive_list", "", (), t("positive_list"), f("positive_list")),
        "trade": Section("trade", "", (), t("trade_full_year", "trade_half_year", "trade_revisions"), f("trade")),
        "local": Section(
            "local",
            "",
            tuple(local_text),
            t("local_focus_region", "local_focus_coastal", "local_plan_lag", "local_documents"),
            f("local_map"),
        ),
        "paper_tables": Section("paper_tables", "", (), tuple(paper_tables.items())),
        "method": Section(
            "method",
            "",
            (
                tr(
                    "政策、综试区、贸易与正面清单数据均附来源；缺失的值显示为“未知”，不作推测；每个值的来源状态在表中标出。",
                    "Policies, zones, trade figures and list versions carry their sources; missing values show as "
                    "'unknown' and are never guessed; each value's provenance is marked in the tables.",
                    lang,
                ),
                provenance_note(results, lang),
                tr(
                    "2020年之前的早期贸易数据口径较窄，与之后的全口径序列不可比；初步数会被统计调查数替代，表中标明发布类型。",
                    "Trade figures before 2020 follow a narrower scope and are not comparable with the later "
                    "full-scope "
                    "series; preliminary figures are replaced by survey figures, and each row names its release.",
                    lang,
                ),
                tr(
                    "省份方格图按各省大致方位排布，仅示意相对位置，不表示疆域边界。",
                    "The tile map places each province roughly where it lies; it shows relative position, not borders.",
                    lang,
                ),
            ),
        ),
    }
    out = []
    for key, zh, en in SECTIONS:
        section = sections[key]
        out.append(
            Section(key, tr(zh, en, lang), section.paragraphs, section.tables, section.figures, section.verdicts)
        )
    return out

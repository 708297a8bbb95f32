"""The report's "policy evaluation" section: PMC league, comparison chart and the best policies'
surfaces, the pilot-zone treatment timing, and DID results when the user brings an estimate.

Self-contained: :func:`evaluation_section` takes the report inputs, writes its own figures into
the report's figure folder and returns one :class:`Section`, so the report builder only calls it.
Without a DID estimate the section says which panel is needed and how to run it; it never shows
outcome numbers of its own.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from cbec_policy.errors import InputError
from cbec_policy.evaluation import (
    DEFAULT_CUTOFF_MONTH,
    PmcResult,
    evaluate_policies,
    event_study,
    load_scheme,
    pmc_comparison,
    pmc_surface,
    png_bytes,
    treatment_table,
    treatment_timing,
)
from cbec_policy.i18n import tr
from cbec_policy.report.document import Section
from cbec_policy.report.figures import FigureFile, find_cjk_font
from cbec_policy.report.inputs import ReportInputs
from cbec_policy.report.table_writers import Column, TableData

KEY = "evaluation"
TITLE = ("政策评价：PMC 指数与综试区双重差分", "Policy evaluation: PMC index and pilot-zone DID")
# The section goes before these closing sections of the report, in the report's own order.
BEFORE = ("method",)
SURFACES_SHOWN = 3  # the best policies' surfaces; every policy's is on the web page and from the CLI
EXAMPLE_COMMAND = "cbec did estimate panel.csv --unit city --time year --outcome exports --format json > did.json"


def read_did_result(path: Path | str) -> dict[str, Any]:
    """A DID estimate saved by ``cbec did estimate --format json``, checked for the keys the report shows."""
    source = Path(path)
    try:
        answer = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(source), f"cannot read the DID estimate: {exc}") from None
    missing = [key for key in ("att_gt", "aggregations", "details", "twfe", "pretrend") if key not in answer]
    if missing:
        raise InputError(str(source), f"not a 'cbec did estimate --format json' result: no {', '.join(missing)}")
    return answer


def _save(fig: Figure, key: str, title: str, out_dir: Path) -> FigureFile:
    out_dir.mkdir(parents=True, exist_ok=True)
    png = png_bytes(fig)
    png_path, svg_path = out_dir / f"{key}.png", out_dir / f"{key}.svg"
    png_path.write_bytes(png)
    fig.savefig(svg_path, format="svg", metadata={"Date": None, "Creator": None})
    return FigureFile(key, title, png_path, svg_path, png)


def _league_table(result: PmcResult, lang: str) -> TableData:
    scheme = result.scheme
    columns = [
        Column("rank", tr("排名", "Rank", lang), 5),
        Column("policy", tr("政策", "Policy", lang), 40),
        Column("pmc", "PMC", 6),
        Column("grade", tr("等级", "Grade", lang), 8),
        *(Column(p.code, p.code, 5) for p in scheme.primaries),
    ]
    rows = []
    for item in result.league():
        row = {
            "rank": str(item.score.rank),
            "policy": item.title,
            "pmc": f"{item.score.pmc_rounded:.{scheme.decimals}f}",
            "grade": tr(item.score.grade_zh, item.score.grade_en, lang),
        }
        row.update({code: f"{value:.2f}" for code, value in item.score.primaries.items()})
        rows.append(row)
    means = {"policy": tr("各变量均值", "Mean by variable", lang)}
    means.update({code: f"{value:.2f}" for code, value in result.means.items()})
    rows.append(means)
    legend = "；".join(f"{p.code} {tr(p.zh, p.en, lang)}" for p in scheme.primaries)
    return TableData(tr("PMC 指数排名", "PMC league", lang), tuple(columns), tuple(rows), notes=(legend,))


def _timing_table(rows: list[Any], lang: str) -> TableData:
    counts = Counter((r.batch, r.approval_date, r.first_treated_year) for r in rows if r.row_kind == "approval")
    columns = (
        Column("batch", tr("批次", "Batch", lang), 5),
        Column("approved", tr("批复日期", "Approved", lang), 11),
        Column("first", tr("首次处理年份", "First treated year", lang), 8),
        Column("zones", tr("综试区数", "Zones", lang), 6),
    )
    table_rows = tuple(
        {"batch": str(b), "approved": d.isoformat(), "first": str(y), "zones": str(n)}
        for (b, d, y), n in sorted(counts.items())
    )
    return TableData(tr("各批次处理时点", "Treatment timing by batch", lang), columns, table_rows)


def _did_tables(answer: Mapping[str, Any], lang: str) -> tuple[TableData, TableData]:
    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.4f}"

    columns = (
        Column("kind", tr("汇总", "Aggregation", lang), 16),
        Column("estimate", tr("估计", "Estimate", lang), 10),
        Column("se", tr("标准误", "SE", lang), 10),
    )
    rows = [
        {"kind": k, "estimate": number(v["estimate"]), "se": number(v["se"])} for k, v in answer["aggregations"].items()
    ]
    rows.append({"kind": "TWFE", "estimate": number(answer["twfe"]["estimate"]), "se": number(answer["twfe"]["se"])})
    aggregations = TableData("Callaway & Sant'Anna", columns, tuple(rows), notes=tuple(answer.get("notes", ())))
    dynamic = TableData(
        tr("事件研究（动态汇总）", "Event study (dynamic aggregation)", lang),
        (Column("e", tr("事件时间", "Event time", lang), 6), columns[1], columns[2]),
        tuple(
            {"e": str(r["event_time"]), "estimate": number(r["estimate"]), "se": number(r["se"])}
            for r in answer["details"]["dynamic"]
        ),
    )
    return aggregations, dynamic


def insert_section(sections: list[Section], section: Section) -> list[Section]:
    """``sections`` with the evaluation section placed before the report's closing sections."""
    index = next((i for i, s in enumerate(sections) if s.key in BEFORE), len(sections))
    return [*sections[:index], section, *sections[index:]]


def evaluation_section(
    inputs: ReportInputs, figures_dir: Path, lang: str, did: Mapping[str, Any] | None = None
) -> Section:
    """The whole evaluation section, its figures written into ``figures_dir``."""
    font = find_cjk_font()
    scheme = load_scheme()
    policies = [p for p in inputs.policies if p.is_cbec is not False]
    pmc = evaluate_policies(policies, scheme)
    treatment = treatment_table(inputs.zones, DEFAULT_CUTOFF_MONTH)
    figures = []
    if pmc.policies:
        figures.append(
            _save(pmc_comparison(pmc, font), "pmc_comparison", tr("PMC 比较", "PMC comparison", lang), figures_dir)
        )
        for item in pmc.league()[:SURFACES_SHOWN]:
            title = tr(f"PMC 曲面：{item.title}", f"PMC surface: {item.title}", lang)
            figures.append(_save(pmc_surface(pmc, item, font), f"pmc_surface_{item.policy_id}", title, figures_dir))
    figures.append(
        _save(
            treatment_timing(treatment, font), "treatment_timing", tr("处理时点", "Treatment timing", lang), figures_dir
        )
    )
    paragraphs = [
        tr(
            f"PMC 指数按默认方案（{scheme.zh}）从每项政策的文本与分类结果自动编码；每个记 1 的二级变量都有证据"
            "（见网页“政策评价”或 cbec pmc score）。只读到标题与摘要的政策得分偏低。研究者可用 cbec pmc export / "
            "cbec pmc score --matrix 导出并修改 0/1 矩阵。",
            f"PMC scores use the default scheme ({scheme.en}), coded from each policy's text and classification; "
            "every secondary coded 1 has its evidence (web page 'Evaluation' or cbec pmc score). Policies read from a "
            "title and summary only score low. Researchers export and edit the 0/1 matrix with cbec pmc export / "
            "score --matrix.",
            lang,
        ),
        tr(
            f"处理时点：批复在 {DEFAULT_CUTOFF_MONTH} 月及以前的当年计为处理，之后的从次年起计；"
            "2025 年撤销的海口、三亚、阿拉山口按意向处理保留；5 个候选批复标为未核实；"
            "城市 GB/T 2260 代码参考数据尚无，标为未知。",
            f"Treatment timing: approvals up to month {DEFAULT_CUTOFF_MONTH} count from that year, later ones from the "
            "next; Haikou, Sanya and Alashankou (revoked 2025) stay treated (intention to treat); the 5 candidate "
            "approvals are flagged; GB/T 2260 city codes are not yet in the reference data and show as unknown.",
            lang,
        ),
    ]
    tables = [("pmc_league", _league_table(pmc, lang)), ("treatment_timing", _timing_table(treatment, lang))]
    if did is None:
        paragraphs.append(
            tr(
                "多期双重差分需要研究者自备城市—年份面板（系统不含也不编造结果数据）：每城市每年一行，列为城市（全称、简称"
                f"或代码）、年份与结果变量（如出口额）。运行 {EXAMPLE_COMMAND}，再以 cbec report --did-result did.json "
                "生成报告，即在此显示 ATT(g,t) 汇总、事件研究图与 TWFE 对照。",
                "The staggered DID needs a city-year panel from the researcher (the system holds and invents no "
                "outcome data): one row per city and year with the city (full or short name, or code), the year and an "
                f"outcome such as exports. Run {EXAMPLE_COMMAND}, then cbec report --did-result did.json to show the "
                "aggregated ATT, the event study and TWFE here.",
                lang,
            )
        )
    else:
        aggregations, dynamic = _did_tables(did, lang)
        tables += [("did_aggregations", aggregations), ("did_dynamic", dynamic)]
        figures.append(
            _save(event_study(did, font), "did_event_study", tr("事件研究", "Event study", lang), figures_dir)
        )
        p_value = did["pretrend"].get("p_value")
        paragraphs.append(
            tr(
                f"双重差分结果来自研究者提供的面板（{did.get('n_units', '?')} 个单位）；平行趋势检验 p = {p_value}。",
                f"DID results from the researcher's panel ({did.get('n_units', '?')} units); "
                f"pre-trend test p = {p_value}.",
                lang,
            )
        )
    return Section(KEY, tr(*TITLE, lang), tuple(paragraphs), tuple(tables), tuple(figures))

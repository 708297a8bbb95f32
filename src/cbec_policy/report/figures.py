"""The report's figures, drawn with matplotlib (Agg) and written as PNG and SVG.

Chinese labels need a CJK font; one from Debian's ``fonts-noto-cjk`` (or WenQuanYi) is
looked up through matplotlib's font manager, and a missing font is a clear error rather
than a figure full of empty boxes. SVG text is stored as paths, so the SVG files render the
same on a machine without the font.

Drawing is most of a report's time, so: each figure is built once and both files are saved
from the same ``Figure``; the constrained layout is solved once, before either file, and then
frozen, so savefig neither solves it again nor makes its dry-run draw; labels placed inside an
axes are left out of the layout so that it does not measure them; and the figures are
rendered in parallel worker processes (forked, so they share the computed results without
copying them). Figures are built on ``matplotlib.figure.Figure`` directly, not through
pyplot, so no global figure state is shared between figures or processes. Glyphs stay paths
in the SVG (``svg.fonttype = 'none'`` would be faster and smaller but would make the Chinese
text depend on the reader's fonts).
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and CI (networkx's drawing imports pyplot)

import networkx as nx
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cbec_policy.analysis.evolution import policy_type_of
from cbec_policy.analysis.pilots import REGION_CODE, REGION_ORDER
from cbec_policy.analysis.provinces import bundled_provinces
from cbec_policy.errors import CbecError
from cbec_policy.labels import POLICY_TYPES, THEMES
from cbec_policy.reference.loader import load_departments
from cbec_policy.report.computed_tables import department_name
from cbec_policy.report.i18n import region_label, theme_label, tr, type_label
from cbec_policy.report.results import Results

# Preferred first: Simplified-Chinese faces of Noto Sans CJK, then WenQuanYi, then other CJK faces.
CJK_FONT_NAMES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
)
FONT_PACKAGE = "fonts-noto-cjk"
TYPE_COLOURS = ("#c0392b", "#2471a3", "#239b56", "#7d3c98", "#d68910", "#17a589", "#566573", "#aab7b8")
REGION_COLOURS = {"东部": "#2471a3", "中部": "#d68910", "西部": "#239b56", "东北": "#7d3c98"}


class MissingFontError(CbecError):
    """No CJK font is installed, so Chinese text in figures would render as boxes."""


@cache
def find_cjk_font() -> str:
    """The family name of an installed CJK font; :class:`MissingFontError` naming the package if none."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for name in CJK_FONT_NAMES:
        if name in installed:
            return name
    for name in sorted(installed):  # any other CJK face is better than boxes
        if "CJK" in name or "WenQuanYi" in name:
            return name
    raise MissingFontError(
        f"no CJK font found for Chinese text in figures; install the Debian package {FONT_PACKAGE} "
        "(apt-get install fonts-noto-cjk) or fonts-wqy-microhei"
    )


PNG_DPI = 110  # sharp enough on screen and in print preview; more dots cost time and page weight


def _style() -> dict[str, object]:
    return {
        "font.family": [find_cjk_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,  # the CJK font lacks U+2212
        "svg.fonttype": "path",  # glyphs as paths: the SVG needs no font on the reader's machine
        "svg.hashsalt": "cbec-policy",  # stable ids so a rebuilt report diffs cleanly
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": PNG_DPI,  # the layout is solved at the dpi the PNG is written at
        # the layout is solved by hand in _save; a user's matplotlibrc must not add a second pass
        "figure.constrained_layout.use": False,
        "figure.autolayout": False,
    }


@dataclass(frozen=True)
class FigureFile:
    """One written figure: its key, caption and file paths, and the PNG bytes for inlining."""

    key: str
    title: str
    png: Path
    svg: Path
    png_bytes: bytes


def _new_axes(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure with one axes, an Agg canvas and the constrained layout (solved once, in :func:`_save`)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)  # the layout and the PNG share this canvas's renderer and its text measurements
    return fig, fig.subplots()


def _save(fig: Figure, key: str, title: str, out_dir: Path) -> FigureFile:
    """Write one drawn figure as PNG and SVG from the same ``Figure``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    engine = fig.get_layout_engine()
    if engine is not None:
        # Solve the layout once, then drop the engine: the axes keep their places (fractions of the
        # figure, so they hold for the 72-dpi SVG too), and savefig, seeing no engine, skips the
        # extra layout pass and the dry-run draw it otherwise makes before every file.
        engine.execute(fig)
        fig.set_layout_engine(None)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    png_bytes = buffer.getvalue()
    png = out_dir / f"{key}.png"
    svg = out_dir / f"{key}.svg"
    png.write_bytes(png_bytes)
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return FigureFile(key, title, png, svg, png_bytes)


def _year_fraction(day: date) -> float:
    return day.year + (day.timetuple().tm_yday - 1) / 365.25


# --------------------------------------------------------------------------- figures


def timeline(results: Results, lang: str) -> tuple[Figure, str]:
    """Period bands of the four frameworks above the policies plotted by date and type."""
    title = tr("政策时间线与四种阶段划分", "Policy timeline and the four periodisations", lang)
    policies = [p for p in results.inputs.policies if p.publish_date]
    years = [p.publish_date.year for p in policies] or [2013]  # type: ignore[union-attr]
    lo, hi = min(min(years), 2011) - 0.5, max(years) + 1.5
    codes = [label.code for label in POLICY_TYPES] + (
        ["unclassified"] if any(policy_type_of(p) == "unclassified" for p in policies) else []
    )
    fig, ax = _new_axes(12, 6.5)
    band_rows = len(results.frameworks)
    for row, framework in enumerate(results.frameworks):
        y = len(codes) + 0.8 + row
        for index, period in enumerate(framework.periods):
            start = max(lo, period.start if period.start is not None else lo)
            end = min(hi, (period.end + 1) if period.end is not None else hi)
            if end <= start:
                continue
            colour = ("#d6eaf8", "#fdebd0", "#d5f5e3")[index % 3]
            ax.add_patch(Rectangle((start, y - 0.4), end - start, 0.8, facecolor=colour, edgecolor="#7f8c8d", lw=0.6))
            name = tr(period.zh, period.en, lang)
            narrow = end - start < 2.2
            if narrow and len(name) > 4:  # a short period gets its name on two smaller lines
                name = name[: len(name) // 2] + "\n" + name[len(name) // 2 :]
            size = 6.5 if narrow else 8
            ax.text((start + end) / 2, y, name, ha="center", va="center", fontsize=size, in_layout=False)
    for index, code in enumerate(codes):
        xs = [_year_fraction(p.publish_date) for p in policies if policy_type_of(p) == code]  # type: ignore[arg-type]
        ax.scatter(xs, [index] * len(xs), s=36, color=TYPE_COLOURS[index % len(TYPE_COLOURS)], zorder=3, alpha=0.85)
    band_ticks = [len(codes) + 0.8 + row for row in range(band_rows)]
    band_names = [tr(f"阶段划分({f.key})", f"periods ({f.key})", lang) for f in results.frameworks]
    ax.set_yticks(list(range(len(codes))) + band_ticks, [type_label(code, lang) for code in codes] + band_names)
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.8, len(codes) + band_rows + 0.4)
    ax.set_xlabel(tr("公布日期", "publish date", lang))
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return fig, title


def _heatmap(rows: list[dict], keys: list[str], labels: list[str], title: str, lang: str) -> Figure:
    years = [row["year"] for row in rows]
    matrix = [[int(row.get(key, 0)) for row in rows] for key in keys]
    fig, ax = _new_axes(max(7, len(years) * 0.6), 0.55 * len(keys) + 1.6)
    image = ax.imshow(matrix, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=45)
    ax.set_yticks(range(len(keys)), labels)
    peak = max((max(r) for r in matrix if r), default=0)
    for i, values in enumerate(matrix):
        for j, value in enumerate(values):
            if value:
                ax.text(
                    j,
                    i,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if value > peak / 2 else "black",
                    in_layout=False,  # inside its cell: the layout need not measure it
                )
    fig.colorbar(image, ax=ax, shrink=0.8, label=tr("政策数", "policies", lang))
    ax.set_title(title)
    return fig


def year_type_heatmap(results: Results, lang: str) -> tuple[Figure, str]:
    """Policies per year and type."""
    title = tr("逐年政策类型", "Policies per year by type", lang)
    keys = [k for k in (results.year_type[0] if results.year_type else {}) if k not in ("year", "total")]
    return _heatmap(results.year_type, keys, [type_label(k, lang) for k in keys], title, lang), title


def year_theme_heatmap(results: Results, lang: str) -> tuple[Figure, str]:
    """Policies per year touching each theme."""
    title = tr("逐年政策主题", "Policies per year by theme", lang)
    keys = [label.code for label in THEMES]
    return _heatmap(results.year_theme, keys, [theme_label(k, lang) for k in keys], title, lang), title


def widening(results: Results, lang: str) -> tuple[Figure, str]:
    """Cumulative distinct themes (bars) and yearly Shannon diversity (line)."""
    title = tr("政策内容扩展：累计主题数与主题多样性", "Widening content: cumulative themes and diversity", lang)
    rows = results.widening
    years = [row["year"] for row in rows]
    fig, ax = _new_axes(10, 4.5)
    ax.bar(
        years,
        [row["cumulative_themes"] for row in rows],
        color="#aed6f1",
        label=tr("累计主题数", "cumulative themes", lang),
    )
    ax.set_ylim(0, len(THEMES) + 1)
    ax.set_ylabel(tr("累计主题数", "cumulative themes", lang))
    other = ax.twinx()
    other.plot(
        years,
        [row["shannon"] for row in rows],
        "o-",
        color="#c0392b",
        label=tr("当年香农多样性", "Shannon diversity", lang),
    )
    other.plot(
        years,
        [row["cumulative_shannon"] for row in rows],
        "--",
        color="#7d3c98",
        label=tr("累计香农多样性", "cumulative Shannon", lang),
    )
    other.set_ylim(0, math.log(len(THEMES)) * 1.1)
    other.set_ylabel(tr("香农指数", "Shannon index", lang))
    handles = ax.get_legend_handles_labels()
    more = other.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="lower right", fontsize=8)
    ax.set_title(title)
    return fig, title


def departments(results: Results, lang: str) -> tuple[Figure, str]:
    """Mean departments per policy and the share issued jointly, per year."""
    title = tr("每项政策的发文部门数", "Departments per policy", lang)
    rows = [row for row in results.departments if row["policies"]]
    years = [row["year"] for row in rows]
    fig, ax = _new_axes(10, 4.2)
    ax.bar(
        years,
        [row["joint_share"] for row in rows],
        color="#d5f5e3",
        label=tr("联合发文占比", "jointly issued share", lang),
    )
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(tr("联合发文占比", "jointly issued share", lang))
    other = ax.twinx()
    other.plot(
        years,
        [row["mean_departments"] for row in rows],
        "o-",
        color="#239b56",
        label=tr("平均部门数", "mean departments", lang),
    )
    other.set_ylabel(tr("平均部门数", "mean departments", lang))
    handles = ax.get_legend_handles_labels()
    more = other.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8)
    ax.set_title(title)
    return fig, title


def network(results: Results, lang: str) -> tuple[Figure, str]:
    """The joint-issuance network: node size by policies issued, edge width by co-issuances."""
    title = tr("联合发文网络", "Joint-issuance network", lang)
    full = results.network
    # Departments that never co-issued have no edge to place them by; they are listed under the plot.
    isolates = sorted(nx.isolates(full))
    graph = full.subgraph([n for n in full.nodes if n not in isolates])
    fig, ax = _new_axes(11, 8)
    if isolates:
        names = (
            "、".join(department_name(n, lang) for n in isolates)
            if lang == "zh"
            else "; ".join(department_name(n, lang) for n in isolates)
        )
        fig.text(0.01, 0.01, tr("单独发文（无联合发文）：", "Issued alone only: ", lang) + names, fontsize=8, wrap=True)
    if graph.number_of_nodes():
        positions = nx.kamada_kawai_layout(graph, weight=None)  # weights as distances would push close partners apart
        widths = [0.5 + 0.6 * graph[u][v]["weight"] for u, v in graph.edges]
        nx.draw_networkx_edges(graph, positions, ax=ax, width=widths, edge_color="#aab7b8", alpha=0.7)
        sizes = [120 + 60 * graph.nodes[n].get("policies", 1) for n in graph.nodes]
        nx.draw_networkx_nodes(graph, positions, ax=ax, node_size=sizes, node_color="#5dade2", alpha=0.9)
        labels = {n: short_department(n) if lang == "zh" else department_name(n, lang) for n in graph.nodes}
        nx.draw_networkx_labels(graph, positions, labels=labels, ax=ax, font_size=7, font_family=find_cjk_font())
    ax.margins(0.12)
    ax.set_axis_off()
    ax.set_title(title)
    return fig, title


def short_department(name: str) -> str:
    """The shortest known short form of a department (海关总署 stays, 国家税务总局 → 税务总局) for labels."""
    return _short_forms().get(name, name)


@cache
def _short_forms() -> dict[str, str]:
    # read the departments file once, not once per label
    return {d.name: min(d.short_forms, key=len) for d in load_departments() if d.short_forms}


def pilot_growth(results: Results, lang: str) -> tuple[Figure, str]:
    """Cumulative approvals and zones in force after each batch, with provinces covered."""
    title = tr("综试区扩围：累计获批、在运行与覆盖省份", "Pilot zones: approved, in force, provinces covered", lang)
    rows = results.batch_progress
    batches = [row["batch"] for row in rows]
    fig, ax = _new_axes(10, 4.8)
    ax.bar(
        [b - 0.2 for b in batches],
        [row["cumulative_approved"] for row in rows],
        width=0.4,
        color="#5dade2",
        label=tr("累计获批", "approved to date", lang),
    )
    ax.bar(
        [b + 0.2 for b in batches],
        [row["in_force"] for row in rows],
        width=0.4,
        color="#239b56",
        label=tr("在运行", "in force", lang),
    )
    for row in rows:
        ax.text(
            row["batch"] - 0.2,
            row["cumulative_approved"] + 2,
            str(row["cumulative_approved"]),
            ha="center",
            fontsize=8,
            in_layout=False,
        )
        ax.text(
            row["batch"] + 0.2,
            row["in_force"] + 2,
            str(row["in_force"]),
            ha="center",
            fontsize=8,
            color="#1e8449",
            in_layout=False,
        )
    ax.set_xticks(
        batches,
        [f"{tr('第', 'batch ', lang)}{row['batch']}{tr('批', '', lang)}\n{row['approval_date']:%Y-%m}" for row in rows],
    )
    ax.set_ylabel(tr("综试区数", "zones", lang))
    other = ax.twinx()
    other.plot(
        batches,
        [row["provinces_covered"] for row in rows],
        "s--",
        color="#d68910",
        label=tr("覆盖省份", "provinces covered", lang),
    )
    other.set_ylim(0, 33)
    other.set_ylabel(tr("覆盖省份数", "provinces", lang))
    handles = ax.get_legend_handles_labels()
    more = other.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8)
    ax.set_title(title)
    return fig, title


def region_balance(results: Results, lang: str) -> tuple[Figure, str]:
    """Region shares of zones in force after each batch (stacked) and the Theil index."""
    title = tr("区域结构与平衡指数（在运行综试区）", "Regional shares and balance (zones in force)", lang)
    rows = results.region_cumulative
    batches = [row["batch"] for row in rows]
    fig, ax = _new_axes(10, 4.8)
    bottom = [0.0] * len(rows)
    for region in REGION_ORDER:
        code = REGION_CODE[region]
        values = [float(row[f"{code}_share"] or 0) for row in rows]
        ax.bar(
            batches, values, bottom=bottom, color=REGION_COLOURS[region], label=region_label(region, lang), width=0.6
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylim(0, 1)
    ax.set_ylabel(tr("占比", "share", lang))
    ax.set_xticks(batches, [f"{tr('第', 'b', lang)}{b}{tr('批', '', lang)}" for b in batches])
    other = ax.twinx()
    other.plot(batches, [row["theil"] for row in rows], "ko-", label=tr("泰尔指数", "Theil index", lang))
    other.set_ylabel(tr("泰尔指数（0=与省份数成比例）", "Theil index (0 = proportional)", lang))
    handles = ax.get_legend_handles_labels()
    more = other.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper right", fontsize=8)
    ax.set_title(title)
    return fig, title


def province_map(results: Results, lang: str) -> tuple[Figure, str]:
    """Tile-grid map: one square per province at a fixed position, coloured by zones in force."""
    title = tr(
        f"各省在运行综试区数（{results.map_day}，方格示意图）",
        f"Zones in force per province ({results.map_day}, tile map)",
        lang,
    )
    counts = {row["province"]: row["zones"] for row in results.province_zones}
    provinces = bundled_provinces()
    peak = max(counts.values(), default=0) or 1
    cmap = matplotlib.colormaps["YlGnBu"]
    fig, ax = _new_axes(8.5, 8)
    for province in provinces:
        value = counts.get(province.name, 0)
        colour = cmap(0.12 + 0.88 * value / peak) if value else "#f2f3f4"
        ax.add_patch(
            Rectangle((province.col, -province.row), 0.94, 0.94, facecolor=colour, edgecolor="#566573", lw=0.8)
        )
        dark = value > peak * 0.55
        name = province.short if lang == "zh" else province.en
        ax.text(
            province.col + 0.47,
            -province.row + 0.6,
            name,
            ha="center",
            va="center",
            fontsize=8 if lang == "zh" else 6.5,
            color="white" if dark else "black",
            in_layout=False,  # inside its tile: the layout need not measure it
        )
        ax.text(
            province.col + 0.47,
            -province.row + 0.28,
            str(value),
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
            color="white" if dark else "black",
            in_layout=False,
        )
    cols = [p.col for p in provinces]
    rows = [p.row for p in provinces]
    ax.set_xlim(min(cols) - 0.2, max(cols) + 1.1)
    ax.set_ylim(-max(rows) - 0.2, -min(rows) + 1.1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    scalar = ScalarMappable(cmap=cmap, norm=Normalize(0, peak))
    fig.colorbar(scalar, ax=ax, shrink=0.6, label=tr("综试区数", "zones", lang))
    ax.set_title(title)
    return fig, title


def positive_list_steps(results: Results, lang: str) -> tuple[Figure, str]:
    """Tariff lines on the positive list over time (step chart from each effective date)."""
    title = tr("零售进口正面清单税目数", "Tariff lines on the retail import positive list", lang)
    rows = results.positive_list
    fig, ax = _new_axes(9, 4)
    if rows:
        xs = [_year_fraction(row["effective"]) for row in rows]
        ys = [row["tariff_lines"] for row in rows]
        ax.step([*xs, max(xs[-1] + 1, 2025.0)], [*ys, ys[-1]], where="post", color="#2471a3")
        ax.scatter(xs, ys, color="#2471a3", zorder=3)
        for x, y, row in zip(xs, ys, rows, strict=True):
            ax.annotate(f"{y}\n{row['doc_number']}", (x, y), textcoords="offset points", xytext=(4, 6), fontsize=8)
        ax.set_ylim(min(ys) - 100, max(ys) + 120)
    ax.set_ylabel(tr("税目数", "tariff lines", lang))
    ax.set_xlabel(tr("施行日期", "effective date", lang))
    ax.set_title(title)
    return fig, title


def trade_chart(results: Results, lang: str) -> tuple[Figure, str]:
    """Full-year CBEC trade by release type, with the series break and pilot batches marked."""
    title = tr("跨境电商进出口总额（亿元）与政策事件", "CBEC trade (100 million yuan) and policy events", lang)
    rows = [row for row in results.trade_series if row["total"] is not None]
    fig, ax = _new_axes(10, 4.8)
    styles = {
        "survey": ("#1f618d", "", tr("统计调查数", "survey", lang)),
        "preliminary": ("#85c1e9", "", tr("初步数", "preliminary", lang)),
        "backcast": ("#d5d8dc", "//", tr("回溯数", "back-cast", lang)),
        "unknown": ("#fad7a0", "..", tr("来源待核", "unverified", lang)),
    }
    seen: set[str] = set()
    for row in rows:
        colour, hatch, label = styles.get(row["release"], styles["unknown"])
        if not row["comparable_series"]:
            colour, hatch, label = (
                "#f5b7b1",
                "xx",
                tr("早期窄口径（不可比）", "early narrow series (not comparable)", lang),
            )
        key = label
        ax.bar(
            row["year"],
            row["total"],
            color=colour,
            hatch=hatch,
            edgecolor="#566573",
            label=None if key in seen else label,
        )
        seen.add(key)
        ax.text(row["year"], row["total"] + 300, f"{row['total']:g}", ha="center", fontsize=7, in_layout=False)
    top = max((row["total"] for row in rows), default=1) * 1.3
    ax.set_ylim(0, top)
    for batch in results.batch_progress:
        x = _year_fraction(batch["approval_date"])
        ax.axvline(x, color="#239b56", lw=0.8, ls=":")
        ax.text(
            x,
            top * 0.99,
            f"{tr('第', 'b', lang)}{batch['batch']}{tr('批', '', lang)}",
            rotation=90,
            fontsize=7,
            color="#1e8449",
            va="top",
            in_layout=False,
        )
    if results.trade_break.get("has_break") and results.trade_break.get("first_comparable_year"):
        ax.axvline(results.trade_break["first_comparable_year"] - 0.5, color="#c0392b", lw=1.2)
    ax.set_ylabel(tr("亿元", "100 million yuan", lang))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, 0.86))
    ax.set_title(title)
    return fig, title


FIGURES: tuple[tuple[str, Callable[[Results, str], tuple[Figure, str]]], ...] = (
    ("timeline", timeline),
    ("year_by_type", year_type_heatmap),
    ("year_by_theme", year_theme_heatmap),
    ("content_widening", widening),
    ("departments_per_year", departments),
    ("issuer_network", network),
    ("pilot_growth", pilot_growth),
    ("region_balance", region_balance),
    ("province_map", province_map),
    ("positive_list", positive_list_steps),
    ("trade", trade_chart),
)


# Rough drawing cost, most expensive first: handing the slow figures out first keeps both workers
# busy until the end instead of leaving one finishing a slow figure alone.
_COST_ORDER = ("issuer_network", "year_by_theme", "province_map", "pilot_growth", "timeline", "year_by_type")

# What a worker draws from: set by the pool's initializer (inherited through fork, not pickled).
_JOB: tuple[Results, Path, str] | None = None


def _set_job(results: Results, out_dir: Path, lang: str) -> None:
    global _JOB
    _JOB = (results, out_dir, lang)


def _clear_job() -> None:
    global _JOB
    _JOB = None


def _render_one(key: str) -> FigureFile:
    """Draw and save one figure of the current job (in a worker process, or in this one)."""
    if _JOB is None:
        raise RuntimeError("no figure job set")
    results, out_dir, lang = _JOB
    with matplotlib.rc_context(_style()):
        fig, title = dict(FIGURES)[key](results, lang)
        return _save(fig, key, title, out_dir)


def figure_workers(requested: int | None = None) -> int:
    """How many processes draw figures: ``requested``, else $CBEC_REPORT_WORKERS, else the usable CPUs.

    1 means drawing in this process. Parallel drawing needs the 'fork' start method (Linux); where
    it is missing, or where this process runs other threads (a web server's worker thread: a forked
    child could inherit a lock another thread holds and hang), figures are drawn here one after another.
    """
    if requested is None:
        env = os.environ.get("CBEC_REPORT_WORKERS", "").strip()
        if env.isdigit():
            requested = int(env)
        else:
            requested = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1
    return max(1, min(requested, len(FIGURES)))


def render_figures(
    results: Results,
    out_dir: Path,
    lang: str = "zh",
    *,
    workers: int | None = None,
    on_figure: Callable[[str], None] | None = None,
) -> dict[str, FigureFile]:
    """Draw every figure into ``out_dir`` as PNG and SVG; returns them keyed, in report order.

    ``workers`` processes draw in parallel (see :func:`figure_workers`); ``on_figure`` is called
    with each figure's key as it is written (for a progress display).
    """
    find_cjk_font()  # resolved once here, so forked workers inherit the answer
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = [key for key, _draw in FIGURES]
    count = figure_workers(workers)
    written: dict[str, FigureFile] = {}
    if count == 1:
        _set_job(results, out_dir, lang)
        try:
            for key in keys:
                written[key] = _render_one(key)
                if on_figure:
                    on_figure(key)
        finally:
            _clear_job()
    else:
        order = sorted(keys, key=lambda k: _COST_ORDER.index(k) if k in _COST_ORDER else len(_COST_ORDER))
        context = multiprocessing.get_context("fork")
        job = (results, out_dir, lang)
        with ProcessPoolExecutor(count, mp_context=context, initializer=_set_job, initargs=job) as pool:
            futures = {pool.submit(_render_one, key): key for key in order}
            for future in as_completed(futures):
                try:
                    written[futures[future]] = future.result()  # a worker's error is raised here
                except BaseException:
                    for other in futures:  # do not draw the rest of a report that has failed
                        other.cancel()
                    raise
                if on_figure:
                    on_figure(futures[future])
    return {key: written[key] for key in keys}

"""Figures of the national corpus: timeline, types and themes per year, widening, departments, network."""

from __future__ import annotations

import math

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cbec_policy.analysis import policy_type_of
from cbec_policy.departments import shortest_short_forms
from cbec_policy.i18n import theme_label, tr, type_label
from cbec_policy.labels import POLICY_TYPES, THEMES
from cbec_policy.report.chart_base import TYPE_COLOURS, find_cjk_font
from cbec_policy.report.chart_base import new_axes as _new_axes
from cbec_policy.report.chart_base import year_fraction as _year_fraction
from cbec_policy.report.computed_tables import department_name
from cbec_policy.report.results import Results


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
    # each band row is named by its framework (the reference it comes from), not by an internal key
    band_names = [tr(f.zh, f.en, lang) for f in results.frameworks]
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
    return shortest_short_forms().get(name, name)

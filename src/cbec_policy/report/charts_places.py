"""Figures of places and numbers: pilot zones, regional balance, province maps, positive list, trade."""

from __future__ import annotations

import matplotlib
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cbec_policy.analysis import REGION_CODE, REGION_ORDER, bundled_provinces
from cbec_policy.i18n import region_label, release_label, tr
from cbec_policy.labels import colour as colour_of
from cbec_policy.report.chart_base import REGION_COLOURS
from cbec_policy.report.chart_base import new_axes as _new_axes
from cbec_policy.report.chart_base import year_fraction as _year_fraction
from cbec_policy.report.results import Results


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
    # batch 1 is one zone: a share of 100 % says nothing about balance
    rows = [row for row in results.region_cumulative if int(row["zones"]) >= 2]
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
    other.plot(
        batches, [row["theil"] for row in rows], "ko-", label=tr("泰尔指数（观测）", "Theil index (observed)", lang)
    )
    balance = next((c for c in results.claims if c.key == "regional_balance"), None)
    if balance is not None and balance.numbers.get("series"):
        corrected = {int(r["batch"]): float(r["corrected"]) for r in balance.numbers["series"]}
        other.plot(
            batches,
            [corrected.get(int(b), float("nan")) for b in batches],
            "s--",
            color="#c0392b",
            label=tr("泰尔指数（减去按比例分配的期望值）", "Theil index minus its expectation if proportional", lang),
        )
        other.axhline(0, color="#7f8c8d", lw=0.6)
    other.set_ylabel(tr("泰尔指数（0=与省份数成比例）", "Theil index (0 = proportional)", lang))
    handles = ax.get_legend_handles_labels()
    more = other.get_legend_handles_labels()
    # below the axes: inside, the legend would hide the top of the stacked bars
    ax.legend(
        handles[0] + more[0], handles[1] + more[1], loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, fontsize=8
    )
    ax.set_title(title)
    return fig, title


def _tile_map(counts: dict[str, int], title: str, label: str, lang: str, cmap_name: str) -> Figure:
    """Tile-grid map: one square per province at a fixed position, coloured by ``counts``."""
    provinces = bundled_provinces()
    peak = max(counts.values(), default=0) or 1
    cmap = matplotlib.colormaps[cmap_name]
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
    fig.colorbar(scalar, ax=ax, shrink=0.6, label=label)
    ax.set_title(title)
    return fig


def province_map(results: Results, lang: str) -> tuple[Figure, str]:
    """Zones in force per province on the map day."""
    title = tr(
        f"各省在运行综试区数（{results.map_day}，方格示意图）",
        f"Zones in force per province ({results.map_day}, tile map)",
        lang,
    )
    counts = {row["province"]: row["zones"] for row in results.province_zones}
    return _tile_map(counts, title, tr("综试区数", "zones", lang), lang, "YlGnBu"), title


def local_map(results: Results, lang: str) -> tuple[Figure, str]:
    """Local CBEC documents per province in the data (0 = none in the data, not none issued)."""
    title = tr("各省地方跨境电商政策文件数（方格示意图）", "Local CBEC documents per province (tile map)", lang)
    counts = {row["group"]: int(row["documents"]) for row in results.local_by_province}
    return _tile_map(
        counts, title, tr("地方文件数（0=数据中没有）", "local documents (0 = none in the data)", lang), lang, "OrRd"
    ), title


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
        ax.set_ylim(0, max(ys) * 1.2)  # from zero: a truncated axis would exaggerate each step
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
        # Colours and words of the release types are the vocabulary's; the hatching is the chart's.
        release: (colour_of("release_types", release), hatch, release_label(release, lang))
        for release, hatch in (("survey", ""), ("preliminary", ""), ("backcast", "//"), ("unknown", ".."))
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
        x = results.trade_break["first_comparable_year"] - 0.5
        ax.axvline(x, color="#c0392b", lw=1.2)
        ax.text(
            x - 0.1,
            top * 0.6,
            tr(
                "口径变化：此前为早期窄口径，不可比",
                "series break: earlier figures are a narrower, incomparable series",
                lang,
            ),
            rotation=90,
            fontsize=7,
            color="#c0392b",
            ha="right",
            va="center",
            in_layout=False,
        )
    ax.set_ylabel(tr("亿元", "100 million yuan", lang))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, 0.86))
    ax.set_title(title)
    return fig, title

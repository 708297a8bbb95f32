"""Figures of the evaluation: a PMC surface per policy, a PMC comparison, the treatment timing,
and an event study. Each function draws one matplotlib ``Figure`` from plain results and returns
it; writing files (PNG, SVG) and the CJK font are the caller's business, so the report, the web
page and the command line all draw the same figure.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from cbec_policy.evaluation.did import DidResult
from cbec_policy.evaluation.pmc import PmcResult, PolicyEvaluation
from cbec_policy.evaluation.treatment import TreatmentRow

_CMAP = "RdYlGn"  # low scores red, high green: the reading PMC studies use


def _figure(width: float, height: float, font: str | None) -> Figure:
    del font  # the font is set on every text once drawn (see _fonted)
    return Figure(figsize=(width, height), layout="constrained")


def _fonted(fig: Figure, font: str | None) -> None:
    """Put the caller's CJK face first on every text, so Chinese labels never show as boxes."""
    if font:
        for text in fig.findobj(match=lambda artist: hasattr(artist, "set_fontfamily")):
            text.set_fontfamily([font, "DejaVu Sans"])


def pmc_surface(result: PmcResult, evaluation: PolicyEvaluation, font: str | None = None) -> Figure:
    """The policy's PMC surface: a 3-D surface of its surface matrix beside the same values as a heat map."""
    scheme = result.scheme
    values = np.array(evaluation.score.surface, dtype=float)
    rows, columns = values.shape
    order = np.array(scheme.surface_variables).reshape(
        (rows, columns), order="F" if scheme.surface_order == "column" else "C"
    )
    fig = _figure(9.0, 4.2, font)
    surface_axes = fig.add_subplot(1, 2, 1, projection="3d")
    grid_x, grid_y = np.meshgrid(np.arange(1, columns + 1), np.arange(1, rows + 1))
    surface_axes.plot_surface(grid_x, grid_y, values, cmap=_CMAP, vmin=0, vmax=1, edgecolor="grey", linewidth=0.4)
    surface_axes.set_zlim(0, 1)
    surface_axes.set_xticks(range(1, columns + 1))
    surface_axes.set_yticks(range(1, rows + 1))
    surface_axes.set_title(f"PMC = {evaluation.score.pmc_rounded:.{scheme.decimals}f}（{evaluation.score.grade_zh}）")
    heat = fig.add_subplot(1, 2, 2)
    heat.imshow(values, cmap=_CMAP, vmin=0, vmax=1)
    for (r, c), value in np.ndenumerate(values):
        name = scheme.primary(str(order[r, c])).zh
        heat.text(c, r, f"{order[r, c]} {name}\n{value:.2f}", ha="center", va="center", fontsize=8)
    heat.set_xticks([])
    heat.set_yticks([])
    heat.set_title(f"{scheme.surface_order}-wise")
    fig.suptitle(evaluation.title[:48], fontsize=10)
    _fonted(fig, font)
    return fig


def pmc_comparison(result: PmcResult, font: str | None = None, limit: int = 30) -> Figure:
    """The league: each policy's PMC as a bar, stacked by primary variable, best first."""
    league = result.league()[:limit]
    scheme = result.scheme
    fig = _figure(9.0, max(3.0, 0.28 * len(league) + 1.2), font)
    axes = fig.add_subplot(1, 1, 1)
    labels = [p.policy_id for p in league][::-1]
    left = np.zeros(len(league))
    for index, primary in enumerate(scheme.primaries):
        widths = np.array([p.score.primaries[primary.code] for p in league][::-1])
        axes.barh(labels, widths, left=left, label=f"{primary.code} {primary.zh}", color=f"C{index % 10}")
        left += widths
    for y, total in enumerate(left):
        axes.text(total + 0.05, y, f"{total:.{scheme.decimals}f}", va="center", fontsize=8)
    for band in scheme.grades[:-1]:
        axes.axvline(band.min, color="grey", linestyle=":", linewidth=0.8)
    axes.set_xlim(0, len(scheme.primaries) + 0.8)
    axes.set_xlabel("PMC")
    axes.legend(fontsize=7, ncol=2, loc="lower right")
    _fonted(fig, font)
    return fig


def treatment_timing(rows: Sequence[TreatmentRow], font: str | None = None) -> Figure:
    """Provinces × first treated year: how many units each province gets treated in each year."""
    treated = [r for r in rows if r.first_treated_year is not None]
    provinces = sorted(
        {r.province for r in rows}, key=lambda p: min((r.first_treated_year or 9999) for r in rows if r.province == p)
    )
    years = sorted({r.first_treated_year for r in treated if r.first_treated_year is not None})
    counts = Counter((r.province, r.first_treated_year) for r in treated)
    grid = np.array([[counts.get((p, y), 0) for y in years] for p in provinces], dtype=float)
    fig = _figure(7.5, max(4.0, 0.22 * len(provinces) + 1.0), font)
    axes = fig.add_subplot(1, 1, 1)
    axes.imshow(np.where(grid > 0, grid, np.nan), cmap="Blues", aspect="auto", vmin=0)
    for (r, c), value in np.ndenumerate(grid):
        if value:
            axes.text(c, r, str(int(value)), ha="center", va="center", fontsize=7)
    axes.set_xticks(range(len(years)), [str(y) for y in years])
    axes.set_yticks(range(len(provinces)), provinces, fontsize=7)
    never = sum(1 for r in rows if r.first_treated_year is None)
    axes.set_title(f"首次处理年份 first treated year（从未处理 never treated: {never}）", fontsize=9)
    _fonted(fig, font)
    return fig


def event_study(result: DidResult | Mapping[str, Any], font: str | None = None, z: float = 1.959964) -> Figure:
    """Dynamic (event-time) ATT with 95% pointwise intervals, and the static TWFE estimate as a line.

    Takes a result or its JSON form (``cbec did estimate --format json``), so a report can draw
    the estimate a researcher ran earlier.
    """
    answer = result.to_dict() if isinstance(result, DidResult) else result
    rows = [r for r in answer["details"]["dynamic"] if r["estimate"] is not None]
    event = np.array([r["event_time"] for r in rows], dtype=float)
    att = np.array([r["estimate"] for r in rows], dtype=float)
    se = np.array([r["se"] if r["se"] is not None else np.nan for r in rows], dtype=float)
    fig = _figure(7.0, 3.8, font)
    axes = fig.add_subplot(1, 1, 1)
    pre = event < 0
    axes.errorbar(event[pre], att[pre], yerr=z * se[pre], fmt="o", color="#7f7f7f", capsize=3, label="pre-treatment")
    axes.errorbar(
        event[~pre], att[~pre], yerr=z * se[~pre], fmt="o", color="#0072B2", capsize=3, label="post-treatment"
    )
    axes.axhline(0, color="black", linewidth=0.8)
    axes.axhline(answer["twfe"]["estimate"], color="#D55E00", linestyle="--", linewidth=1, label="TWFE (static)")
    axes.axvline(-0.5, color="grey", linestyle=":", linewidth=0.8)
    axes.set_xlabel("event time (periods since first treatment)")
    axes.set_ylabel("ATT")
    p_value = answer["pretrend"].get("p_value")
    title = "Callaway & Sant'Anna event study"
    if p_value is not None:
        title += f" — pre-trend Wald p = {p_value:.3f}"
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=8)
    _fonted(fig, font)
    return fig


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (for a web page or a file)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()

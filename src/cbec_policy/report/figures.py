"""The report's figures, drawn with matplotlib (Agg) and written as PNG (200 dpi) and SVG.

Drawing is most of a report's time, so each figure is built once and saved twice (see
:mod:`cbec_policy.report.chart_base`), and the figures are rendered in parallel worker
processes (forked, so they share the computed results without copying them). Figures are built
on ``matplotlib.figure.Figure`` directly, not through pyplot, so no global figure state is
shared between figures or processes. The drawing functions live in ``charts_policy`` (the
national corpus) and ``charts_places`` (zones, regions, maps, positive list, trade).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from cbec_policy.report.chart_base import (
    PNG_DPI,
    FigureFile,
    MissingFontError,
    figure_style,
    find_cjk_font,
    save_figure,
)
from cbec_policy.report.charts_places import (
    local_map,
    pilot_growth,
    positive_list_steps,
    province_map,
    region_balance,
    trade_chart,
)
from cbec_policy.report.charts_policy import (
    departments,
    network,
    timeline,
    widening,
    year_theme_heatmap,
    year_type_heatmap,
)
from cbec_policy.report.results import Results

__all__ = ["FIGURES", "PNG_DPI", "FigureFile", "MissingFontError", "figure_workers", "find_cjk_font", "render_figures"]

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
    ("local_map", local_map),
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
    with matplotlib.rc_context(figure_style()):
        fig, title = dict(FIGURES)[key](results, lang)
        return save_figure(fig, key, title, out_dir)


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

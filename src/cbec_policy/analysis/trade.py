"""CBEC import/export series: the best available release per year, growth, revisions and the
pre-2020 series break (§4.1.3).

Customs publishes a preliminary figure in January (or July for a half-year) and replaces it
months later with a statistical-survey figure, and the series before 2020 covered a much
narrower scope. A growth rate is therefore computed only between two figures of the same
release (one publication, known by its source) — never a survey figure over a preliminary
base — and the published growth rate is shown beside it. Projections are flagged and never
used as data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from cbec_policy.analysis.provenance import is_projection, trade_status
from cbec_policy.models import TradeStat

# A later, more complete release wins: the survey replaces the preliminary figure.
RELEASE_RANK: dict[str, int] = {"survey": 3, "preliminary": 2, "backcast": 1, "unknown": 0}
MEASURES: tuple[str, ...] = ("total", "export", "import_")


def value_of(stat: TradeStat, measure: str) -> float | None:
    """The value of ``total``, ``export`` or ``import``/``import_`` in a stat row."""
    return {"total": stat.total, "export": stat.export, "import": stat.import_, "import_": stat.import_}[measure]


def yoy_of(stat: TradeStat, measure: str) -> float | None:
    """The published year-on-year growth (%) of a measure in a stat row."""
    return {
        "total": stat.total_yoy_pct,
        "export": stat.export_yoy_pct,
        "import": stat.import_yoy_pct,
        "import_": stat.import_yoy_pct,
    }[measure]


def vintage_of(stat: TradeStat) -> str:
    """The release a figure belongs to: figures published together share their source."""
    return stat.source_url


def same_vintage_growth(current: TradeStat, previous: TradeStat, measure: str = "total") -> float | None:
    """Growth (%) of ``measure`` from ``previous`` to ``current``, only within one release and one series."""
    if vintage_of(current) != vintage_of(previous):
        return None
    if not (current.comparable_series and previous.comparable_series):
        return None
    return _growth(value_of(current, measure), value_of(previous, measure))


def best_releases(stats: Iterable[TradeStat], period: str = "full-year") -> dict[int, TradeStat]:
    """Per year, the most authoritative release for ``period`` (survey over preliminary over others).

    Projections are left out: they are not data.
    """
    best: dict[int, TradeStat] = {}
    for stat in stats:
        if stat.period != period or is_projection(stat):
            continue
        current = best.get(stat.year)
        if current is None or RELEASE_RANK.get(stat.release, 0) > RELEASE_RANK.get(current.release, 0):
            best[stat.year] = stat
    return dict(sorted(best.items()))


def _growth(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return round((current / previous - 1) * 100, 1)


def trade_series(stats: Sequence[TradeStat], period: str = "full-year") -> list[dict[str, Any]]:
    """One row per year: best release, values, provenance, published and computed growth.

    ``computed_yoy_pct`` is set only when the previous year's figure comes from the same release
    and series (:func:`same_vintage_growth`); otherwise ``growth_note`` says why it is empty
    (``cross_vintage``, ``series_break`` or ``no_previous``). ``other_releases`` lists the values
    this row supersedes; ``projections`` the projected figures of the period (never a data row).
    """
    best = best_releases(stats, period)
    rows = []
    for year, stat in best.items():
        previous = best.get(year - 1)
        same_release = [
            s for s in stats if s.period == period and s.year == year - 1 and vintage_of(s) == vintage_of(stat)
        ]
        computed = same_vintage_growth(stat, same_release[0]) if same_release else None
        if computed is not None:
            note = ""
        elif previous is None:
            note = "no_previous"
        elif not (previous.comparable_series and stat.comparable_series):
            note = "series_break"
        else:
            note = "cross_vintage"
        others = [
            f"{s.release}: {s.total:g}" if s.total is not None else s.release
            for s in stats
            if s.period == period and s.year == year and s is not stat and not is_projection(s)
        ]
        rows.append(
            {
                "year": year,
                "period": period,
                "total": stat.total,
                "export": stat.export,
                "import": stat.import_,
                "release": stat.release,
                "comparable_series": stat.comparable_series,
                "published_yoy_pct": stat.total_yoy_pct,
                "computed_yoy_pct": computed,
                "growth_note": note,
                "provenance": {m: trade_status(stat, m) for m in ("total", "export", "import")},
                "other_releases": others,
                "source_url": stat.source_url,
            }
        )
    return rows


def projections(stats: Sequence[TradeStat]) -> list[TradeStat]:
    """Projected figures: kept visible as such, never plotted or compared as data."""
    return [s for s in stats if is_projection(s)]


def revisions(stats: Sequence[TradeStat]) -> list[dict[str, Any]]:
    """Every (year, period) with both a preliminary and a survey release: how much the survey changed."""
    grouped: dict[tuple[int, str], dict[str, TradeStat]] = defaultdict(dict)
    for stat in stats:
        grouped[(stat.year, stat.period)][stat.release] = stat
    rows = []
    for (year, period), releases in sorted(grouped.items()):
        if "preliminary" not in releases or "survey" not in releases:
            continue
        first, final = releases["preliminary"], releases["survey"]
        rows.append(
            {
                "year": year,
                "period": period,
                "preliminary_total": first.total,
                "survey_total": final.total,
                "change": round(final.total - first.total, 1) if first.total and final.total else None,
                "change_pct": _growth(final.total, first.total),
                "preliminary_yoy_pct": first.total_yoy_pct,
                "survey_yoy_pct": final.total_yoy_pct,
            }
        )
    return rows


def series_break(stats: Sequence[TradeStat]) -> dict[str, Any]:
    """Where the narrow early series ends and the comparable full-scope series begins."""
    narrow = sorted({s.year for s in stats if not s.comparable_series})
    full = sorted({s.year for s in stats if s.comparable_series})
    return {
        "narrow_years": narrow,
        "first_comparable_year": full[0] if full else None,
        "has_break": bool(narrow and full),
    }

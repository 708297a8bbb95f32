"""A parameter over time as an inline SVG step chart (no script, no CDN): the legislation explorer's picture.

Numeric values (limits, rates) are drawn as steps from each start date to the next; a
list of rates (the postal bands) draws one step line per band; other values (flags, lists
of codes) have no chart and the page shows their table only.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

WIDTH, HEIGHT, PAD = 560, 150, 36
_START, _END = date(2006, 1, 1), date(2028, 12, 31)
_COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700")


def _series(record: dict[str, Any]) -> list[list[tuple[date, date, float]]]:
    """Steps per series: (from, to, value); empty when the values are not numbers."""
    series: list[list[tuple[date, date, float]]] = []
    for value in record["values"]:
        start = date.fromisoformat(value["from"]) if value["from"] else _START
        end = date.fromisoformat(value["to"]) if value["to"] else _END
        raw = value["value"]
        numbers = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            return []
        while len(series) < len(numbers):
            series.append([])
        for index, number in enumerate(numbers):
            series[index].append((max(start, _START), min(end, _END), float(number)))
    return series


def _x(day: date) -> float:
    span = (_END - _START).days
    return PAD + (WIDTH - 2 * PAD) * (day - _START).days / span


def step_chart_svg(record: dict[str, Any]) -> str | None:
    """The SVG markup of a parameter's steps over 2006–2028, or None when it has no numbers."""
    series = _series(record)
    if not series:
        return None
    top = max(value for steps in series for _, _, value in steps) or 1.0

    def y(value: float) -> float:
        return HEIGHT - PAD + -(HEIGHT - 2 * PAD) * value / top

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(record["name"])} over time" class="param-chart">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>',
    ]
    for year in range(2008, 2029, 4):
        x = _x(date(year, 1, 1))
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD + 14}" font-size="10" text-anchor="middle">{year}</text>')
    for index, steps in enumerate(series):
        colour = _COLOURS[index % len(_COLOURS)]
        for start, end, value in steps:
            parts.append(
                f'<line x1="{_x(start):.1f}" y1="{y(value):.1f}" x2="{_x(end):.1f}" y2="{y(value):.1f}" '
                f'stroke="{colour}" stroke-width="2"><title>{start}–{end}: {value:g}</title></line>'
            )
            parts.append(
                f'<text x="{_x(start) + 2:.1f}" y="{y(value) - 3:.1f}" font-size="10" fill="{colour}">{value:g}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)

"""Charts as inline SVG built on the server: no JavaScript library, no CDN, readable offline.

Every function takes plain numbers and labels and returns :class:`markupsafe.Markup`; every
label is escaped here, so stored text cannot inject markup through a chart. Layout only —
the numbers come from :mod:`cbec_policy.web.stats`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup, escape

from cbec_policy.labels import POLICY_TYPES

# One colour per policy type, in the paper's Table 1 order, as vocabularies.yaml gives them.
TYPE_COLOURS = tuple(label.colour for label in POLICY_TYPES)
BAND_COLOURS = ("#f2f2f2", "#e3ecf7", "#f7ebe3", "#e6f4ec")


@dataclass(frozen=True)
class TimelinePoint:
    """One policy on the timeline."""

    year_fraction: float  # e.g. 2016.23
    colour_index: int
    label: str
    href: str


@dataclass(frozen=True)
class Band:
    """A shaded period on a time axis (end is exclusive; None = open-ended)."""

    label: str
    start: float
    end: float | None


def _e(value: object) -> str:
    return str(escape(value))


def _fit(label: str, room: float) -> str:
    """A smaller font size for ``label`` when it would overflow ``room`` units (else nothing).

    Latin letters take about 0.6 em, CJK characters 1 em at the chart's 12-13 px: long English
    names (Inner Mongolia, Heilongjiang) and band labels of short periods would spill over.
    """
    estimate = sum(1.0 if ord(char) > 0x2E80 else 0.6 for char in label) * 12.5
    if estimate <= room or room <= 0:
        return ""
    # An inline style, because the stylesheet's font size would override a presentation attribute.
    return f' style="font-size: {max(7.0, 12.5 * room / estimate):.1f}px"'


def policy_href(policy_id: str) -> str:
    """The URL of a policy page (the id may hold any character, so it is percent-encoded)."""
    return "/policies/" + quote(policy_id, safe="")


def timeline_svg(
    points: Sequence[TimelinePoint], bands: Sequence[Band], first_year: int, last_year: int, title: str
) -> Markup:
    """Policies as dots on a year axis, stacked when they fall in the same year, over period bands."""
    width, left, right, top = 900, 30, 20, 26
    span = max(1, last_year + 1 - first_year)
    stacks: dict[int, int] = {}
    for point in points:
        stacks[int(point.year_fraction)] = stacks.get(int(point.year_fraction), 0) + 1
    tallest = max(stacks.values(), default=1)
    step = 11 if tallest <= 12 else max(3, 132 // tallest)
    height = top + tallest * step + 40

    def x(value: float) -> float:
        return left + (value - first_year) / span * (width - left - right)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>'
    ]
    parts.extend(_band_parts(bands, first_year, last_year, x, top, height))
    base = height - 30
    parts.extend(_axis_parts(first_year, last_year, x, base, width - right, left))
    placed: dict[int, int] = {}
    for point in sorted(points, key=lambda p: p.year_fraction):
        year = int(point.year_fraction)
        level = placed.get(year, 0)
        placed[year] = level + 1
        cx = x(year + 0.5)
        cy = base - 8 - level * step
        colour = TYPE_COLOURS[point.colour_index % len(TYPE_COLOURS)]
        parts.append(
            f'<a href="{_e(point.href)}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{min(5, step / 2 - 0.5):.1f}" '
            f'fill="{colour}"><title>{_e(point.label)}</title></circle></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Segment:
    """One policy type's share of a year on the dense timeline: its count, colour and list link."""

    colour_index: int
    count: int
    label: str
    href: str


def timeline_columns_svg(
    years: dict[int, Sequence[Segment]], bands: Sequence[Band], first_year: int, last_year: int, title: str
) -> Markup:
    """The timeline of a large corpus: each year a column of its policies stacked by type, over the period bands.

    Drawn instead of one dot per policy when there are more than the dashboard lists: the
    columns stand where the year's dots would stand, and each segment links to that year's
    policies of that type.
    """
    width, left, right, top, room = 900, 30, 20, 26, 160
    span = max(1, last_year + 1 - first_year)
    height = top + room + 40
    peak = max((sum(seg.count for seg in segments) for segments in years.values()), default=1) or 1

    def x(value: float) -> float:
        return left + (value - first_year) / span * (width - left - right)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>'
    ]
    parts.extend(_band_parts(bands, first_year, last_year, x, top, height))
    base = height - 30
    parts.extend(_axis_parts(first_year, last_year, x, base, width - right, left))
    column = max(2.0, (width - left - right) / span * 0.6)
    for year, segments in sorted(years.items()):
        y = float(base)
        total = sum(seg.count for seg in segments)
        for seg in segments:
            size = room * seg.count / peak
            y -= size
            colour = TYPE_COLOURS[seg.colour_index % len(TYPE_COLOURS)]
            parts.append(
                f'<a href="{_e(seg.href)}"><rect x="{x(year + 0.5) - column / 2:.1f}" y="{y:.1f}" '
                f'width="{column:.1f}" height="{size:.1f}" fill="{colour}"><title>{year} {_e(seg.label)}: '
                f"{seg.count}</title></rect></a>"
            )
        parts.append(f'<text x="{x(year + 0.5):.1f}" y="{y - 4:.1f}" text-anchor="middle" class="value">{total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _band_parts(
    bands: Sequence[Band], first_year: int, last_year: int, x: Callable[[float], float], top: int, height: int
) -> list[str]:
    parts = []
    for index, band in enumerate(bands):
        start = max(band.start, first_year)
        end = min(band.end if band.end is not None else last_year + 1, last_year + 1)
        if end <= start:
            continue
        parts.append(
            f'<rect x="{x(start):.1f}" y="{top - 18}" width="{x(end) - x(start):.1f}" height="{height - top - 4}" '
            f'fill="{BAND_COLOURS[index % len(BAND_COLOURS)]}"/>'
            f'<text x="{x(start) + 4:.1f}" y="{top - 6}" class="band-label"{_fit(band.label, x(end) - x(start) - 8)}>'
            f"<title>{_e(band.label)}</title>{_e(band.label)}</text>"
        )
    return parts


def _axis_parts(
    first_year: int, last_year: int, x: Callable[[float], float], base: int, end: int, left: int
) -> list[str]:
    parts = [f'<line x1="{left}" y1="{base}" x2="{end}" y2="{base}" stroke="#555"/>']
    for year in range(first_year, last_year + 1):
        parts.append(
            f'<line x1="{x(year):.1f}" y1="{base}" x2="{x(year):.1f}" y2="{base + 4}" stroke="#555"/>'
            f'<text x="{x(year + 0.5):.1f}" y="{base + 18}" text-anchor="middle" class="tick">{year}</text>'
        )
    return parts


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[float | None],
    title: str,
    *,
    value_format: str = "{:g}",
    highlight: Sequence[bool] | None = None,
    notes: Sequence[str] | None = None,
) -> Markup:
    """Vertical bars with the value printed on each; a None value is drawn as an empty slot marked '?'."""
    width, height, left, bottom, top = 900, 260, 40, 46, 20
    count = max(1, len(labels))
    peak = max((v for v in values if v is not None), default=0) or 1
    slot = (width - left - 10) / count
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#555"/>',
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        cx = left + slot * index + slot / 2
        bar_width = slot * 0.62
        note = notes[index] if notes else ""
        tooltip = f"{label}: {value_format.format(value) if value is not None else '?'}" + (
            f" ({note})" if note else ""
        )
        if value is None:
            parts.append(f'<text x="{cx:.1f}" y="{height - bottom - 6}" text-anchor="middle" class="tick">?</text>')
        else:
            bar_height = (height - bottom - top) * value / peak
            y = height - bottom - bar_height
            muted = highlight is not None and not highlight[index]
            fill = "#9bbbd6" if muted else "#0072B2"
            parts.append(
                f'<rect x="{cx - bar_width / 2:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{bar_height:.1f}" '
                f'fill="{fill}"><title>{_e(tooltip)}</title></rect>'
                f'<text x="{cx:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="value">'
                f"{_e(value_format.format(value))}</text>"
            )
        parts.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" class="tick">{_e(label)}</text>'
        )
        if note:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 32}" text-anchor="middle" class="note">{_e(note)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Tile:
    """One province square on the tile map (grid cell from the analysis package's province table)."""

    label: str
    full_name: str
    row: int
    col: int
    value: int
    href: str | None = None


def tile_map_svg(tiles: Sequence[Tile], title: str) -> Markup:
    """Provinces as squares, darker with more pilot zones; each square shows its count."""
    size, gap = 62, 4
    cols = max((tile.col for tile in tiles), default=0) + 1
    rows = max((tile.row for tile in tiles), default=0) + 1
    width, height = cols * (size + gap), rows * (size + gap)
    peak = max((tile.value for tile in tiles), default=1) or 1
    parts = [
        f'<svg class="chart tilemap" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>'
    ]
    for tile in tiles:
        x, y = tile.col * (size + gap), tile.row * (size + gap)
        shade = tile.value / peak
        fill = _mix("#dbe7f3", "#08457e", shade) if tile.value else "#f4f4f4"
        text_class = "tile-label light" if shade > 0.45 else "tile-label"
        square = (
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="4" fill="{fill}" stroke="#bbb">'
            f"<title>{_e(tile.full_name)}: {tile.value}</title></rect>"
            f'<text x="{x + size / 2}" y="{y + 24}" text-anchor="middle" class="{text_class}"'
            f"{_fit(tile.label, size - 6)}>"
            f"{_e(tile.label)}</text>"
            f'<text x="{x + size / 2}" y="{y + 46}" text-anchor="middle" class="{text_class} count">{tile.value}</text>'
        )
        if tile.href:
            square = f'<a href="{_e(tile.href)}">{square}</a>'
        parts.append(square)
    parts.append("</svg>")
    return Markup("".join(parts))


def _mix(low: str, high: str, share: float) -> str:
    a = [int(low[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(high[i : i + 2], 16) for i in (1, 3, 5)]
    share = min(1.0, max(0.0, share))
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def heat_class(value: int, peak: int) -> str:
    """A CSS class h0..h5 for a heat-map cell (classes, not inline styles, so CSP can forbid them)."""
    if value <= 0 or peak <= 0:
        return "h0"
    return f"h{min(5, 1 + (value * 5 - 1) // peak)}"

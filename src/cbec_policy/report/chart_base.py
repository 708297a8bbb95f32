"""Shared pieces of the report's figures: the CJK font, the style, a fresh axes, saving PNG + SVG.

Chinese labels need a CJK font; one from Debian's ``fonts-noto-cjk`` (or WenQuanYi) is
looked up through matplotlib's font manager, and a missing font is a clear error rather
than a figure full of empty boxes. SVG text is stored as paths, so the SVG files render the
same on a machine without the font. Each figure is built once and both files are saved from
the same ``Figure``; the constrained layout is solved once, before either file, then frozen.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and CI (networkx's drawing imports pyplot)

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cbec_policy.errors import CbecError
from cbec_policy.labels import POLICY_TYPES, REGIONS

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
# Policy types and regions take the one colour vocabularies.yaml gives each, as the web does;
# policies no classifier has typed yet take a light grey after the seven types.
UNCLASSIFIED_COLOUR = "#aab7b8"
TYPE_COLOURS = (*(label.colour for label in POLICY_TYPES), UNCLASSIFIED_COLOUR)
REGION_COLOURS = {label.zh: label.colour for label in REGIONS}


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


PNG_DPI = 200  # print quality for a journal figure; the SVG is resolution-free


def figure_style() -> dict[str, object]:
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


def new_axes(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure with one axes, an Agg canvas and the constrained layout (solved once, in :func:`_save`)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)  # the layout and the PNG share this canvas's renderer and its text measurements
    return fig, fig.subplots()


def save_figure(fig: Figure, key: str, title: str, out_dir: Path) -> FigureFile:
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


def year_fraction(day: date) -> float:
    return day.year + (day.timetuple().tm_yday - 1) / 365.25


# --------------------------------------------------------------------------- figures

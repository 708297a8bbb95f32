"""The 31 provincial-level divisions of the mainland: region (东部/中部/西部/东北), coast and tile-grid position.

All of it is one table, ``places/provinces.csv``. The four-region split is the National Bureau
of Statistics' convention; ``coastal`` marks the 11 coastal provincial-level regions (沿海地区)
of the China Marine Statistical Yearbook; the grid places each province as one square roughly
where it lies, so a map can be drawn offline without boundary data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cbec_policy.analysis._data import read_csv
from cbec_policy.errors import ReferenceDataError
from cbec_policy.labels import REGIONS
from cbec_policy.places.hierarchy import data_path as places_data_path


@dataclass(frozen=True)
class Province:
    """One provincial-level division with its region and tile-grid cell."""

    name: str
    short: str
    en: str
    region: str
    row: int
    col: int
    coastal: bool = False


def load_provinces(path: Path | None = None) -> list[Province]:
    """Provinces from ``provinces.csv`` (or a file of the same shape); checks regions, coasts and unique cells."""
    source = path or places_data_path("provinces.csv")
    regions = {label.zh for label in REGIONS}
    provinces = []
    cells: dict[tuple[int, int], str] = {}
    for line, row in read_csv(source, {"province", "short", "en", "region", "row", "col", "coastal"}):
        if row["region"] not in regions:
            raise ReferenceDataError(source.name, line, "region", f"unknown region {row['region']!r}")
        if row["coastal"] not in ("yes", "no"):
            raise ReferenceDataError(source.name, line, "coastal", f"expected yes or no, got {row['coastal']!r}")
        try:
            cell = (int(row["row"]), int(row["col"]))
        except ValueError:
            raise ReferenceDataError(source.name, line, "row/col", "grid position must be integers") from None
        if cell in cells:
            raise ReferenceDataError(source.name, line, "row/col", f"cell {cell} already holds {cells[cell]}")
        cells[cell] = row["province"]
        provinces.append(
            Province(row["province"], row["short"], row["en"], row["region"], cell[0], cell[1], row["coastal"] == "yes")
        )
    return provinces


@cache
def bundled_provinces() -> tuple[Province, ...]:
    """The bundled province table, loaded once."""
    return tuple(load_provinces())


def provinces_per_region(provinces: tuple[Province, ...] | None = None) -> dict[str, int]:
    """How many provinces each region has (东部 10, 中部 6, 西部 12, 东北 3 in the bundled table)."""
    counts = {label.zh: 0 for label in REGIONS}
    for province in provinces or bundled_provinces():
        counts[province.region] += 1
    return counts


def find_province(text: str, provinces: tuple[Province, ...] | None = None) -> Province | None:
    """The province named at the start of ``text`` (full or short name, e.g. ``浙江省杭州市`` → 浙江省)."""
    cleaned = text.strip()
    for province in provinces or bundled_provinces():
        if cleaned.startswith(province.name) or cleaned.startswith(province.short):
            return province
    return None


@cache
def coastal_provinces() -> frozenset[str]:
    """The 11 coastal provincial-level regions (沿海地区), marked in the province table."""
    return frozenset(province.name for province in bundled_provinces() if province.coastal)


def is_coastal(province: str) -> bool:
    """Whether a province (full name) is one of the coastal regions."""
    return province in coastal_provinces()


def region_of(province: str) -> str | None:
    """The four-region label (东部/中部/西部/东北) of a province named in full or short form."""
    found = find_province(province)
    return found.region if found else None

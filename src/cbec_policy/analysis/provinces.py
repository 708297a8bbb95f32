"""The 31 provincial-level divisions of the mainland: region (东部/中部/西部/东北) and tile-grid position.

The four-region split is the National Bureau of Statistics' convention; the grid places each
province as one square roughly where it lies, so a map can be drawn offline without boundary data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cbec_policy.analysis._data import data_path, read_csv
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


def load_provinces(path: Path | None = None) -> list[Province]:
    """Provinces from ``provinces.csv`` (or a file of the same shape); checks regions and unique cells."""
    source = path or places_data_path("provinces.csv")
    regions = {label.zh for label in REGIONS}
    provinces = []
    cells: dict[tuple[int, int], str] = {}
    for line, row in read_csv(source, {"province", "short", "en", "region", "row", "col"}):
        if row["region"] not in regions:
            raise ReferenceDataError(source.name, line, "region", f"unknown region {row['region']!r}")
        try:
            cell = (int(row["row"]), int(row["col"]))
        except ValueError:
            raise ReferenceDataError(source.name, line, "row/col", "grid position must be integers") from None
        if cell in cells:
            raise ReferenceDataError(source.name, line, "row/col", f"cell {cell} already holds {cells[cell]}")
        cells[cell] = row["province"]
        provinces.append(Province(row["province"], row["short"], row["en"], row["region"], cell[0], cell[1]))
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
    """The 11 coastal provincial-level regions (沿海地区), from ``coastal_provinces.csv``."""
    known = {p.name for p in bundled_provinces()}
    names = set()
    for line, row in read_csv(data_path("coastal_provinces.csv"), {"province", "source"}):
        if row["province"] not in known:
            raise ReferenceDataError("coastal_provinces.csv", line, "province", f"unknown province {row['province']!r}")
        names.add(row["province"])
    return frozenset(names)


def is_coastal(province: str) -> bool:
    """Whether a province (full name) is one of the coastal regions."""
    return province in coastal_provinces()


def region_of(province: str) -> str | None:
    """The four-region label (东部/中部/西部/东北) of a province named in full or short form."""
    found = find_province(province)
    return found.region if found else None

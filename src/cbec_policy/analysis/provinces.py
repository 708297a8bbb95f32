"""The 31 provincial-level divisions of the mainland: region (东部/中部/西部/东北), coast and tile-grid position.

All of it is one table, ``reference/provinces.csv``, read and checked by the reference loader
(:func:`cbec_policy.reference.load_provinces`: the four-region split of the National Bureau of
Statistics, the 11 coastal regions of the China Marine Statistical Yearbook, one grid cell each
so a map can be drawn offline). This module answers questions about it.
"""

from __future__ import annotations

from functools import cache

from cbec_policy.labels import REGIONS
from cbec_policy.models import Province
from cbec_policy.reference import load_provinces


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

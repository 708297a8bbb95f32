"""Provinces and prefecture-level divisions, for telling a local document's level and region.

Read from the bundled ``reference/admin_divisions.csv`` plus the pilot-zone cities (which add
county-level cities such as 义乌 and 珲春). Names are matched in full (河南省, 厦门市), never by
short forms, so that 朝阳区 in Beijing is not taken for 朝阳市 in Liaoning.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cbec_policy.errors import ReferenceDataError
from cbec_policy.reference.loader import load_pilot_zones, reference_path

_FILE = "admin_divisions.csv"


@dataclass(frozen=True)
class Division:
    """One province-level unit or one city-level unit inside a province."""

    name: str
    kind: str  # municipality / province / autonomous_region / city / prefecture / ...
    province: str
    region4: str
    abbr: str

    @property
    def is_provincial(self) -> bool:
        """Whether this is a province-level unit (provinces, autonomous regions, municipalities)."""
        return self.kind in ("province", "autonomous_region", "municipality")


@cache
def divisions() -> dict[str, Division]:
    """Every known division by full name."""
    path = reference_path(_FILE)
    table: dict[str, Division] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            name = (row.get("name") or "").strip()
            if not name or not row.get("province") or not row.get("kind"):
                raise ReferenceDataError(_FILE, line, None, "name, kind and province are required")
            table[name] = Division(name, row["kind"], row["province"], row.get("region4") or "", row.get("abbr") or "")
    for zone in load_pilot_zones():
        # County-level pilot cities (义乌市, 珲春市, ...) are not prefecture-level but do issue plans.
        if zone.zone_name.endswith("市") and zone.zone_name not in table:
            table[zone.zone_name] = Division(zone.zone_name, "county_city", zone.province, zone.region, "")
    return table


@cache
def _name_pattern() -> re.Pattern[str]:
    names = sorted(divisions(), key=len, reverse=True)
    return re.compile("|".join(re.escape(name) for name in names))


@lru_cache(maxsize=4096)
def _find_cached(text: str) -> tuple[tuple[Division, int, int], ...]:
    table = divisions()
    return tuple((table[m.group(0)], m.start(), m.end()) for m in _name_pattern().finditer(text))


def find_divisions(text: str) -> list[tuple[Division, int, int]]:
    """Every division named in ``text`` with its span, longest names first at each position.

    Issuer names repeat across documents, so results for short strings are cached.
    """
    if len(text) <= 60:
        return list(_find_cached(text))
    table = divisions()
    return [(table[m.group(0)], m.start(), m.end()) for m in _name_pattern().finditer(text)]


def region_label(division: Division) -> str:
    """'河南省' for a province-level unit, '福建省 厦门市' for a city inside a province."""
    if division.is_provincial or division.province == division.name:
        return division.name
    return f"{division.province} {division.name}"

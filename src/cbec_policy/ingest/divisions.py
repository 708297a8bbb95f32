"""Provinces and prefecture-level divisions, for telling a local document's level and region.

Backed by the place hierarchy (:mod:`cbec_policy.places`, from the maintained division
package): every province-level unit of the mainland, every prefecture-level unit, and the
county-level cities that are pilot zones (义乌, 珲春 …), which issue plans of their own. Names
are matched in full (河南省, 厦门市), never by short forms, so that 朝阳区 in Beijing is not
taken for 朝阳市 in Liaoning. ``Division.parent`` and ``Division.code`` lead into the full
hierarchy (county → prefecture → province) for callers that need more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cbec_policy.places.hierarchy import Place, hierarchy, province_abbreviations, province_regions
from cbec_policy.reference import load_pilot_zones

# The kinds of the division package, in the words this module has always used.
_KINDS = {
    "直辖市": "municipality",
    "省": "province",
    "自治区": "autonomous_region",
    "地级市": "city",
    "自治州": "autonomous_prefecture",
    "地区": "prefecture",
    "盟": "league",
    "县级市": "county_city",
}


@dataclass(frozen=True)
class Division:
    """One province-level unit or one city-level unit inside a province."""

    name: str
    kind: str  # municipality / province / autonomous_region / city / prefecture / county_city / ...
    province: str
    region: str
    code: str = ""  # GB/T 2260 code
    parent: str | None = None  # full name of the containing prefecture, for a county-level city
    abbr: str = ""  # one-character abbreviation of a province-level unit (浙, 鄂); empty below it

    @property
    def is_provincial(self) -> bool:
        """Whether this is a province-level unit (provinces, autonomous regions, municipalities)."""
        return self.kind in ("province", "autonomous_region", "municipality")


def _division(place: Place) -> Division:
    tree = hierarchy()
    parent = tree.places[place.parent] if place.parent else None
    parent_name = parent.name if parent is not None and place.level == "county" else None
    abbr = province_abbreviations().get(place.name, "") if place.is_provincial else ""
    return Division(place.name, _KINDS.get(place.kind, place.kind), place.province, place.region, place.code,
                    parent_name, abbr)  # fmt: skip


@cache
def divisions() -> dict[str, Division]:
    """Every known division by full name."""
    tree = hierarchy()
    mainland = province_regions()
    table: dict[str, Division] = {}
    for place in tree.places.values():
        if place.province in mainland and place.level in ("province", "prefecture"):
            table[place.name] = _division(place)
    for zone in load_pilot_zones():
        # County-level pilot cities (义乌市, 珲春市, ...) are not prefecture-level but do issue plans.
        if zone.zone_name.endswith("市") and zone.zone_name not in table:
            for place in tree.in_province(zone.zone_name, zone.province):
                table[zone.zone_name] = _division(place)
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

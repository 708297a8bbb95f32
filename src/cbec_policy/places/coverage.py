"""Which CBEC comprehensive pilot zone covers a place on a date, and how that came about.

A zone is an area: one division named like the zone (杭州市, 喀什地区, 博尔塔拉蒙古自治州) or the
divisions listed for it in ``reference/zone_areas.csv`` (海南全岛 = 海南省). A place is covered on
a date when a zone in force that day has an area containing it, so 常熟 is covered through
苏州市 and 三亚 through 海南全岛 after its own zone was revoked. Zone succession
(``reference/zone_succession.csv``) makes the history read as it happened.

The zones themselves are passed in (the store's rows or the bundled list), so this module
never opens the database.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from cbec_policy.models import PilotBatch, PilotZone, ZoneArea, ZoneSuccession
from cbec_policy.places.hierarchy import Place, hierarchy, label
from cbec_policy.places.names import latin_stem, name_keys, query_key, short_name
from cbec_policy.reference import load_zone_areas, load_zone_succession

_RANK = {"province": 0, "prefecture": 1, "county": 2}


@dataclass(frozen=True)
class Cover:
    """One zone in force covering the place: through which division of its area, since when."""

    zone: PilotZone
    via: Place | None  # the zone's area division containing the place; None when it is the place itself
    since: date
    doubtful: bool = False  # the place lies in a part of the area the zone may not cover


@dataclass(frozen=True)
class Period:
    """One stretch of the place's history under one zone."""

    zone: PilotZone
    start: date
    end: date | None  # last day in force; None: still in force
    via: Place | None
    ended_by: str | None  # the reply that ended the zone
    relation: str | None  # replaced_by / merged_into
    successor: str | None


@dataclass(frozen=True)
class Candidate:
    """One place an ambiguous name may mean, with its own answer."""

    place: Place
    covered: bool | None
    covers: tuple[Cover, ...]  # the zones covering it on the date

    @property
    def zones(self) -> tuple[str, ...]:
        """Names of the zones covering it, each with its batch and approval date."""
        return tuple(f"{c.zone.zone_name}（第{c.zone.batch}批，{c.zone.doc_number}，{c.since}）" for c in self.covers)


@dataclass(frozen=True)
class PlaceAnswer:
    """The answer to "is PLACE inside a pilot zone on DATE?"."""

    query: str
    on: date
    place: Place | None  # the division asked about (None: a zone that is no division, or not found)
    zone_target: PilotZone | None  # the zone asked about by its own name when it is no division (雄安新区)
    covered: bool | None  # None: ambiguous, or coverage not verified for this place
    covered_by: tuple[Cover, ...]
    history: tuple[Period, ...]
    within: tuple[PilotZone, ...]  # zones in force inside the place (for a province or prefecture)
    candidates: tuple[Candidate, ...] = ()
    alternatives: tuple[Place, ...] = ()  # other places the name could mean, after a clear first choice
    suggestions: tuple[str, ...] = ()
    known: bool = True
    first_zone_date: date | None = None
    caveats: tuple[str, ...] = field(default=())
    replies: tuple[PilotBatch, ...] = ()  # the State Council replies the answer rests on, oldest first

    @property
    def ambiguous(self) -> bool:
        """Whether the name fits several places and no single one can be chosen."""
        return bool(self.candidates)

    @property
    def before_any_zone(self) -> bool:
        """Whether the date is before the first zone was approved (2015-03-07)."""
        return self.first_zone_date is not None and self.on < self.first_zone_date

    def sentence(self) -> str:
        """A one-line answer in Chinese and English."""
        return answer_sentence(self)


@cache
def _areas() -> dict[tuple[int, str], ZoneArea]:
    return {(a.batch, a.zone_name): a for a in load_zone_areas()}


@cache
def _successions() -> dict[tuple[int, str], ZoneSuccession]:
    return {(s.batch, s.zone_name): s for s in load_zone_succession()}


def zone_area(zone: PilotZone) -> tuple[str, ...]:
    """GB/T 2260 codes of the zone's area: listed in zone_areas.csv, else the division named like it."""
    return _area_of(zone.batch, zone.zone_name, zone.province)


@cache
def _area_of(batch: int, zone_name: str, province: str) -> tuple[str, ...]:
    listed = _areas().get((batch, zone_name))
    if listed is not None:
        return listed.area_codes
    return tuple(p.code for p in hierarchy().in_province(zone_name, province))


def succession_of(zone: PilotZone) -> ZoneSuccession | None:
    """The relation that ended ``zone`` (海口市 replaced_by 海南全岛), if any."""
    return _successions().get((zone.batch, zone.zone_name))


def _covers(zone: PilotZone, code: str) -> tuple[Place | None, bool] | None:
    """(via, doubtful) when ``zone``'s area contains division ``code``; None otherwise."""
    tree = hierarchy()
    for area in zone_area(zone):
        if tree.contains(area, code):
            listed = _areas().get((zone.batch, zone.zone_name))
            doubtful = bool(listed) and any(tree.contains(d, code) for d in listed.doubtful_codes)
            return (None if area == code else tree.places[area]), doubtful
    return None


def _zone_keys(zone: PilotZone) -> frozenset[str]:
    return _keys_of(zone.zone_name, zone.city)


@cache
def _keys_of(zone_name: str, city: str) -> frozenset[str]:
    return frozenset(name_keys(zone_name, with_pinyin=False) | name_keys(city, with_pinyin=False))


def _matching_zones(text: str, zones: Sequence[PilotZone]) -> list[PilotZone]:
    key = query_key(text)
    if key.isascii():
        return []  # Latin names go through the hierarchy's pinyin index
    return [zone for zone in zones if key in _zone_keys(zone)]


def _choose(places: list[Place], zones: Sequence[PilotZone]) -> tuple[list[Place], list[Place]]:
    """(chosen, alternatives): one place when the name is clear, several when it is ambiguous.

    A place that is itself a zone's area wins (people ask a zone look-up about zone cities:
    吉林 → 吉林市, 海南 → 海南省); else the highest level wins when it is alone there (朝阳 → 朝阳市).
    """
    if len(places) <= 1:
        return places, []
    areas = {code for zone in zones for code in zone_area(zone)}
    zone_places = [p for p in places if p.code in areas]
    pool = zone_places or places
    top = min(_RANK[p.level] for p in pool)
    chosen = [p for p in pool if _RANK[p.level] == top]
    if len(chosen) == 1:
        return chosen, [p for p in places if p is not chosen[0]]
    return chosen, []


def _answer_for_codes(
    code: str | None, target: PilotZone | None, on: date, zones: Sequence[PilotZone]
) -> tuple[tuple[Cover, ...], tuple[Period, ...], bool]:
    """Covers on ``on``, the history and whether any cover is doubtful, for a division or a zone."""
    covers: list[Cover] = []
    periods: list[Period] = []
    doubtful = False
    for zone in sorted(zones, key=lambda z: (z.approval_date, z.batch)):
        if code is not None:
            hit = _covers(zone, code)
            if hit is None:
                continue
            via, in_doubt = hit
        elif zone is target:
            via, in_doubt = None, False
        else:
            continue
        succession = succession_of(zone)
        end = zone.revoked_date - timedelta(days=1) if zone.revoked_date else None
        periods.append(
            Period(
                zone,
                zone.approval_date,
                end,
                via,
                zone.revoked_by,
                succession.relation if succession else None,
                succession.successor if succession else None,
            )
        )
        if zone.in_force_on(on):
            covers.append(Cover(zone, via, zone.approval_date, in_doubt))
            doubtful = doubtful or in_doubt
    # Innermost area first: 常熟 is answered by the 苏州 zone before any province-wide one.
    covers.sort(key=lambda c: -3 if c.via is None else -_RANK[c.via.level])
    return tuple(covers), tuple(periods), doubtful


def _within(place: Place, on: date, zones: Sequence[PilotZone]) -> tuple[PilotZone, ...]:
    if place.level == "county":
        return ()
    tree = hierarchy()
    inside = []
    for zone in zones:
        area = zone_area(zone)
        if zone.in_force_on(on) and area and all(tree.contains(place.code, c) and c != place.code for c in area):
            inside.append(zone)
    return tuple(inside)


def suggestions(text: str, zones: Sequence[PilotZone], limit: int = 5) -> tuple[str, ...]:
    """Names that look like ``text`` (difflib), zone names first, then places, for an "unknown name" message."""
    key = query_key(text)
    tree = hierarchy()
    zone_names: dict[str, str] = {}
    for zone in zones:
        for zone_key in _zone_keys(zone):
            zone_names.setdefault(zone_key, zone.zone_name)
    place_names: dict[str, str] = {}
    if key.isascii():
        key = latin_stem(key)
        for latin, codes in tree.latin_index().items():
            place_names[latin] = "、".join(sorted(label(tree.places[c]) for c in codes))
    else:
        for name_key, codes in tree.by_key.items():
            place_names[name_key] = "、".join(sorted(label(tree.places[c]) for c in codes))
    found: list[str] = []
    for names in (zone_names, place_names):
        for candidate in difflib.get_close_matches(key, list(names), n=limit * 3, cutoff=0.5):
            if names[candidate] not in found and len(found) < limit:
                found.append(names[candidate])
    return tuple(found)


def lookup_place(text: str, on: date, zones: Sequence[PilotZone], batches: Sequence[PilotBatch] = ()) -> PlaceAnswer:
    """Whether the place ``text`` names (any form: 常熟, 浦東, Taizhou, 梅列区) is in a pilot zone on ``on``."""
    first = min((b.approval_date for b in batches), default=None)
    if first is None and zones:
        first = min(z.approval_date for z in zones)
    tree = hierarchy()
    places = tree.find(text)
    named_zones = _matching_zones(text, zones)
    target: PilotZone | None = None
    if not places and named_zones:
        # A zone asked about by its own name: its area when that is one division, else the zone itself.
        zone = named_zones[-1]
        area = zone_area(zone)
        if len(area) == 1:
            places = [tree.places[area[0]]]
        else:
            target = zone
    if not places and target is None:
        return PlaceAnswer(text, on, None, None, False, (), (), (), suggestions=suggestions(text, zones),
                           known=False, first_zone_date=first)  # fmt: skip
    chosen, alternatives = _choose(places, zones) if places else ([], [])
    if len(chosen) > 1:
        candidates = []
        for place in chosen:
            covers, _, doubtful = _answer_for_codes(place.code, None, on, zones)
            candidates.append(Candidate(place, None if doubtful else bool(covers), covers))
        return PlaceAnswer(text, on, None, None, None, (), (), (), candidates=tuple(candidates), first_zone_date=first)
    place = chosen[0] if chosen else None
    covers, periods, doubtful = _answer_for_codes(place.code if place else None, target, on, zones)
    caveats = []
    if doubtful:
        caveats.extend(_areas()[(c.zone.batch, c.zone.zone_name)].note for c in covers if c.doubtful)
    for cover in covers:
        listed = _areas().get((cover.zone.batch, cover.zone.zone_name))
        if listed is not None and listed.confidence != "verified":
            caveats.append(listed.note)
        if cover.zone.confidence != "verified":
            caveats.append(f"{cover.zone.zone_name} 为候选记录，未经官方名单核实 is an unverified candidate row")
    covered: bool | None = bool(covers)
    if doubtful and all(c.doubtful for c in covers):
        covered = None
    return PlaceAnswer(
        query=text,
        on=on,
        place=place,
        zone_target=target,
        covered=covered,
        covered_by=covers,
        history=periods,
        within=_within(place, on, zones) if place else (),
        alternatives=tuple(alternatives),
        first_zone_date=first,
        caveats=tuple(dict.fromkeys(caveats)),
        replies=_replies(periods, on, batches),
    )


def _replies(periods: Sequence[Period], on: date, batches: Sequence[PilotBatch]) -> tuple[PilotBatch, ...]:
    """The replies behind the answer on ``on``: each approval up to that day and each revocation before it."""
    numbers = []
    for period in periods:
        if period.start <= on:
            numbers.append(period.zone.doc_number)
        if period.ended_by and period.end is not None and period.end < on:
            numbers.append(period.ended_by)
    by_number = {b.doc_number: b for b in batches}
    return tuple(sorted({by_number[n] for n in numbers if n in by_number}, key=lambda b: b.approval_date))


@dataclass(frozen=True)
class ZoneMembership:
    """Pilot-zone membership as a rule needs it: yes / no / unknown, a sentence, the replies to cite."""

    covered: bool | None
    sentence: str
    replies: tuple[PilotBatch, ...]


def membership(answer: PlaceAnswer) -> ZoneMembership:
    """The membership a rule (无票免税) reads from a place answer; ambiguous or unknown places give None."""
    covered = answer.covered if answer.known and not answer.ambiguous else None
    return ZoneMembership(covered, answer.sentence(), answer.replies)


def display_name(answer: PlaceAnswer) -> str:
    """The place as the answer names it: '江苏省 苏州市 常熟市', or the zone's name."""
    if answer.place is not None:
        return label(answer.place)
    if answer.zone_target is not None:
        return answer.zone_target.zone_name
    return answer.query


def history_lines(answer: PlaceAnswer) -> list[str]:
    """The history, one line per zone: '2020-04-27 至 2025-04-24：三亚市（第5批，国函〔2020〕47号）…'."""
    lines = []
    for period in answer.history:
        end = f"至 {period.end}" if period.end else "起"
        via = f"，经 {period.via.name} via {period.via.name}" if period.via else ""
        text = (
            f"{period.start} {end}：{period.zone.zone_name}（第{period.zone.batch}批，{period.zone.doc_number}）{via}"
        )
        if period.ended_by:
            after = {
                "replaced_by": f"，由 {period.successor} 接替 replaced by {period.successor}",
                "merged_into": f"，并入 {period.successor} merged into {period.successor}",
            }.get(period.relation or "", "")
            text += f"；{period.ended_by} 撤销 revoked{after}"
        lines.append(text)
    return lines


def answer_sentence(answer: PlaceAnswer) -> str:
    """One line for people: yes / no / ambiguous / unknown, with the zone, reply and date."""
    if not answer.known:
        return f"未知地名 unknown place: {answer.query}"
    if answer.ambiguous:
        names = "；".join(label(c.place) for c in answer.candidates)
        return f"有多个地方叫 {answer.query}，请指明 several places are called {answer.query}: {names}"
    name = display_name(answer)
    if answer.before_any_zone:
        return (
            f"否 no: {answer.on} 时尚无跨境电商综试区（第一个于 {answer.first_zone_date} 获批）"
            f" no pilot zone existed yet on {answer.on}"
        )
    if answer.covered:
        cover = answer.covered_by[0]
        via = f"，经 {cover.via.name}" if cover.via else ""
        return (
            f"是 yes: {name} 在 {answer.on} 属于 {cover.zone.zone_name} 综试区{via}"
            f"（第{cover.zone.batch}批，{cover.zone.doc_number}，自 {cover.since} 起）"
            f" covered by the {cover.zone.zone_name} zone since {cover.since} (batch {cover.zone.batch})"
        )
    if answer.covered is None:
        return f"未能确定 unknown: {name} 在 {answer.on} 是否属于综试区（见注意事项 see caveats）"
    ended = [p for p in answer.history if p.end is not None and p.end < answer.on]
    later = [p for p in answer.history if p.start > answer.on]
    if ended:
        last = ended[-1]
        return (
            f"否 no: {last.zone.zone_name} 综试区已于 {last.zone.revoked_date} 撤销（{last.ended_by or '文号未知'}）"
            f" revoked on {last.zone.revoked_date}; approved {last.start} (batch {last.zone.batch})"
        )
    if later:
        first = later[0]
        return (
            f"否 no: {answer.on} 时尚未获批；{first.zone.zone_name} 于 {first.start} 获批"
            f"（第{first.zone.batch}批，{first.zone.doc_number}） not yet on {answer.on};"
            f" approved {first.start} (batch {first.zone.batch})"
        )
    inside = ""
    if answer.within:
        names = "、".join(z.zone_name for z in answer.within)
        inside = f"；其中有综试区 zones inside it: {names}"
    return f"否 no: {name} 不在（整体）跨境电商综试区内 is not (as a whole) inside a pilot zone on {answer.on}{inside}"


__all__ = [
    "Candidate",
    "Cover",
    "Period",
    "PlaceAnswer",
    "ZoneMembership",
    "answer_sentence",
    "display_name",
    "history_lines",
    "lookup_place",
    "membership",
    "short_name",
    "succession_of",
    "suggestions",
    "zone_area",
]

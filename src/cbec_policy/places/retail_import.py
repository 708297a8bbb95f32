"""Can a seller use 网购保税进口 (customs code 1210) in city X on date D?

The periods and their policies are data (``reference/retail_import_pilot.csv``). Where the
policy names a list of cities that this data does not hold, the answer says so ("only if the
city is on that list — not in our data") instead of guessing an entry. From 商财发〔2021〕39号
on, a city inside a comprehensive pilot zone is a yes (the zone's reply cited with the policy);
any other city depends on zones this data does not hold (free-trade zones, comprehensive bonded
zones, import-promotion zones, type-B bonded logistics centres).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cbec_policy.models import PilotBatch, PilotZone, Policy
from cbec_policy.places.coverage import PlaceAnswer, display_name, lookup_place
from cbec_policy.reference import load_national_policies, load_retail_import_periods


@dataclass(frozen=True)
class RetailImportAnswer:
    """yes / no / conditional, with the policy and the zone reply that rule it."""

    query: str
    on: date
    allowed: bool | None  # None: depends on facts this data does not hold
    answer: str  # yes / no / conditional / ambiguous / unknown_place
    reason_zh: str
    reason_en: str
    policy: Policy
    place: PlaceAnswer
    zone_replies: tuple[PilotBatch, ...]
    note: str  # what the data says about the period and its doubts

    def to_dict(self) -> dict[str, object]:
        """The answer as a record for JSON output."""
        return {
            "query": self.query,
            "on": self.on.isoformat(),
            "place": display_name(self.place),
            "allowed": self.allowed,
            "answer": self.answer,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "citations": [{"doc_number": self.policy.doc_number, "title": self.policy.title, "id": self.policy.id}]
            + [
                {"doc_number": b.doc_number, "title": b.title, "id": f"pilot-batch-{b.batch}"}
                for b in self.zone_replies
            ],
            "note": self.note,
            "candidates": [c.place.name + "（" + c.place.province + "）" for c in self.place.candidates],
        }


def retail_import_1210(
    text: str, on: date, zones: Sequence[PilotZone], batches: Sequence[PilotBatch] = ()
) -> RetailImportAnswer:
    """Whether 1210 retail imports were allowed in the place ``text`` on ``on``, cited."""
    place = lookup_place(text, on, zones, batches)
    period = next(p for p in load_retail_import_periods() if p.covers(on))
    policy = next(p for p in load_national_policies() if p.id == period.policy_id)
    name = display_name(place)
    cite = policy.doc_number

    def result(
        allowed: bool | None, kind: str, zh: str, en: str, replies: tuple[PilotBatch, ...] = ()
    ) -> RetailImportAnswer:
        return RetailImportAnswer(text, on, allowed, kind, zh, en, policy, place, replies, period.note)

    if period.scope == "none":
        return result(
            False,
            "no",
            f"{on} 时尚无海关监管方式代码1210（{cite}）。",
            f"Code 1210 did not exist yet on {on} ({cite}).",
        )
    if not place.known:
        return result(None, "unknown_place", f"未知地名：{text}", f"Unknown place: {text}")
    if place.ambiguous:
        return result(
            None, "ambiguous", f"有多个地方叫 {text}，请指明。", f"Several places are called {text}; say which."
        )
    if period.scope == "listed_cities":
        return result(
            None,
            "conditional",
            f"{on}：仅限{cite}等文件所列试点城市可开展网购保税进口（1210）；城市名单不在本数据中，无法确定{name}是否在列。",
            f"On {on} 1210 retail imports were allowed only in the pilot cities listed under {cite}; "
            f"that list is not in our data, so whether {name} was on it is unknown.",
        )
    if place.covered:
        zone = place.covered_by[0].zone
        replies = tuple(b for b in place.replies if b.doc_number == zone.doc_number)
        return result(
            True,
            "yes",
            f"{name} 在 {on} 属于 {zone.zone_name} 综试区（{zone.doc_number}），"
            f"{cite} 将网购保税进口（1210）试点扩大到设有综试区的城市。",
            f"Yes: on {on} {name} is inside the {zone.zone_name} pilot zone ({zone.doc_number}); {cite} extends "
            "1210 retail imports to every city with a comprehensive pilot zone.",
            replies,
        )
    return result(
        None,
        "conditional",
        f"{name} 在 {on} 不在综试区内；若该城市设有自贸试验区、综合保税区、进口贸易促进创新示范区"
        f"或保税物流中心（B型），依{cite}可开展1210——这些区域不在本数据中。",
        f"{name} is not inside a pilot zone on {on}; under {cite} 1210 is allowed if the city has a free-trade "
        "zone, comprehensive bonded zone, import-promotion zone or type-B bonded logistics centre — those are not "
        "in our data.",
    )

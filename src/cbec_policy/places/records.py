"""Place answers as plain records, one shape for the command line, the REST API and the pages."""

from __future__ import annotations

from typing import Any

from cbec_policy.models import PilotZone
from cbec_policy.places.coverage import Cover, Period, PlaceAnswer, history_lines
from cbec_policy.places.hierarchy import Place, label


def place_dict(place: Place | None) -> dict[str, Any] | None:
    """A division: code, name, kind, level, province and its full label."""
    if place is None:
        return None
    return {"code": place.code, "name": place.name, "kind": place.kind, "level": place.level,
            "province": place.province, "label": label(place)}  # fmt: skip


def _zone_ref(zone: PilotZone) -> dict[str, Any]:
    return {"zone_name": zone.zone_name, "province": zone.province, "batch": zone.batch,
            "approval_date": zone.approval_date.isoformat(), "doc_number": zone.doc_number}  # fmt: skip


def _cover(cover: Cover) -> dict[str, Any]:
    return _zone_ref(cover.zone) | {
        "since": cover.since.isoformat(),
        "via": cover.via.name if cover.via else None,
        "verified": cover.zone.confidence == "verified" and not cover.doubtful,
    }


def _period(period: Period) -> dict[str, Any]:
    return _zone_ref(period.zone) | {
        "from": period.start.isoformat(),
        "to": period.end.isoformat() if period.end else None,
        "via": period.via.name if period.via else None,
        "ended_by": period.ended_by,
        "relation": period.relation,
        "successor": period.successor,
    }


def answer_fields(answer: PlaceAnswer | None) -> dict[str, Any]:
    """The fields a place answer adds to a zone look-up: covered_by, via, candidates, history …"""
    if answer is None:
        return {"covered_by": [], "via": None, "candidates": [], "history": [], "place": None}
    covers = answer.covered_by
    return {
        "covered_by": [_cover(c) for c in covers],
        "via": covers[0].via.name if covers and covers[0].via else None,
        "candidates": [place_dict(c.place) | {"covered": c.covered, "zones": list(c.zones)} for c in answer.candidates],
        "history": [_period(p) for p in answer.history],
        "place": place_dict(answer.place),
        "zones_inside": [z.zone_name for z in answer.within],
        "history_text": history_lines(answer),
        "caveats": list(answer.caveats),
    }

"""Pilot-zone queries shared by the explorer page and ``/api/zones``: filters checked, then the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.labels import REGIONS, find_label
from cbec_policy.models import PilotZone

MAX_CITY_LENGTH = 50


@dataclass(frozen=True)
class ZoneQuery:
    """Filters of the pilot-zone list; all optional."""

    batch: int | None = None
    province: str | None = None
    region: str | None = None
    on: date | None = None


def list_zones(store: Any, query: ZoneQuery) -> list[PilotZone]:
    """Zones matching ``query``; the region may be given as 东部 or ``east``."""
    if query.batch is not None and query.batch < 1:
        raise InputError("batch", "must be 1 or more")
    region = find_label(REGIONS, query.region, "region").zh if query.region else None
    return store.list_zones(batch=query.batch, province=query.province or None, region=region, on=query.on)


def lookup_zone(store: Any, city: str, on: date) -> Any:
    """``store.lookup_zone`` after checking the city name is present and of sane length."""
    name = city.strip()
    if not name:
        raise InputError("city", "is required")
    if len(name) > MAX_CITY_LENGTH:
        raise InputError("city", f"longer than {MAX_CITY_LENGTH} characters")
    return store.lookup_zone(name, on)

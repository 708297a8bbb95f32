"""Names a user may type for a pilot zone: 杭州市, 杭州, Hangzhou, 蘇州, Kashgar …

Kept for the store's loader and older callers; the name rules themselves live in
:mod:`cbec_policy.places.names`, the same ones every place look-up uses.
"""

from __future__ import annotations

from cbec_policy.models import PilotZone
from cbec_policy.places.coverage import suggestions
from cbec_policy.places.hierarchy import hierarchy
from cbec_policy.places.names import latin_stem, name_keys, pinyin_of, query_key, short_name

__all__ = ["close_matches", "is_known_place", "matches", "pinyin_of", "query_key", "short_name", "zone_keys"]


def zone_keys(zone: PilotZone, pinyin: str | None = None) -> set[str]:
    """Every key under which ``zone`` can be found; ``pinyin`` is the stored pinyin of its short name."""
    keys = name_keys(zone.zone_name, with_pinyin=pinyin is None) | name_keys(zone.city, with_pinyin=pinyin is None)
    if pinyin:
        keys.add(pinyin)
    return keys


def matches(zone: PilotZone, text: str, pinyin: str | None = None) -> bool:
    """Whether the user's ``text`` names ``zone`` itself (not a place inside it)."""
    key = query_key(text)
    keys = zone_keys(zone, pinyin)
    return key in keys or latin_stem(key) in keys or query_key(short_name(text)) in keys


def close_matches(text: str, zones: list[tuple[PilotZone, str]], limit: int = 5) -> list[str]:
    """Zone and place names that look like ``text``, for an "unknown name" message."""
    return list(suggestions(text, [zone for zone, _ in zones], limit))


def is_known_place(text: str) -> bool:
    """Whether ``text`` names a division of the place hierarchy (拉萨, 拉萨市, lasa, 常熟)."""
    return bool(hierarchy().find(text))

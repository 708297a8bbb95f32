"""Names a user may type for a pilot zone: 杭州市, 杭州, Hangzhou, hangzhou shi, Kashgar …

Pinyin is derived with pypinyin (its phrase dictionary reads 重庆 as chongqing, 厦门 as
xiamen) instead of typing 181 names by hand; a few cities are known abroad by a
conventional English name that is not their pinyin, listed in ``_ENGLISH``.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from functools import cache

from cbec_policy.models import PilotZone
from cbec_policy.reference.loader import reference_path

# Conventional English names that differ from the toneless pinyin (Wade–Giles or local forms).
_ENGLISH = {
    "哈尔滨": ("harbin",),
    "呼和浩特": ("hohhot",),
    "乌鲁木齐": ("urumqi",),
    "拉萨": ("lhasa",),
    "喀什": ("kashgar",),
}

# Ethnic-group names inside the names of autonomous prefectures, stripped to get the short name
# people use (德宏傣族景颇族自治州 → 德宏).
_ETHNIC = ("景颇族", "哈尼族", "傣族", "彝族", "白族", "藏族", "苗族", "侗族", "土家族", "布依族", "壮族", "回族",
           "朝鲜族", "羌族", "傈僳族", "纳西族", "哈萨克", "蒙古", "柯尔克孜")  # fmt: skip
_SUFFIXES = ("自治州", "全岛", "新区", "地区", "特别行政区", "市", "盟", "县", "区")
_LATIN_SUFFIX = re.compile(r"(city|shi|prefecture|diqu|xinqu)$")


def short_name(name: str) -> str:
    """The everyday short form of a place name: 杭州市 → 杭州, 大理白族自治州 → 大理, 海南全岛 → 海南."""
    value = name.strip()
    for suffix in _SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix) + 1:
            value = value[: -len(suffix)]
            break
    changed = True
    while changed:
        changed = False
        for ethnic in _ETHNIC:
            if value.endswith(ethnic) and len(value) > len(ethnic) + 1:
                value = value[: -len(ethnic)]
                changed = True
    return value


@cache
def pinyin_of(name: str) -> str:
    """Toneless pinyin without spaces or apostrophes: 杭州 → hangzhou, 西安 → xian."""
    # Imported here: loading pypinyin's dictionaries takes most of a second, and only
    # ``init`` and look-ups of names that are not pilot zones need it.
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)).lower().replace("'", "")


def query_key(text: str) -> str:
    """Normalise what the user typed: NFKC, no spaces/apostrophes/hyphens, lower case."""
    value = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s'’\-·.]+", "", value)


def zone_keys(zone: PilotZone, pinyin: str | None = None) -> set[str]:
    """Every key under which ``zone`` can be found; ``pinyin`` is the stored pinyin of its short name."""
    short = short_name(zone.city)
    keys = {zone.zone_name, zone.city, short_name(zone.zone_name), short, pinyin or pinyin_of(short)}
    keys.update(_ENGLISH.get(short, ()))
    return {query_key(key) for key in keys if key}


def matches(zone: PilotZone, text: str, pinyin: str | None = None) -> bool:
    """Whether the user's ``text`` names ``zone`` (``pinyin``: the stored pinyin, saves recomputing it)."""
    key = query_key(text)
    keys = zone_keys(zone, pinyin)
    if key in keys:
        return True
    if key.isascii():
        stripped = _LATIN_SUFFIX.sub("", key)
        return bool(stripped) and stripped in keys
    return query_key(short_name(text)) in keys


def close_matches(text: str, zones: list[tuple[PilotZone, str]], limit: int = 5) -> list[str]:
    """Names of zones that look like ``text`` (difflib), for an "unknown name" message."""
    by_key: dict[str, str] = {}
    for zone, pinyin in zones:
        for key in zone_keys(zone, pinyin):
            by_key.setdefault(key, zone.zone_name)
    found: list[str] = []
    key = query_key(text)
    candidates = difflib.get_close_matches(key, list(by_key), n=limit * 3, cutoff=0.5)
    # Chinese names are short: a shared character is already a useful hint.
    if not candidates and not key.isascii():
        candidates = [k for k in by_key if any(ch in k for ch in key)]
    for candidate in candidates:
        name = by_key[candidate]
        if name not in found:
            found.append(name)
        if len(found) == limit:
            break
    return found


@cache
def _known_place_keys() -> frozenset[str]:
    """Keys of the provinces and prefecture-level places in the bundled division list (if present)."""
    keys: set[str] = set()
    try:
        with reference_path("admin_divisions.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                name = (row.get("name") or "").strip()
                if name:
                    short = short_name(name)
                    keys.update({query_key(name), query_key(short), pinyin_of(short)})
    except OSError:
        return frozenset()
    return frozenset(keys)


def is_known_place(text: str) -> bool:
    """Whether ``text`` names a province or prefecture-level place known to the system (拉萨, 拉萨市, lasa)."""
    key = query_key(text)
    return key in _known_place_keys() or query_key(short_name(text)) in _known_place_keys()


def english_place_name(name: str) -> str:
    """How an English page names a city or prefecture: its conventional name or its pinyin (杭州市 → Hangzhou)."""
    short = short_name(name)
    conventional = _ENGLISH.get(short)
    if conventional:
        return conventional[0].title()
    return pinyin_of(short).title() if not short.isascii() else short

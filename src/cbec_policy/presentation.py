"""What people read for stored values, in one language per page, for the web, the report and the CLI.

Codes are labelled through the one vocabulary table (:func:`cbec_policy.labels.label`); this
module adds what is not a closed vocabulary: place names in English (a province's official
English name, a city's conventional name or pinyin), the in-force verdict, and which language
a stored summary is in, so an English-only summary on a Chinese page is marked as such.
"""

from __future__ import annotations

import re
from functools import cache

from cbec_policy.analysis import bundled_provinces
from cbec_policy.labels import label
from cbec_policy.places import english_place_name, short_name

__all__ = ["in_force_label", "label", "place_name", "text_language"]


@cache
def _province_english() -> dict[str, str]:
    table: dict[str, str] = {}
    for province in bundled_provinces():
        table[province.name] = province.en
        table[province.short] = province.en
    return table


def place_name(name: str | None, lang: str) -> str:
    """``name`` (a province, city or zone as stored in Chinese) as an ``lang`` page shows it.

    浙江省 → Zhejiang, 杭州市 → Hangzhou, 浙江省杭州市 → Hangzhou, Zhejiang; Chinese pages keep the name.
    """
    if not name:
        return label("statuses", None, lang)
    if lang != "en":
        return name
    provinces = _province_english()
    if name in provinces:
        return provinces[name]
    if short_name(name) in provinces:  # 海南全岛: the zone covering the whole province
        return provinces[short_name(name)]
    for province, english in sorted(provinces.items(), key=lambda item: -len(item[0])):
        if name.startswith(province) and len(name) > len(province):
            return f"{english_place_name(name[len(province) :])}, {english}"
    return english_place_name(name)


def in_force_label(verdict: bool | None, lang: str) -> str:
    """是 / 否 / 未知 (yes / no / unknown) for an in-force verdict."""
    return label("in_force", verdict, lang)


def text_language(text: str) -> str:
    """``zh`` when ``text`` is mostly Chinese, else ``en`` (stored summaries are one or the other)."""
    if not text:
        return ""
    cjk = sum(1 for char in text if "\u4e00" <= char <= "\u9fff")
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    return "zh" if cjk * 2 >= latin else "en"


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def in_language(text: str, lang: str) -> str:
    """One language of a bilingual "中文 English" string (the form rule notes and caveats take).

    Such a string gives the Chinese first and its English after the last Chinese character; a
    Chinese page shows the first part, an English page the second. A text in one language
    only is returned whole.
    """
    last = None
    for match in _CJK.finditer(text):
        last = match
    if last is None or not text[: last.start()].strip():
        return text
    chinese, english = text[: last.end()].strip(), text[last.end() :].strip()
    if not english or not re.search(r"[A-Za-z]{2,}", english) or not _CJK.search(chinese):
        return text
    return english if lang == "en" else chinese

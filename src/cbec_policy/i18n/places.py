"""Place names as a page of one language shows them (a province's official English name, a
city's conventional name or pinyin); stored names are Chinese.
"""

from __future__ import annotations

from functools import cache

from cbec_policy.analysis import bundled_provinces
from cbec_policy.i18n.codes import label
from cbec_policy.places import english_place_name, short_name


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

"""How people write a place: 苏州市, 苏州, Suzhou, suzhou shi, 蘇州, Kashgar …

Every form a user may type is reduced to one key: NFKC, traditional → simplified script
(OpenCC), no spaces or apostrophes, lower case. Latin input is compared with toneless pinyin
from pypinyin (its phrase dictionary reads 重庆 as chongqing, 厦门 as xiamen); a few places are
known abroad by a conventional name that is not their pinyin (``_ENGLISH``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc

# Conventional English names that differ from the toneless pinyin (Wade–Giles or local forms).
ENGLISH_NAMES = {
    "哈尔滨": ("harbin",),
    "呼和浩特": ("hohhot",),
    "乌鲁木齐": ("urumqi",),
    "拉萨": ("lhasa",),
    "喀什": ("kashgar",),
    "香港": ("hongkong",),
    "澳门": ("macau", "macao"),
    "内蒙古": ("innermongolia",),
    "西藏": ("tibet",),
    "陕西": ("shaanxi",),
}

# Places whose toneless pinyin is another place's name: only the conventional form finds them
# (陕西 is Shaanxi; "shanxi" is 山西).
_NOT_BY_PINYIN = frozenset({"陕西"})

# Generic parts of official names, stripped to get the short name people use
# (江苏省 → 江苏, 大理白族自治州 → 大理, 浦东新区 → 浦东, 海南全岛 → 海南).
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
             "全岛", "新区", "地区", "林区", "特区", "省", "市", "盟", "县", "区", "旗")  # fmt: skip
# The peoples named inside the names of autonomous units (德宏傣族景颇族自治州 → 德宏). A bare
# name without 族 only for the three that official names use that way (博尔塔拉蒙古自治州).
_PEOPLES = ("蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 "
            "纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 "
            "鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各").split()  # fmt: skip
_ETHNIC = re.compile("(?:(?:" + "|".join(sorted(_PEOPLES, key=len, reverse=True)) + ")族|哈萨克|蒙古|柯尔克孜)$")
_LATIN_SUFFIX = re.compile(r"(city|shi|province|sheng|prefecture|diqu|xinqu|district|qu|county|xian)$")
_SEPARATORS = re.compile(r"[\s'’\-·.,]+")


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def short_name(name: str) -> str:
    """The everyday short form of an official name: 杭州市 → 杭州, 博尔塔拉蒙古自治州 → 博尔塔拉."""
    value = name.strip()
    for suffix in _SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix) + 1:
            value = value[: -len(suffix)]
            break
    while True:
        found = _ETHNIC.search(value)
        if not found or len(value) - len(found.group(0)) < 2:
            return value
        value = value[: found.start()]


@cache
def pinyin_of(name: str) -> str:
    """Toneless pinyin without spaces or apostrophes: 杭州 → hangzhou, 西安 → xian."""
    # start-up: loading pypinyin's dictionaries takes most of a second, and only Latin
    # input and ``init`` need it.
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)).lower().replace("'", "")


def query_key(text: str) -> str:
    """What the user typed, as a key: NFKC, simplified script, no separators, lower case (義烏 → 义乌)."""
    value = unicodedata.normalize("NFKC", text).strip().lower()
    if not value.isascii():
        value = _t2s().convert(value)
    return _SEPARATORS.sub("", value)


def latin_stem(key: str) -> str:
    """A Latin key without a trailing 'city', 'shi', 'province' …: 'suzhoushi' → 'suzhou'."""
    return _LATIN_SUFFIX.sub("", key) if key.isascii() else key


def name_keys(name: str, *, with_pinyin: bool) -> set[str]:
    """Every key an official ``name`` is found under (full, short, and with pinyin the Latin forms)."""
    short = short_name(name)
    keys = {query_key(name), query_key(short)}
    if with_pinyin:
        if short not in _NOT_BY_PINYIN:
            keys.add(pinyin_of(short))
        keys.update(ENGLISH_NAMES.get(short, ()))
    return {key for key in keys if key}


def english_place_name(name: str) -> str:
    """How an English page names a city or prefecture: its conventional name or its pinyin (杭州市 → Hangzhou)."""
    short = short_name(name)
    conventional = ENGLISH_NAMES.get(short)
    if conventional:
        return conventional[0].title()
    return pinyin_of(short).title() if not short.isascii() else short

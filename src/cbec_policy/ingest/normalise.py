"""Clean a web copy of a policy document into one comparable form, keeping the original.

Steps, cheapest first and each only when needed:

1. remove zero-width characters, emoji and variation selectors (copy-paste and social-media noise);
2. fold compatibility forms the way NFKC does — full-width Latin letters and digits, Kangxi
   radicals that PDF text layers produce instead of ideographs, ideographic spaces — but keep the
   full-width Chinese punctuation (，。：；（）《》) that real titles contain; CJK Radicals
   Supplement code points that stand for a whole ideograph (⺠ ⻅ ⻓, which NFKC leaves alone) are
   mapped through the bundled ``cjk_radicals.csv``;
3. remove injected junk: anti-copy "jammer" runs of two-character ASCII tokens (``k8 ^/ t4 n$``)
   and a short symbol string repeated all over the text (``@@``);
4. traditional → simplified script (OpenCC ``t2s``; ``tw2sp`` where Taiwan vocabulary such as
   軟體 資訊 品質 shows, to get the mainland words), only when traditional characters are present;
5. strip pinyin residues such as 區(qū) or 關(guan) left by annotated copies;
6. drop site spam lines (share buttons, visit counters, copyright, "来源…发布时间…");
7. write every document number with 〔〕 around the year and 号 for 號.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

import opencc

from cbec_policy.reference import reference_path

# Full-width punctuation that Chinese text uses on purpose; NFKC would turn it into ASCII.
_KEEP = set("，。：；！？（）《》〈〉「」『』【】〔〕“”‘’、…—～·￥")
_ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
# Emoji and pictographs; U+2600–27BF also holds dingbats used as decoration in reposts.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U0001fc00-\U0001ffff\u2600-\u27bf\u2b00-\u2bff\ufe00-\ufe0f\U000e0000-\U000e007f\u20e3]+"
)
# Characters that only traditional script uses; one of them is enough to run OpenCC.
_TRADITIONAL_HINTS = re.compile(
    "[國關於務發號稅總電貿進區經業實條辦為與這會們來時個說對開門見長東車書學應華點當報從產動種場價"
    "經濟財進聯單據規劃質檢訊網絡購陸處員問題類視權屬貨監費統計體務辦層導擴準則優惠貸證際證衛醫藥執]"
)
_PINYIN_RESIDUE = re.compile(
    r"(?<=[\u4e00-\u9fff])[(（]\s*[a-zü]*[āáǎàōóǒòēéěèīíǐìūúǔùǖǘǚǜńňǹḿ][a-zāáǎàōóǒòēéěèīíǐìūúǔùǖǘǚǜüńňǹḿ]*\s*[)）]"
)
# Pinyin without tone marks after an ideograph: 關(guan) 於(yu). Taken for a residue only when a
# copy has several of them, as an annotated mirror does (a lone "(a)" after a word is a label).
_TONELESS_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])[(（]([a-z]{1,6})[)）] ?(?![A-Za-z])")
# The same without the look-behind, to count candidates fast (a pattern that starts with a
# bracket lets the engine skip from bracket to bracket).
_TONELESS_CANDIDATE = re.compile(r"[(（][a-z]{1,6}[)）]")
_TONELESS_MIN = 3
# Anti-copy jammer strings that forum software inserts: runs of one- or two-character ASCII
# tokens separated by single spaces, many of them symbols (k8 ^/ t4 n$ H- Y). A final letter glued
# to the digits after it (…w$ t2018年) belongs to the run.
_JAMMER = re.compile(r"(?:[!-~]{1,2} ){3,}(?:[!-~]{1,2}(?=\s|$|[^\x00-\x7f])|[A-Za-z](?=\d))?", re.M)
_JAMMER_SYMBOL = re.compile(r"[!-/:-@\[-`{-~]")
_JAMMER_TRIGGERS = frozenset("$^&#~`\\{}|")
# A short symbol string injected between the words of a copy (@@, ##): junk when it recurs.
_INJECTED = re.compile(r"[@#$^&*~`|\\]{1,4}")
_INJECTED_MIN = 5
# Taiwan vocabulary of policy texts that OpenCC's phrase tables do not turn into the mainland
# word: a mirror that localised 高质量发展 into 高品質發展 gets the mainland term back.
_TAIWAN_WORDS = ("軟體", "資訊", "網路", "品質", "列印", "程式", "伺服器", "數位", "電腦")
_MAINLAND_PHRASES = {"高品质发展": "高质量发展"}
_OPEN = r"[\[(（【〔［〖]"
_CLOSE = r"[\])）】〕］〗]"
_OPEN_CHARS = "[(（【〔［〖"  # the characters of _OPEN
# The number from its opening bracket on. The pattern starts with a character class so that the
# regex engine can skip ahead to candidate brackets; the character before the number's prefix
# (a letter or ideograph, optionally followed by one space) is checked by hand in Python, since a
# leading look-behind would make the engine try every position of the text (ten times slower).
_DOC_NUMBER_BRACKETS = re.compile(rf"{_OPEN}\s*((?:19|20)\d{{2}})\s*{_CLOSE}\s*(第?\s*\d{{1,5}})\s*[号號]")
_ANNOUNCEMENT_HAO = re.compile(r"((?:19|20)\d{2}\s*年\s*第\s*\d{1,5}\s*)號")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200a]+")

# A line is site chrome when it is short and made of these markers. Only whether the pattern is
# found anywhere matters: no branch starts with an optional part (a leading "【?\s*" before 字体
# can match nothing, so it is left out), the look-behind "not after 文" of 字号 is written after
# the 字, and only the Latin words ignore case. It runs only on lines holding one of _SPAM_KEYS.
_SPAM_MARKERS = re.compile(
    r"(扫一扫|分享到|打印本页|关闭窗口|字体\s*[:：]?\s*[大中小]|浏览次数|阅读次数|访问量|点击数|点击量|点击率|"
    r"责任编辑|编辑\s*[:：]|版权所有|(?i:ICP)\s*备|网站地图|联系我们|免责声明|返回顶部|上一篇|下一篇|相关阅读|相关链接|"
    r"热门推荐|收藏本页|加入收藏|设为首页|微信公众号|官方微博|下载\s*(?i:APP)|【\s*打印\s*】|【\s*关闭\s*】|"
    r"当前位置\s*[:：]|您现在的位置|首页\s*[>›»]|字(?<!文字)号\s*[:：]\s*[大中小]|原文链接|本文链接|转载请注明|技术支持\s*[:：]|"
    r"扫描二维码|手机版|无障碍|政务微博|网站标识码)",
)
# "来源：xx 发布时间：2024-05-06 10:23" style posting lines: a site's date, never the document's.
_POSTING_LINE = re.compile(
    r"(发布时间|更新时间|发稿时间|时间\s*[:：]\s*\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}|来源\s*[:：]|作者\s*[:：]|"
    r"\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2})"
)
_METADATA_WORDS = re.compile(r"(成文日期|发布日期|发文字号|文号)")
# "发布时间:2021-12-31" with nothing else (no clock time, no source): a catalogue field, kept.
_DATE_FIELD_LINE = re.compile(r"^(?:发布时间|发布日期)\s*[:：]\s*(?:19|20)\d{2}-\d{1,2}-\d{1,2}$")
_SPAM_MAX_LINE = 80
# Every match of _SPAM_MARKERS and _POSTING_LINE holds one of these literal keys (a test checks
# each branch; ICP stands by its 备, the posting time by its first dash), so a line without any
# of them is not spam and the two patterns above run only on the few lines that hold one. All
# branches here start with a literal, which lets the regex engine skip from one possible first
# character to the next, and none matches a line break, so one search of the short lines joined
# by line breaks tells whether any of them needs the full check: a document without site chrome
# (most are) costs one pass over its short lines, not two searches per line.
_SPAM_KEYS = re.compile(
    r"扫一扫|分享到|打印本页|关闭窗口|字体|浏览次数|阅读次数|访问量|点击|编辑|版权所有|备|网站地图|联系我们|"
    r"免责声明|返回顶部|上一篇|下一篇|相关阅读|相关链接|热门推荐|收藏本页|加入收藏|设为首页|微信公众号|官方微博|下载|【|"
    r"当前位置|您现在的位置|首页|字号|原文链接|本文链接|转载请注明|技术支持|扫描二维码|手机版|无障碍|政务微博|网站标识码|"
    r"时间|来源|作者|-(?<=\d{4}-)"
)


@dataclass(frozen=True)
class NormalisedText:
    """The normalised text, the original it came from, and what the cleaning did."""

    text: str
    original: str
    converted_script: bool
    removed_lines: tuple[str, ...]


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _tw2sp() -> opencc.OpenCC:
    return opencc.OpenCC("tw2sp")


@cache
def _radicals() -> dict[int, str]:
    """CJK Radicals Supplement code points that stand for an ideograph, from ``cjk_radicals.csv``."""
    with reference_path("cjk_radicals.csv").open(encoding="utf-8", newline="") as handle:
        return {ord(row["radical"]): row["ideograph"] for row in csv.DictReader(handle)}


def _remove_jammers(text: str) -> str:
    """Drop anti-copy jammer runs (see ``_JAMMER``); a run needs several symbol tokens."""

    def drop(match: re.Match[str]) -> str:
        run = match.group(0)
        symbols = sum(1 for token in run.split() if _JAMMER_SYMBOL.search(token))
        return "" if symbols >= 3 else run

    return _JAMMER.sub(drop, text)


def _remove_injected(text: str) -> str:
    """Drop a short symbol string that recurs between the words of a copy (``@@``)."""
    counts = Counter(_INJECTED.findall(text))
    for junk, count in counts.most_common():
        if count < _INJECTED_MIN:
            break
        text = re.sub(f"(?:{re.escape(junk)})+", "", text)
    return text


@cache
def _compat_table() -> dict[int, str]:
    """NFKC for single compatibility characters, minus the Chinese punctuation kept in ``_KEEP``."""
    table: dict[int, str] = {ord(char): "" for char in _ZERO_WIDTH}
    ranges = (
        (0x00A0, 0x00BF),
        (0x2000, 0x200A),
        (0x2024, 0x2026),
        (0x2E80, 0x2FDF),  # CJK and Kangxi radicals (PDF text layers)
        (0x3000, 0x3000),
        (0xF900, 0xFAFF),  # CJK compatibility ideographs
        (0xFF01, 0xFF5E),  # full-width ASCII
        (0xFF5F, 0xFFEE),  # half-width katakana/forms
    )
    for start, end in ranges:
        for code in range(start, end + 1):
            char = chr(code)
            if char in _KEEP:
                continue
            folded = unicodedata.normalize("NFKC", char)
            if folded != char:
                table[code] = folded
    table.update(_radicals())
    table[0x3000] = " "
    table[0x00A0] = " "
    return table


def normalise_doc_number_forms(text: str) -> str:
    """财关税[2018]49號 / （2018）/ 【2018】 → 财关税〔2018〕49号, anywhere in ``text``."""
    if "号" not in text and "號" not in text:
        return text  # every form ends with one of them
    # Candidate brackets are found with str.find (fast) and the pattern is tried only there,
    # in text order: the same matches as a regex scan, as an opening bracket cannot occur
    # inside a match except at its start.
    openings = []
    for bracket in _OPEN_CHARS:
        position = text.find(bracket)
        while position >= 0:
            openings.append(position)
            position = text.find(bracket, position + 1)
    openings.sort()
    pieces: list[str] = []
    last = 0
    for opening in openings:
        if opening < last:
            continue
        match = _DOC_NUMBER_BRACKETS.match(text, opening)
        if match is None:
            continue
        start = opening
        if start and text[start - 1].isspace():
            start -= 1  # one space between the prefix and the bracket goes too
        if not start or not _is_prefix_char(text[start - 1]):
            continue  # no prefix right before the bracket: a year in parentheses, not a number
        pieces.append(text[last:start])
        pieces.append(f"〔{match.group(1)}〕{match.group(2).replace(' ', '')}号")
        last = match.end()
    if pieces:
        pieces.append(text[last:])
        text = "".join(pieces)
    return _ANNOUNCEMENT_HAO.sub(lambda m: m.group(1) + "号", text) if "號" in text else text


def _is_prefix_char(char: str) -> bool:
    """Whether ``char`` can end a document-number prefix (an ideograph or a Latin letter)."""
    return "\u4e00" <= char <= "\u9fff" or "A" <= char <= "Z" or "a" <= char <= "z"


def _is_spam_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > _SPAM_MAX_LINE:
        return False
    if _SPAM_MARKERS.search(stripped):
        return True
    return (
        bool(_POSTING_LINE.search(stripped))
        and not _METADATA_WORDS.search(stripped)
        and not _DATE_FIELD_LINE.match(stripped)
    )


def _spam_lines(lines: list[str]) -> set[str]:
    """The lines of ``lines`` (stripped, non-empty) that are site spam: exactly those ``_is_spam_line`` finds."""
    short = [line for line in lines if len(line) <= _SPAM_MAX_LINE]
    if not short or _SPAM_KEYS.search("\n".join(short)) is None:
        return set()
    return {line for line in short if _SPAM_KEYS.search(line) is not None and _is_spam_line(line)}


@cache
def _char_sets() -> dict[str, frozenset[str]]:
    """Characters that trigger each step; one ``set(text)`` decides which steps run at all."""
    return {
        "compat": frozenset(chr(code) for code in _compat_table()),
        "emoji_bmp": frozenset(chr(code) for code in range(0x2600, 0x27C0))
        | frozenset(chr(code) for code in range(0x2B00, 0x2C00))
        | frozenset(chr(code) for code in range(0xFE00, 0xFE10))
        | {"\u20e3"},
        "traditional": frozenset(_TRADITIONAL_HINTS.pattern[1:-1]),
        "tones": frozenset("āáǎàōóǒòēéěèīíǐìūúǔùǖǘǚǜńňǹḿ"),
        "spaces": frozenset("\t\u00a0\u3000\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"),
        "brackets": frozenset("[(（【［〖〔"),
        "injected": frozenset("@#$^&*~`|\\{}"),
    }


@cache
def _triggers() -> re.Pattern[str]:
    everything = set().union(*_char_sets().values()) | {"號"}
    ranges = "".join(re.escape(char) for char in sorted(everything))
    return re.compile(f"[{ranges}\u0300-\u036f\U00010000-\U0010ffff]")


def normalise_text(original: str) -> NormalisedText:
    """Return the normalised form of ``original`` (see the module docstring for the steps).

    Each step costs a pass over the text, so the characters present are collected once and a
    step runs only when a character it acts on is there (most copies need two or three steps).
    """
    text = original.replace("\r\n", "\n").replace("\r", "\n") if "\r" in original else original
    sets = _char_sets()
    # One scan collects the characters some step acts on (usually a handful, or none).
    chars = set(_triggers().findall(text)) if not text.isascii() else set(text) & sets["spaces"]
    if not text.isascii():
        # Deleting each emoji character present with str.replace is the same as deleting every
        # run the _EMOJI pattern matches, and much faster than a regex pass over the whole text.
        for char in (chars & sets["emoji_bmp"]) | {
            char for char in chars if char > "\uffff" and _EMOJI.fullmatch(char)
        }:
            text = text.replace(char, "")
        compat = chars & sets["compat"]
        if compat:
            table = _compat_table()
            for char in compat:
                text = text.replace(char, table[ord(char)])
        if any("\u0300" <= char <= "\u036f" for char in chars) and not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    if chars & _JAMMER_TRIGGERS:
        text = _remove_jammers(text)
    if chars & sets["injected"]:
        text = _remove_injected(text)
    converted = False
    if chars & sets["traditional"]:
        # Taiwan vocabulary (軟體, 資訊, 品質) needs OpenCC's phrase tables (tw2sp, twice the cost);
        # other traditional copies (Hong Kong, big5 gateways) need the character table only.
        taiwan = any(word[0] in text and word in text for word in _TAIWAN_WORDS)  # a character first: fast
        text = (_tw2sp() if taiwan else _t2s()).convert(text)
        for taiwan, mainland in _MAINLAND_PHRASES.items():
            text = text.replace(taiwan, mainland)
        converted = True
    if chars & sets["tones"]:
        text = _PINYIN_RESIDUE.sub("", text)
    brackets = text.count("(", 0, 4000) + text.count("（", 0, 4000)
    if brackets >= _TONELESS_MIN and len(_TONELESS_CANDIDATE.findall(text, 0, 4000)) >= _TONELESS_MIN:
        if len(_TONELESS_PINYIN.findall(text, 0, 4000)) >= _TONELESS_MIN:
            text = _TONELESS_PINYIN.sub("", text)
    if chars & sets["spaces"] or "  " in text:
        text = _SPACES.sub(" ", text)
    # Stripped non-empty lines; only short ones can be spam, and whether a line is spam depends
    # on its text alone, so the (few) spam lines are found first and filtered out in one go.
    lines = [line for line in map(str.strip, text.split("\n")) if line]
    spam = _spam_lines(lines)
    removed: list[str] = []
    if spam:
        removed = [line for line in lines if line in spam]
        lines = [line for line in lines if line not in spam]
    text = "\n".join(lines)
    if chars & sets["brackets"] or "號" in chars:
        text = normalise_doc_number_forms(text)
    if text == original:
        # Nothing changed (most clean copies): one string for both, kept and sent to the store once.
        text = original
    return NormalisedText(text=text, original=original, converted_script=converted, removed_lines=tuple(removed))


def traditional(text: str) -> str:
    """Simplified → traditional (OpenCC ``s2t``); used to build test and benchmark documents."""
    return _s2t().convert(text)


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


__all__ = ["NormalisedText", "normalise_doc_number_forms", "normalise_text", "traditional"]

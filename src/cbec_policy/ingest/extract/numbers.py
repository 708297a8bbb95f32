"""The document's own number (发文字号): number lines, announcement numbers and standard numbers.

A number the body only cites (依据…〔2018〕49号, 《…》（…号）) is never the document's own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from cbec_policy.ingest.extract.common import (
    CLAUSE_STOP,
    Evidence,
    Lines,
    announcement_head,
    line_at,
    normalise_doc_number,
)
from cbec_policy.reference import load_doc_number_prefixes

_CITE_BEFORE = re.compile(
    r"(依据|根据|按照|参照|依照|执行|贯彻|落实|废止|代替|替代|取代|修订|修改|转发|印发|详见|参见|见|按|据|《[^》]*》|〈[^〉]*〉|[（(])\s*$"
)
_CITE_AFTER = re.compile(r"^\s*([）)]|文件|规定|精神|要求|等文件|的规定|有关规定|同时废止|废止|印发|执行|相关|第)")
_GB = re.compile(r"GB(?:/[TZ])?\s*\d{3,6}(?:\.\d+)?\s*[-—–]\s*(?:19|20)\d{2}")
_ANNOUNCEMENT_NUMBER = re.compile(r"公告\s*((?:19|20)\d{2})\s*年\s*第\s*(\d{1,5})\s*号")
_CUE_WORDS = (
    "依据", "根据", "按照", "参照", "依照", "执行", "贯彻", "落实", "转发", "印发", "关于", "通知", "公告", "文件",
    "精神", "要求", "规定", "详见", "参见", "以及", "和", "及", "与", "或", "的", "是", "在", "对", "将", "见", "即",
)  # fmt: skip
_NUMBER_LINE = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,16}〔\d{4}〕第?\d{1,5}号")
_ANNOUNCEMENT_LINE = re.compile(r"[\u4e00-\u9fff、]{2,60}公告\d{4}年第\d{1,5}号")
_THREE_IDEOGRAPHS = re.compile(r"[\u4e00-\u9fff]{3}")


def is_number_line(line: str) -> bool:
    if "号" not in line and "GB" not in line:
        return False  # every form below contains one of these
    compact = line.replace(" ", "")
    return bool(_NUMBER_LINE.fullmatch(compact) or _ANNOUNCEMENT_LINE.fullmatch(compact) or _GB.fullmatch(line.strip()))


@cache
def _known_prefixes() -> list[str]:
    return sorted({"".join(prefix.split()) for prefix, _ in load_doc_number_prefixes()}, key=len, reverse=True)


@cache
def _known_prefix_set() -> frozenset[str]:
    return frozenset(_known_prefixes())


def _trim_prefix(prefix: str, at_line_start: bool) -> str:
    """The number's own prefix out of the characters before 〔: drop leading sentence words."""
    if at_line_start and len(prefix) <= 10:
        return prefix
    # The longest known prefix that ends ``prefix``: try its suffixes, longest first.
    known = _known_prefix_set()
    for length in range(len(prefix), -1, -1):
        if prefix[len(prefix) - length :] in known:
            return prefix[len(prefix) - length :]
    cut = 0
    for word in _CUE_WORDS:
        position = prefix.rfind(word)
        if position >= 0:
            cut = max(cut, position + len(word))
    trimmed = prefix[cut:]
    return trimmed[-8:] if len(trimmed) > 8 else trimmed


_PREFIX_BEFORE = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,16}$")
_BRACKET_REST = re.compile(r"〔((?:19|20)\d{2})〕(第?\d{1,5})号")


@dataclass(frozen=True)
class _BracketMatch:
    prefix: str
    year: str
    number: str
    start: int
    end: int


def _bracket_numbers(text: str) -> Iterator[_BracketMatch]:
    """前缀〔YYYY〕N号 numbers, found by jumping from one 〔 to the next (a full scan is slow)."""
    position = text.find("〔")
    while position >= 0:
        rest = _BRACKET_REST.match(text, position)
        if rest is not None:
            before = _PREFIX_BEFORE.search(text, max(0, position - 16), position)
            if before is not None:
                yield _BracketMatch(before.group(0), rest.group(1), rest.group(2), before.start(), rest.end())
        position = text.find("〔", position + 1)


@dataclass(frozen=True)
class _NumberCandidate:
    value: str
    start: int
    end: int


# Issuers an announcement prefix stands for when a copy shortens it (总署公告 → 海关总署公告).
_ANNOUNCEMENT_SHORT_ISSUERS = {"总署": "海关总署", "署": "海关总署", "总局": "", "": ""}
SHORT_ANNOUNCEMENT = "公告"
_BARE_ANNOUNCEMENT = re.compile(r"^[（(]?\s*((?:19|20)\d{2})\s*年\s*第\s*(\d{1,5})\s*号\s*[）)]?$", re.M)
_YEAR_ISSUE = re.compile(r"年\s*第\s*\d{1,5}\s*号")  # starts with a literal: a fast precheck
_STANDARD_COVER = ("国家标准", "行业标准", "地方标准", "团体标准", "标准号", "标准编号")


def short_announcement(head: str, year: str, number: str) -> str:
    """The announcement number as far as the copy gives it: 海关总署公告2018年第194号, or 公告2020年第75号
    (to be completed with the issuer once it is known, see :func:`complete_announcement`)."""
    issuer = _ANNOUNCEMENT_SHORT_ISSUERS.get(head, head)
    return normalise_doc_number(f"{issuer}公告{year}年第{int(number)}号")


def complete_announcement(number: str, issuers: list[str]) -> str | None:
    """公告2020年第75号 with one known issuer → 海关总署公告2020年第75号 (the official form)."""
    if not number.startswith(SHORT_ANNOUNCEMENT) or not issuers:
        return None
    return normalise_doc_number(" ".join(issuers) + number)


def _number_candidates(text: str) -> list[_NumberCandidate]:
    candidates: list[_NumberCandidate] = []
    for match in _bracket_numbers(text):
        line_start = text.rfind("\n", 0, match.start) + 1
        at_start = not text[line_start : match.start].strip()
        prefix = _trim_prefix(match.prefix, at_start)
        if not prefix:
            continue
        start = match.start + len(match.prefix) - len(prefix)
        if prefix.endswith("公告"):
            # 公告〔2020〕75号 / 总署公告〔2018〕194号: an announcement number in short form.
            value = short_announcement(prefix[:-2], match.year, match.number.lstrip("第"))
            candidates.append(_NumberCandidate(value, start, match.end))
            continue
        value = normalise_doc_number(f"{prefix}〔{match.year}〕{match.number}号")
        candidates.append(_NumberCandidate(value, start, match.end))
    for match in _ANNOUNCEMENT_NUMBER.finditer(text):
        window_start = max(0, match.start() - 80)
        window = text[window_start : match.start()]
        head = announcement_head().search(window)
        if not head:
            continue
        issuers = head.group(1).strip()
        value = normalise_doc_number(f"{issuers}公告{match.group(1)}年第{match.group(2)}号")
        candidates.append(_NumberCandidate(value, window_start + head.start(1), match.end()))
    head_end = min(len(text), 3000)
    bare = _BARE_ANNOUNCEMENT.finditer(text, 0, head_end) if _YEAR_ISSUE.search(text, 0, head_end) else ()
    for match in bare:
        # '2025年第9号' on its own line under an announcement's title, without 公告.
        value = short_announcement("", match.group(1), match.group(2))
        candidates.append(_NumberCandidate(value, match.start(1), match.end()))
    for match in _GB.finditer(text):
        candidates.append(_NumberCandidate(normalise_doc_number(match.group(0)), match.start(), match.end()))
    return candidates


def find_doc_number(
    text: str, lines: Lines, header_end: int, title_span: tuple[int, int] | None, metadata: dict[str, str]
) -> tuple[str, Evidence] | None:
    meta_number = metadata.get("doc_number")
    if meta_number and re.search(r"\d", meta_number):
        value = normalise_doc_number(meta_number)
        position = text.find(value)
        span = (position, position + len(value)) if position >= 0 else None
        return value, Evidence(span, meta_number, 0.98, "metadata block 发文字号")
    tail_start = int(len(text) * 0.6)
    best: tuple[float, _NumberCandidate, str] | None = None
    for candidate in _number_candidates(text):
        line = line_at(lines, candidate.start)
        before = text[line.start : candidate.start]
        # In a line that lost its breaks, what precedes the number's own clause is another line.
        stop = max(before.rfind(mark) for mark in CLAUSE_STOP)
        if stop >= 0:
            before = before[stop + 1 :]
        after = text[candidate.end : line.end]
        after_title = title_span is not None and 0 <= candidate.start - title_span[1] <= 6
        bare_before, bare_after = before.rstrip(" 　"), after.lstrip(" 　")
        if bare_before.endswith(("(", "（")) and bare_after.startswith((")", "）")):
            # (豫政〔2016〕16号) on its own line or right after the title: the number in brackets.
            inside_before = bare_before[:-1]
            if not inside_before.strip(" 　") or after_title:
                before, after = inside_before, bare_after[1:]
        cited = bool(_CITE_BEFORE.search(before[-20:]) or _CITE_AFTER.match(after))
        if cited:
            continue
        standalone = not before.strip(" 　") and (
            not after.strip() or (len(after.strip()) <= 12 and not _THREE_IDEOGRAPHS.search(after))
        )
        on_cover = before.rstrip(" 　:：").endswith(_STANDARD_COVER)
        if on_cover:
            score, method = 0.93, "standard number on the cover"
        elif standalone and candidate.start <= header_end + 40:
            score, method = 0.95, "number line under the title"
        elif after_title:
            score, method = 0.9, "number right after the title"
        elif standalone and candidate.start >= tail_start:
            score, method = 0.85, "number line in the signature area"
        elif candidate.start <= header_end and not before.strip(" 　").endswith(("》", "〉")):
            score, method = 0.8, "number in the header"
        elif standalone:
            score, method = 0.6, "number on its own line"
        else:
            continue  # a number inside a body sentence is a citation, stated or not
        if best is None or score > best[0]:
            best = (score, candidate, method)
    if best is None:
        return None
    score, candidate, method = best
    return candidate.value, Evidence(
        (candidate.start, candidate.end), text[candidate.start : candidate.end], score, method
    )

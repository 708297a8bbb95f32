"""Dates as Chinese documents write them: 2018年11月29日, 二〇一八年十一月二十九日, 2018-11-29.

Signature dates of official documents are often in Chinese numerals, and web copies spell the
zero of 二〇一八 as 〇, ○, O or 零. Every match keeps its span so that the extractor can judge
its context (a signature line, an effective-date clause, a site's posting line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "0": 0, "Ｏ": 0}
_DIGITS.update({ch: i for i, ch in enumerate("一二三四五六七八九", start=1)})
_ZH_DIGIT = "〇○零OoＯ0一二三四五六七八九"
_ZH_SMALL = "一二三四五六七八九十"

DATE_RE = re.compile(
    rf"(?P<ay>(?:19|20)\d{{2}})\s*年\s*(?P<am>\d{{1,2}})\s*月\s*(?P<ad>\d{{1,2}})\s*日"
    rf"|(?P<zy>[{_ZH_DIGIT}]{{4}})\s*年\s*(?P<zm>[{_ZH_SMALL}]{{1,2}})\s*月\s*(?P<zd>[{_ZH_SMALL}]{{1,3}})\s*日"
    rf"|(?<![\d.])(?P<iy>(?:19|20)\d{{2}})(?P<sep>[-./])(?P<im>\d{{1,2}})(?P=sep)(?P<id>\d{{1,2}})(?![\d.])"
)


@dataclass(frozen=True)
class DateMatch:
    """A date found in text, with its span and whether it was written in ISO/dotted form."""

    value: date
    start: int
    end: int
    numeric: bool  # 2018-11-29 / 2018.11.29 rather than 年月日


def _small_number(text: str) -> int | None:
    """十 → 10, 十二 → 12, 二十九 → 29, 三十一 → 31, 九 → 9."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, units = text.partition("十")
        value = (_DIGITS.get(tens, -100) if tens else 1) * 10 + (_DIGITS.get(units, -100) if units else 0)
        return value if value > 0 else None
    if len(text) == 1:
        return _DIGITS.get(text)
    return None


def _zh_year(text: str) -> int | None:
    digits = [_DIGITS.get(ch) for ch in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


def parse_zh_date(text: str) -> date | None:
    """The date in ``text`` when all of it is one date (any supported form), else None."""
    match = DATE_RE.fullmatch(text.strip())
    return _to_date(match) if match else None


def _to_date(match: re.Match[str]) -> date | None:
    if match.group("ay"):
        year, month, day = int(match.group("ay")), int(match.group("am")), int(match.group("ad"))
    elif match.group("zy"):
        year = _zh_year(match.group("zy"))  # type: ignore[assignment]
        month = _small_number(match.group("zm"))  # type: ignore[assignment]
        day = _small_number(match.group("zd"))  # type: ignore[assignment]
        if year is None or month is None or day is None:
            return None
    else:
        year, month, day = int(match.group("iy")), int(match.group("im")), int(match.group("id"))
    try:
        return date(year, month, day)
    except ValueError:
        return None


_ANCHORS = ("年", "-", ".", "/")


def find_dates(text: str, start: int = 0, end: int | None = None) -> Iterator[DateMatch]:
    """Every valid date in ``text[start:end]``; impossible dates such as 2月30日 are skipped.

    A regular-expression scan of the whole text is slow for 10 KB documents, so the scan jumps
    from one anchor (年, or a separator after four digits) to the next and matches only there.
    """
    stop = len(text) if end is None else end
    anchors: list[int] = []
    for anchor in _ANCHORS:
        position = text.find(anchor, start, stop)
        while position >= 0:
            anchors.append(position)
            position = text.find(anchor, position + 1, stop)
    anchors.sort()
    last_end = start
    for position in anchors:
        if position < last_end:
            continue
        # The year (four digits or four Chinese numerals) ends at most two spaces before the anchor.
        for offset in (4, 5, 6):
            begin = position - offset
            if begin < max(start, last_end - 0):
                continue
            match = DATE_RE.match(text, begin, stop)
            if match is None or match.end() <= position:
                continue
            if match.group("iy") and (begin > 0 and (text[begin - 1].isdigit() or text[begin - 1] == ".")):
                continue
            value = _to_date(match)
            if value is not None:
                last_end = match.end()
                yield DateMatch(value, match.start(), match.end(), numeric=bool(match.group("iy")))
            break


_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
         ("nov", "november"), ("dec", "december")),
        start=1,
    )
    for name in names
}  # fmt: skip
_US_NUMERIC = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d{2})\s*$")
_EN_MONTH_FIRST = re.compile(r"^\s*([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+((?:19|20)\d{2})\s*$")
_EN_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+((?:19|20)\d{2})\s*$")


def parse_field_date(value: str) -> date | None:
    """A metadata field's date in any form: Chinese or ISO (2021-05-21), or as English catalogue
    pages write it, month first (05-21-2021, May 21, 2021) or day first with a month name."""
    found = next(find_dates(value), None)
    if found is not None:
        return found.value
    numeric = _US_NUMERIC.match(value)
    if numeric:
        month, day, year = int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3))
    else:
        worded = _EN_MONTH_FIRST.match(value)
        if worded:
            month_name, day, year = worded.group(1), int(worded.group(2)), int(worded.group(3))
        else:
            worded = _EN_DAY_FIRST.match(value)
            if not worded:
                return None
            day, month_name, year = int(worded.group(1)), worded.group(2), int(worded.group(3))
        month = _MONTHS.get(month_name.lower(), 0)
    try:
        return date(year, month, day)
    except ValueError:
        return None

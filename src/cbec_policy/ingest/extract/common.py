"""What every field finder shares: the result types, the lines of the text and the issuer vocabulary."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from itertools import accumulate
from typing import overload

from cbec_policy.departments import normalise_issuer
from cbec_policy.docnumber import normalise_doc_number as _normalise_doc_number
from cbec_policy.ingest.divisions import divisions
from cbec_policy.reference import load_departments, load_doc_number_prefixes

ORG_END = re.compile(
    r"(大学|学院|学校|中学|小学|公司|集团|中心|协会|商会|委员会|政府|办公厅|办公室|局|厅|部|署|院|所|会|行|处|委)$"
)
SALUTATION = re.compile(r"[:：]$")
META_LINE = re.compile(
    r"^【?(发布部门|颁布日期|实施日期|索引号|主题分类|发文机关|发布机构|成文日期|发文字号|文号|发布日期|公布日期|标题|主题词|时效性|效力级别)"
)
# Lines that mirrors, blogs and site templates add around a document: never a title, never the
# end of the header (a copy notice ending in 。 is not the first paragraph of the body).
SPAM_LINE = re.compile(
    r"(转载自|转自|版权归|免责声明|扫码关注|扫一扫|长按识别|点击上方|关注我们|阅读原文|责任编辑|浏览次数|"
    r"字号|打印本页|关闭窗口|分享到|来源[:：]|发布时间[:：]|原创\s)"
)
CLAUSE_STOP = "。！？；!?;"
HEADER_SCAN_LINES = 30


@dataclass(frozen=True)
class Evidence:
    """Where a value came from: a span in the normalised text or a metadata field."""

    span: tuple[int, int] | None
    text: str
    confidence: float
    method: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, as stored in ``Policy.extraction_evidence``."""
        return {
            "span": list(self.span) if self.span else None,
            "text": self.text,
            "confidence": round(self.confidence, 2),
            "method": self.method,
        }


@dataclass(frozen=True)
class RepealReference:
    """A document that a repeal clause ends, as printed; ``doc_number`` or ``title`` may be missing."""

    printed: str
    doc_number: str | None
    title: str | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, as kept in the extraction evidence."""
        return {"printed": self.printed, "doc_number": self.doc_number, "title": self.title}


@dataclass
class Timeline:
    """施行日期, 失效日期, repealed documents and 效力级别 of one document, each with its evidence."""

    effective_date: date | None = None
    end_date: date | None = None
    repeals: list[RepealReference] = field(default_factory=list)
    legal_force: str | None = None
    evidence: dict[str, Evidence] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (dates in ISO form), as kept in the extraction evidence."""
        return {
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "repeals": [reference.as_dict() for reference in self.repeals],
            "legal_force": self.legal_force,
            "evidence": {name: item.as_dict() for name, item in self.evidence.items()},
        }


@dataclass
class Extraction:
    """Metadata found in one document, each present field with its evidence."""

    title: str | None = None
    doc_number: str | None = None
    issuers: list[str] = field(default_factory=list)
    publish_date: date | None = None
    release_date: date | None = None
    level: str | None = None
    region: str | None = None
    evidence: dict[str, Evidence] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    timeline: Timeline = field(default_factory=Timeline)


class Line:
    """One line of the text: its span, its text and its position in the list of lines."""

    # A plain slotted class: a frozen dataclass costs several times more to build, and a
    # document has dozens of lines.
    __slots__ = ("end", "index", "start", "text")

    def __init__(self, start: int, end: int, text: str, index: int) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.index = index


class Lines(Sequence[Line]):
    """The lines of a text, each built only when asked for.

    A document has dozens of lines but extraction looks at a few of them (the header, the
    lines around a date or a number), so the start offsets are computed for all lines (also
    for the binary search in :func:`line_at`) and the line objects lazily.
    """

    __slots__ = ("_made", "starts", "texts")

    def __init__(self, text: str) -> None:
        self.texts = text.split("\n")
        # Start of each line: running total of (length + 1 for the line break), in C.
        self.starts = list(accumulate(map((1).__add__, map(len, self.texts)), initial=0))
        self.starts.pop()  # the offset after the last line
        self._made: list[Line | None] = [None] * len(self.texts)

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: slice) -> list[Line]: ...

    def __getitem__(self, index: int | slice) -> Line | list[Line]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self.texts)))]
        if index < 0:
            index += len(self.texts)
        line = self._made[index]  # IndexError beyond the end, as a list would raise
        if line is None:
            part = self.texts[index]
            start = self.starts[index]
            line = self._made[index] = Line(start, start + len(part), part, index)
        return line

    def __iter__(self) -> Iterator[Line]:
        return (self[index] for index in range(len(self.texts)))


def make_lines(text: str) -> Lines:
    return Lines(text)


def line_at(lines: Lines, offset: int) -> Line:
    """The line holding ``offset`` (the first line for an offset before it)."""
    return lines[max(0, bisect_right(lines.starts, offset) - 1)]


# Pure functions of short strings, asked again and again across a corpus: cached.
normalise_doc_number = lru_cache(maxsize=16384)(_normalise_doc_number)


# --------------------------------------------------------------------------- issuer vocabulary


@cache
def issuer_pattern() -> re.Pattern[str]:
    """Department names and short forms, and local government bodies (河南省人民政府, 厦门市商务局)."""
    names: set[str] = set()
    for department in load_departments():
        names.add(department.name)
        names.update(department.short_forms)
    for _prefix, issuers in load_doc_number_prefixes():
        names.update(issuers)
    national = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    places = "|".join(re.escape(n) for n in sorted(divisions(), key=len, reverse=True))
    local = (
        rf"(?:中共)?(?:{places})(?:人民政府办公厅|人民政府办公室|人民政府|人民代表大会常务委员会|"
        rf"[\u4e00-\u9fff]{{1,12}}?(?:厅|局|委员会|办公室))"
    )
    tax_branch = rf"国家税务总局(?:{places})税务局"
    return re.compile(rf"(?:{tax_branch}|{local}|{national})")


@cache
def issuer_run_end() -> re.Pattern[str]:
    """A run of issuer names that ends the searched text (a signature before its date)."""
    return re.compile(rf"(?:(?:{issuer_pattern().pattern})[ 、]*)+$")


@cache
def issuer_at_end() -> re.Pattern[str]:
    """One issuer name that ends the searched text."""
    return re.compile(rf"(?:{issuer_pattern().pattern})$")


@cache
def announcement_head() -> re.Pattern[str]:
    """The issuers before 公告YYYY年第N号, up to the end of the searched text."""
    return re.compile(rf"((?:(?:{issuer_pattern().pattern})[ 、]*)+(?:等\s*\d{{1,2}}\s*个?部门)?)$")


def issuer_tokens(text: str) -> list[str] | None:
    """Split a run of issuer names (separated by spaces or 、) into official names; None if other text remains."""
    found = _issuer_tokens_cached(text)
    return None if found is None else list(found)


# Bodies that a province had under these names (before the 2018 tax merger), written after the
# province's first body without repeating its name.
_PROVINCIAL_BODIES = frozenset(("国家税务局", "地方税务局", "国税局", "地税局"))
_PROVINCE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,7}?(?:省|自治区)")


@lru_cache(maxsize=8192)
def _issuer_tokens_cached(text: str) -> tuple[str, ...] | None:
    # The issuer pattern is a long alternation, slow to try; the same issuer lines recur.
    pattern = issuer_pattern()
    found: list[str] = []
    position = 0
    text = text.strip()
    place = ""  # the province of the previous name, for bodies that follow it without one
    while position < len(text):
        if text[position] in " 、，,\t":
            position += 1
            continue
        body = next((b for b in _PROVINCIAL_BODIES if text.startswith(b, position)), None) if place else None
        if body is not None:
            found.append(place + body)
            position += len(body)
            continue
        match = pattern.match(text, position)
        if not match:
            return None
        name = match.group(0)
        if place and name in _PROVINCIAL_BODIES:
            # 河南省财政厅 国家税务局 地方税务局: the province's own tax bureaus, not the national ones.
            found.append(place + name)
        else:
            found.append(normalise_issuer(name))
            named = _PROVINCE_PREFIX.match(name)
            place = named.group(0) if named else ""
        position = match.end()
    return tuple(found)


def unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen

"""Find a policy document's own metadata in its normalised text, each value with its evidence.

Fields: title, doc_number, issuers, publish_date (and the official release date when a metadata
block gives one), level and region. Every value carries the character span in the normalised
text it was read from (or the metadata-block field), a confidence and the method, so a reader
can check it. Rules of thumb that the methods encode:

* the document's own number stands near the top (under the title, in the metadata block) or in
  the signature area; a number the body only cites (依据…〔2018〕49号, 《…》（…号）) is not its own;
* the document date is the signature date or 成文日期; a site's posting or crawl date
  (来源… 发布时间 2024-…) and an effective date (自…起施行) are never taken;
* issuers come from the metadata block, the title prefix, the signature block or the
  document-number prefix, in that order; "商务部等9部门" names the lead and the count only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from itertools import accumulate
from typing import overload

from cbec_policy.departments import canonical_department, issuers_for_doc_number, normalise_issuer
from cbec_policy.docnumber import normalise_doc_number as _normalise_doc_number
from cbec_policy.ingest.dates_zh import DateMatch, find_dates, parse_zh_date
from cbec_policy.ingest.divisions import Division, divisions, find_divisions, region_label
from cbec_policy.ingest.htmltext import read_metadata
from cbec_policy.ingest.normalise import normalise_text
from cbec_policy.reference.loader import load_departments, load_doc_number_prefixes

# Words a document title ends with (the genre of the document).
_TYPE_WORDS = (
    "通知|公告|通告|意见|批复|决定|复函|函|办法|规定|方案|措施|通报|规划|细则|指引|指南|规则|条例|规范|要求|标准|"
    "规程|公示|报告|纪要|命令|令|决议|法|安排|计划|清单|目录|名单|答复|说明"
)
_TITLE_END = re.compile(rf"(?:{_TYPE_WORDS})(?:（[^（）]{{1,20}}）|\([^()]{{1,20}}\))?$")
_ORG_END = re.compile(
    r"(大学|学院|学校|中学|小学|公司|集团|中心|协会|商会|委员会|政府|办公厅|办公室|局|厅|部|署|院|所|会|行|处)$"
)
_SALUTATION = re.compile(r"[:：]$")
_SALUTATION_WORDS = re.compile(r"(各|人民政府|部门|单位|直属|有关|局|厅|委|办|公司|企业|同学|老师|教职工|供应商)")
_META_LINE = re.compile(
    r"^【?(发布部门|颁布日期|实施日期|索引号|主题分类|发文机关|发布机构|成文日期|发文字号|文号|发布日期|公布日期|标题|主题词|时效性|效力级别)"
)
_CHROME_LINE = re.compile(r"(首页|当前位置|>|›|»|\||｜|登录|注册|English|繁体|简体)")
# Lines that mirrors, blogs and site templates add around a document: never a title, never the
# end of the header (a copy notice ending in 。 is not the first paragraph of the body).
_SPAM_LINE = re.compile(
    r"(转载自|转自|版权归|免责声明|扫码关注|扫一扫|长按识别|点击上方|关注我们|阅读原文|责任编辑|浏览次数|"
    r"字号|打印本页|关闭窗口|分享到|来源[:：]|发布时间[:：]|原创\s)"
)
# A heading that carries the announcement number with the title in brackets after it, as
# customs pages write it: 海关总署公告2014年第57号（关于增列海关监管方式代码的公告）
_NUMBER_THEN_TITLE = re.compile(r"^(.{2,40}?(?:公告\d{4}年第\d{1,5}号|〔\d{4}〕第?\d{1,5}号))\s*[（(](.{4,120})[）)]$")
# A headline (news report, blog post) has no sentence punctuation and no genre word; it is the
# title only when nothing title-like was found.
_HEADLINE_BREAK = re.compile(r"[。；：:！!？?，,]")
_CLAUSE_STOP = "。！？；!?;"
# A page number that a PDF copy keeps between the lines: — 1 —, - 2 -, 第1页
_PAGE_NUMBER = re.compile(r"^(?:[—\-－–]+\s*\d{1,3}\s*[—\-－–]+|第\s*\d{1,3}\s*页(?:\s*共\s*\d{1,3}\s*页)?)$")
_CITE_BEFORE = re.compile(
    r"(依据|根据|按照|参照|依照|执行|贯彻|落实|废止|代替|替代|取代|修订|修改|转发|印发|详见|参见|见|按|据|《[^》]*》|〈[^〉]*〉|[（(])\s*$"
)
_CITE_AFTER = re.compile(r"^\s*([）)]|文件|规定|精神|要求|等文件|的规定|有关规定|同时废止|废止|印发|执行|相关|第)")
_EFFECTIVE_BEFORE = re.compile(r"(自|于|从|截至|截止|至|到|在|前|后|起|以及|和|与|或|及|、)\s*$")
_EFFECTIVE_AFTER = re.compile(r"^\s*(起|以前|以后|之前|之后|前|后|至|到|开始|零时|24时|止|期间|印发|[—\-~～])")
_POSTING = re.compile(r"(发布时间|更新时间|发稿时间|来源|浏览|点击|阅读|访问|作者|编辑|\d{1,2}:\d{2})")
_PUBLICATION_NOTE = re.compile(r"[（(]\s*此件[^）)]{0,12}[）)]")
_COVER_LINE = re.compile(r"^(ICS\s|CCS\s|中华人民共和国国家标准|中华人民共和国.{0,4}行业标准|GB(/[TZ])?\s*\d)")
_CC_LINE = re.compile(r"^(抄送|抄报|主送|印发|分送)")
_LAW_ADOPTED = re.compile(r"[（(]\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:第[^）)]{1,40}?会议通过)")
_STANDARD_ISSUED = re.compile(r"((?:19|20)\d{2}-\d{2}-\d{2})\s*发布")
_LAW_ISSUER = re.compile(r"(全国人民代表大会常务委员会|全国人民代表大会)第[^，。）)]{1,20}次会议通过")
_COUNT_ISSUERS = re.compile(r"(等\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*个?部门|等部门|等单位)")
_GB = re.compile(r"GB(?:/[TZ])?\s*\d{3,6}(?:\.\d+)?\s*[-—–]\s*(?:19|20)\d{2}")
_ANNOUNCEMENT_NUMBER = re.compile(r"公告\s*((?:19|20)\d{2})\s*年\s*第\s*(\d{1,5})\s*号")
_CUE_WORDS = (
    "依据", "根据", "按照", "参照", "依照", "执行", "贯彻", "落实", "转发", "印发", "关于", "通知", "公告", "文件",
    "精神", "要求", "规定", "详见", "参见", "以及", "和", "及", "与", "或", "的", "是", "在", "对", "将", "见", "即",
)  # fmt: skip
_NUMBER_LINE = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,16}〔\d{4}〕第?\d{1,5}号")
_ANNOUNCEMENT_LINE = re.compile(r"[\u4e00-\u9fff、]{2,60}公告\d{4}年第\d{1,5}号")
_TITLE_TAIL = re.compile(rf"的(?:{_TYPE_WORDS})")
_THREE_IDEOGRAPHS = re.compile(r"[\u4e00-\u9fff]{3}")
_SENTENCE_STOP = re.compile(r"[:：。]")
# _CC_LINE, _LAW_ADOPTED and _STANDARD_ISSUED run only where a literal word of theirs occurs:
# a str.find is far cheaper than running a pattern over the text, and without the word the
# pattern cannot match.
_HEADER_SCAN_LINES = 30
_HEADER_MAX_CHARS = 1500


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


class _Line:
    """One line of the text: its span, its text and its position in the list of lines."""

    # A plain slotted class: a frozen dataclass costs several times more to build, and a
    # document has dozens of lines.
    __slots__ = ("end", "index", "start", "text")

    def __init__(self, start: int, end: int, text: str, index: int) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.index = index


class _Lines(Sequence[_Line]):
    """The lines of a text, each built only when asked for.

    A document has dozens of lines but extraction looks at a few of them (the header, the
    lines around a date or a number), so the start offsets are computed for all lines (also
    for the binary search in :func:`_line_at`) and the line objects lazily.
    """

    __slots__ = ("_made", "starts", "texts")

    def __init__(self, text: str) -> None:
        self.texts = text.split("\n")
        # Start of each line: running total of (length + 1 for the line break), in C.
        self.starts = list(accumulate(map((1).__add__, map(len, self.texts)), initial=0))
        self.starts.pop()  # the offset after the last line
        self._made: list[_Line | None] = [None] * len(self.texts)

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> _Line: ...

    @overload
    def __getitem__(self, index: slice) -> list[_Line]: ...

    def __getitem__(self, index: int | slice) -> _Line | list[_Line]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self.texts)))]
        if index < 0:
            index += len(self.texts)
        line = self._made[index]  # IndexError beyond the end, as a list would raise
        if line is None:
            part = self.texts[index]
            start = self.starts[index]
            line = self._made[index] = _Line(start, start + len(part), part, index)
        return line

    def __iter__(self) -> Iterator[_Line]:
        return (self[index] for index in range(len(self.texts)))


def _lines(text: str) -> _Lines:
    return _Lines(text)


def _line_at(lines: _Lines, offset: int) -> _Line:
    """The line holding ``offset`` (the first line for an offset before it)."""
    return lines[max(0, bisect_right(lines.starts, offset) - 1)]


# Pure functions of short strings, asked again and again across a corpus: cached.
normalise_doc_number = lru_cache(maxsize=16384)(_normalise_doc_number)


# --------------------------------------------------------------------------- issuer vocabulary


@cache
def _issuer_pattern() -> re.Pattern[str]:
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
        rf"(?:{places})(?:人民政府办公厅|人民政府办公室|人民政府|人民代表大会常务委员会|"
        rf"[\u4e00-\u9fff]{{1,12}}?(?:厅|局|委员会|办公室))"
    )
    tax_branch = rf"国家税务总局(?:{places})税务局"
    return re.compile(rf"(?:{tax_branch}|{local}|{national})")


@cache
def _issuer_run_end() -> re.Pattern[str]:
    """A run of issuer names that ends the searched text (a signature before its date)."""
    return re.compile(rf"(?:(?:{_issuer_pattern().pattern})[ 、]*)+$")


@cache
def _issuer_at_end() -> re.Pattern[str]:
    """One issuer name that ends the searched text."""
    return re.compile(rf"(?:{_issuer_pattern().pattern})$")


@cache
def _announcement_head() -> re.Pattern[str]:
    """The issuers before 公告YYYY年第N号, up to the end of the searched text."""
    return re.compile(rf"((?:(?:{_issuer_pattern().pattern})[ 、]*)+(?:等\s*\d{{1,2}}\s*个?部门)?)$")


def _issuer_tokens(text: str) -> list[str] | None:
    """Split a run of issuer names (separated by spaces or 、) into official names; None if other text remains."""
    found = _issuer_tokens_cached(text)
    return None if found is None else list(found)


@lru_cache(maxsize=8192)
def _issuer_tokens_cached(text: str) -> tuple[str, ...] | None:
    # The issuer pattern is a long alternation, slow to try; the same issuer lines recur.
    pattern = _issuer_pattern()
    found: list[str] = []
    position = 0
    text = text.strip()
    while position < len(text):
        if text[position] in " 、，,\t":
            position += 1
            continue
        match = pattern.match(text, position)
        if not match:
            return None
        found.append(normalise_issuer(match.group(0)))
        position = match.end()
    return tuple(found)


def _unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


# --------------------------------------------------------------------------- layout


def _header_end(lines: _Lines) -> int:
    """Offset where the body starts: the salutation line or the first long paragraph."""
    for index in range(min(len(lines), _HEADER_SCAN_LINES)):
        line = lines[index]
        stripped = line.text.strip()
        if not stripped:
            continue
        if len(stripped) < 60 and _SPAM_LINE.search(stripped):
            continue
        if _SALUTATION.search(stripped) and _SALUTATION_WORDS.search(stripped) and len(stripped) < 150:
            return line.start
        if index == 0 and len(stripped) >= 100 and "。" in stripped:
            # Lost line breaks: the header ends where the first sentence or salutation does.
            stop = _SENTENCE_STOP.search(line.text, 40)
            return line.start + stop.start() if stop else line.start
        if index > 0 and ((len(stripped) >= 80 and "，" in stripped) or (len(stripped) >= 20 and "。" in stripped)):
            return line.start
        if line.start > _HEADER_MAX_CHARS:
            return line.start
    scanned = lines[: _HEADER_SCAN_LINES + 1]
    return min(scanned[-1].end, _HEADER_MAX_CHARS) if scanned else 0


# --------------------------------------------------------------------------- title


def _clean_title(value: str) -> str:
    value = " ".join(value.split())
    value = value.strip(" ：:　")
    if value.startswith("《") and value.endswith("》"):
        value = value[1:-1]
    return value


def _title_like(text: str) -> bool:
    return bool(_TITLE_END.search(text)) and 4 <= len(text) <= 150


def _find_title(
    text: str, lines: _Lines, header_end: int, metadata: dict[str, str], page_title: str | None
) -> tuple[str, Evidence] | None:
    meta_title = metadata.get("title")
    if meta_title:
        value = _clean_title(meta_title)
        position = text.find(value)
        span = (position, position + len(value)) if position >= 0 else None
        return value, Evidence(span, value, 0.97, "metadata block 标题")
    best: tuple[float, str, tuple[int, int]] | None = None
    # Lines that start in the header (their starts grow, so stop at the first one past it).
    limit = max(header_end, 1)
    candidates = [
        lines[index] for index in range(bisect_right(lines.starts, limit, 0, min(len(lines), _HEADER_SCAN_LINES)))
    ]
    for index, line in enumerate(candidates):
        stripped = line.text.strip()
        numbered = _NUMBER_THEN_TITLE.match(stripped) if "号" in stripped else None
        if numbered and _title_like(numbered.group(2)) and _is_number_line(numbered.group(1)):
            # 海关总署公告2014年第57号（关于…的公告）: the bracketed part is the title.
            inner_start = line.start + line.text.index(stripped) + numbered.start(2)
            inner = numbered.group(2)
            best = (0.92, inner, (inner_start, inner_start + len(inner)))
            break
        if not stripped or _META_LINE.match(stripped) or _is_number_line(stripped) or parse_zh_date(stripped):
            continue
        if _COVER_LINE.match(stripped) or _is_template_line(stripped):
            continue
        joined, end = stripped, line.end
        # A title broken over two or three lines: join while the result becomes title-like.
        if not _title_like(joined):
            for follow in candidates[index + 1 : index + 3]:
                piece = follow.text.strip()
                if not piece or len(piece) > 60 or _is_number_line(piece) or _META_LINE.match(piece):
                    break
                if _COVER_LINE.match(piece) or parse_zh_date(piece) or _is_template_line(piece):
                    break
                if (
                    "关于" in piece
                    and _title_like(piece)
                    and (_issuer_tokens(joined) is None or not piece.startswith("关于"))
                ):
                    # A whole title of its own: what stands above it (a banner with the issuer's
                    # name, a blog's teaser) is not part of it. Only '关于…' continues an issuer line.
                    break
                if "".join(piece.split()).startswith("".join(joined.split())):
                    break  # the issuer banner above a title that repeats the issuer's name
                joined, end = joined + piece, follow.end
                if _title_like(joined):
                    break
            else:
                joined, end = stripped, line.end
            if not _title_like(joined):
                joined, end = stripped, line.end
        if len(joined) > 150:
            continue
        score = 0.0
        if _title_like(joined) and ("关于" in joined or len(joined) >= 8):
            score = 0.92 if "关于" in joined else 0.85
        elif "关于" in joined and len(joined) <= 100 and not _SALUTATION.search(joined):
            score = 0.6
        if score and (best is None or score > best[0]):
            best = (score, joined, (line.start, end))
            if score >= 0.92:
                break
    if best is not None and best[0] >= 0.85:
        return _clean_title(best[1]), Evidence(best[2], best[1], best[0], "title line")
    run_on = _run_on_title(text)
    if run_on is not None:
        return run_on
    if page_title and _title_like(_clean_title(page_title)):
        value = _clean_title(page_title)
        position = text.find(value)
        span = (position, position + len(value)) if position >= 0 else None
        return value, Evidence(span, value, 0.7, "page <title>")
    headline = _headline(lines, page_title)
    if headline is not None:
        return headline
    if best is not None:
        return _clean_title(best[1]), Evidence(best[2], best[1], best[0], "title line (no genre word)")
    return None


def _is_template_line(line: str) -> bool:
    """Navigation, breadcrumbs, share bars, copy notices: never part of a title."""
    if len(line) >= 90:
        return False
    if _SPAM_LINE.search(line) or _PAGE_NUMBER.match(line):
        return True
    return bool(_CHROME_LINE.search(line)) and ("关于" not in line or "关于我们" in line)


def _headline(lines: _Lines, page_title: str | None) -> tuple[str, Evidence] | None:
    """A news report's or blog post's headline: the first line, short and without sentence marks.

    Taken only when no title line with a genre word exists. It must not be a number, a date, a
    template line or a sentence; where the page has a <title>, the two must agree.
    """
    for index in range(min(len(lines), 5)):
        line = lines[index]
        stripped = line.text.strip()
        if not stripped or _is_template_line(stripped):
            continue
        if not 6 <= len(stripped) <= 60 or _HEADLINE_BREAK.search(stripped) or "〔" in stripped:
            return None
        if _is_number_line(stripped) or next(find_dates(stripped), None) or _issuer_tokens(stripped) is not None:
            return None
        if page_title:
            compact_page, compact_line = "".join(page_title.split()), "".join(stripped.split())
            if compact_page not in compact_line and compact_line not in compact_page:
                return None
        value = _clean_title(stripped)
        return value, Evidence((line.start, line.end), stripped, 0.65, "headline (no genre word)")
    return None


@cache
def _run_on_pattern() -> re.Pattern[str]:
    issuer = _issuer_pattern().pattern
    group = rf"(?:(?:{issuer})[ 、]?)+(?:等\s*\d{{1,2}}\s*个?部门|等部门)?"
    prefix = rf"{group}(?:转发{group})?"
    body = r"关于(?:《[^》\n]{1,80}》|〈[^〉\n]{1,80}〉|[^\n。；《〈])*?的(?:指导|实施|若干|补充|暂行|有关)?"
    return re.compile(rf"(?:{prefix})?{body}(?:{_TYPE_WORDS})")


def _run_on_title(text: str) -> tuple[str, Evidence] | None:
    """A title inside a line that lost its breaks: '…关于…的通知财关税〔2018〕49号各省…'."""
    pattern = _run_on_pattern()
    limit = min(len(text), 800)
    match = pattern.search(text, 0, limit)
    # A title inside 《》 or 〈〉 is one the text cites (a news report, a forwarding notice).
    while match is not None and _inside_title_marks(text, match.start()):
        match = pattern.search(text, match.end(), limit)
    if not match:
        return None
    end = match.end()
    # A forwarding notice's title ends one genre word later: 转发…关于…的函的通知.
    extended = _TITLE_TAIL.match(text, end)
    while extended is not None and "转发" in match.group(0):
        end = extended.end()
        extended = _TITLE_TAIL.match(text, end)
    found = text[match.start() : end]
    return _clean_title(found), Evidence((match.start(), end), found, 0.75, "title inside run-on text")


def _inside_title_marks(text: str, position: int) -> bool:
    """Whether ``position`` lies inside 《…》 or 〈…〉 on its line."""
    line_start = text.rfind("\n", 0, position) + 1
    before = text[line_start:position]
    return before.count("《") > before.count("》") or before.count("〈") > before.count("〉")


# --------------------------------------------------------------------------- document number


def _is_number_line(line: str) -> bool:
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


def _number_candidates(text: str) -> list[_NumberCandidate]:
    candidates: list[_NumberCandidate] = []
    for match in _bracket_numbers(text):
        line_start = text.rfind("\n", 0, match.start) + 1
        at_start = not text[line_start : match.start].strip()
        prefix = _trim_prefix(match.prefix, at_start)
        if not prefix:
            continue
        start = match.start + len(match.prefix) - len(prefix)
        value = normalise_doc_number(f"{prefix}〔{match.year}〕{match.number}号")
        candidates.append(_NumberCandidate(value, start, match.end))
    for match in _ANNOUNCEMENT_NUMBER.finditer(text):
        window_start = max(0, match.start() - 80)
        window = text[window_start : match.start()]
        head = _announcement_head().search(window)
        if not head:
            continue
        issuers = head.group(1).strip()
        value = normalise_doc_number(f"{issuers}公告{match.group(1)}年第{match.group(2)}号")
        candidates.append(_NumberCandidate(value, window_start + head.start(1), match.end()))
    for match in _GB.finditer(text):
        candidates.append(_NumberCandidate(normalise_doc_number(match.group(0)), match.start(), match.end()))
    return candidates


def _find_doc_number(
    text: str, lines: _Lines, header_end: int, title_span: tuple[int, int] | None, metadata: dict[str, str]
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
        line = _line_at(lines, candidate.start)
        before = text[line.start : candidate.start]
        # In a line that lost its breaks, what precedes the number's own clause is another line.
        stop = max(before.rfind(mark) for mark in _CLAUSE_STOP)
        if stop >= 0:
            before = before[stop + 1 :]
        after = text[candidate.end : line.end]
        cited = bool(_CITE_BEFORE.search(before[-20:]) or _CITE_AFTER.match(after))
        if cited:
            continue
        standalone = not before.strip(" 　") and (
            not after.strip() or (len(after.strip()) <= 12 and not _THREE_IDEOGRAPHS.search(after))
        )
        after_title = title_span is not None and 0 <= candidate.start - title_span[1] <= 6
        if standalone and candidate.start <= header_end + 40:
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


# --------------------------------------------------------------------------- dates


def _date_context(text: str, lines: _Lines, found: DateMatch) -> tuple[str, str, _Line]:
    line = _line_at(lines, found.start)
    return text[line.start : found.start], text[found.end : line.end], line


def _find_publish_date(
    text: str, lines: _Lines, header_end: int, metadata: dict[str, str], extraction: Extraction
) -> None:
    release = metadata.get("release_date")
    if release:
        extraction.release_date = _meta_date(release)
    written = metadata.get("written_date")
    if written and _meta_date(written):
        value = _meta_date(written)
        extraction.publish_date = value
        position = text.find(written)
        span = (position, position + len(written)) if position >= 0 else None
        extraction.evidence["publish_date"] = Evidence(span, written, 0.97, "metadata block 成文日期")
        return
    best: tuple[float, DateMatch, str] | None = None

    def offer(score: float, found: DateMatch, method: str) -> None:
        nonlocal best
        # Later signature dates win ties: a covering notice is signed before its attachment ends.
        if best is None or score > best[0]:
            best = (score, found, method)

    cc_start = len(text)
    # 抄送/抄报 contain 抄 and 主送/分送 contain 送: three searches instead of five.
    has_cc_word = "抄" in text or "送" in text or "印发" in text
    # Only lines that start after the header count, so the loop starts at the first of them.
    for index in range(bisect_right(lines.starts, header_end), len(lines)) if has_cc_word else ():
        if _CC_LINE.match(lines.texts[index].strip()):
            cc_start = min(cc_start, lines.starts[index])
            break
    for found in find_dates(text):
        before, after, line = _date_context(text, lines, found)
        if _POSTING.search(line.text) and not _META_LINE.match(line.text.strip()):
            continue
        if found.start >= cc_start:
            continue
        if _EFFECTIVE_AFTER.match(after):
            continue
        bare_before = before.strip(" 　（(")
        bare_after = _PUBLICATION_NOTE.sub("", after).strip(" 　）)")
        standalone = not bare_before and not bare_after
        if standalone and found.start > header_end:
            previous = _previous_nonempty(lines, line)
            signed = previous is not None and (
                _issuer_tokens(previous.text) is not None or bool(_ORG_END.search(previous.text.strip()))
            )
            offer(0.92 if signed else 0.8, found, "signature date" if signed else "date line after the body")
            continue
        if not standalone and found.start > header_end and not bare_after:
            # Run-on signature: '…特此公告。海关总署2018年12月10日'
            tail = bare_before[-30:]
            issuer_run = _issuer_at_end().search(tail)
            if tail.endswith("。") or issuer_run:
                offer(0.75, found, "signature date in run-on text")
            continue
        if standalone and found.start <= header_end:
            offer(0.55, found, "date line in the header")
    adopted_end = min(len(text), header_end + 400)
    for match in _LAW_ADOPTED.finditer(text, 0, adopted_end) if text.find("会议通过", 0, adopted_end) >= 0 else ():
        value = parse_zh_date(match.group(1))
        if value:
            offer(0.85, DateMatch(value, match.start(1), match.end(1), False), "date of adoption")
    for match in _STANDARD_ISSUED.finditer(text, 0, 3000) if text.find("发布", 0, 3000) >= 0 else ():
        value = parse_zh_date(match.group(1))
        if value:
            offer(0.85, DateMatch(value, match.start(1), match.end(1), True), "standard issue date")
    if best is not None:
        score, found, method = best
        extraction.publish_date = found.value
        extraction.evidence["publish_date"] = Evidence(
            (found.start, found.end), text[found.start : found.end], score, method
        )
    elif extraction.release_date is not None:
        extraction.publish_date = extraction.release_date
        extraction.evidence["publish_date"] = Evidence(None, release or "", 0.7, "metadata block 发布日期")
        extraction.warnings.append("publish_date: no signature date; took the release date (发布日期)")


def _meta_date(value: str) -> date | None:
    found = next(find_dates(value), None)
    return found.value if found else None


def _previous_nonempty(lines: _Lines, line: _Line) -> _Line | None:
    index = line.index
    for previous in reversed(lines[max(0, index - 3) : index]):
        if previous.text.strip():
            return previous
    return None


# --------------------------------------------------------------------------- issuers


def _title_issuers(title: str, extraction: Extraction) -> list[str] | None:
    head = title
    for marker in ("关于", "转发", "印发"):
        position = head.find(marker)
        if position > 0:
            head = head[:position]
    if head == title:
        return None
    count = _COUNT_ISSUERS.search(head)
    if count:
        lead = _issuer_tokens(head[: count.start()])
        if lead:
            extraction.warnings.append(
                f"issuers: the title names only the lead department ({head.strip()}); "
                f"{'the count is ' + count.group(2) if count.group(2) else 'the others are not named'}"
            )
            return lead[:1]
        return None
    tokens = _issuer_tokens(head)
    if tokens:
        return tokens
    head = head.strip()
    if 2 <= len(head) <= 30 and _ORG_END.search(head):
        return [part for part in head.split() if part]
    return None


def _signature_issuers(text: str, lines: _Lines, extraction: Extraction) -> list[str] | None:
    evidence = extraction.evidence.get("publish_date")
    if evidence is None or evidence.span is None or not evidence.method.startswith("signature"):
        return None
    start = evidence.span[0]
    line = _line_at(lines, start)
    before = text[line.start : start].strip()
    if before:
        tail = _issuer_run_end().search(before)
        return _issuer_tokens(tail.group(0)) if tail else None
    collected: list[str] = []
    index = line.index
    for previous in reversed(lines[max(0, index - 4) : index]):
        stripped = previous.text.strip()
        if not stripped:
            continue
        tokens = _issuer_tokens(stripped)
        if tokens is None:
            # A signature run on after the last sentence: '…特此公告。海关总署'
            stop = max(stripped.rfind(mark) for mark in _CLAUSE_STOP)
            tail = stripped[stop + 1 :].strip()
            tail_tokens = _issuer_tokens(tail) if tail and stop >= 0 else None
            if tail_tokens:
                collected = tail_tokens + collected
            elif not collected and 2 <= len(tail) <= 30 and _ORG_END.search(tail):
                collected = [tail]
            break
        collected = tokens + collected
    return collected or None


def _find_issuers(text: str, lines: _Lines, metadata: dict[str, str], extraction: Extraction) -> None:
    meta_issuer = metadata.get("issuer")
    if meta_issuer:
        names = [normalise_issuer(part) for part in re.split(r"[\s、，,;；]+", meta_issuer) if part]
        count = _COUNT_ISSUERS.search(meta_issuer)
        if count:
            names = [normalise_issuer(meta_issuer[: count.start()])]
        extraction.issuers = _unique(names)
        extraction.evidence["issuers"] = Evidence(None, meta_issuer, 0.95, "metadata block 发文机关")
        return
    if extraction.title:
        from_title = _title_issuers(extraction.title, extraction)
        if from_title:
            extraction.issuers = _unique(from_title)
            span = extraction.evidence["title"].span
            extraction.evidence["issuers"] = Evidence(span, extraction.title, 0.9, "title prefix")
            return
    signed = _signature_issuers(text, lines, extraction)
    if signed:
        extraction.issuers = _unique(signed)
        extraction.evidence["issuers"] = Evidence(None, " ".join(signed), 0.85, "signature block")
        return
    if extraction.doc_number:
        implied = issuers_for_doc_number(extraction.doc_number)
        if implied:
            extraction.issuers = _unique(implied)
            span = extraction.evidence["doc_number"].span
            extraction.evidence["issuers"] = Evidence(span, extraction.doc_number, 0.8, "document-number prefix")
            return
    adopted = _LAW_ISSUER.search(text, 0, min(len(text), 2000))
    if adopted:
        extraction.issuers = [adopted.group(1)]
        extraction.evidence["issuers"] = Evidence(adopted.span(1), adopted.group(1), 0.8, "adopting body")


# --------------------------------------------------------------------------- level and region


def _find_level(extraction: Extraction) -> None:
    local: list[Division] = []
    national = False
    for issuer in extraction.issuers:
        places = find_divisions(issuer)
        if places:
            local.append(places[0][0])
        elif canonical_department(issuer) is not None:
            national = True
    if local:
        # The most specific place decides: a city bureau is municipal even beside a province.
        division = max(local, key=lambda d: not d.is_provincial)
        extraction.level = "provincial" if division.is_provincial else "municipal"
        extraction.region = region_label(division)
        extraction.evidence["level"] = Evidence(None, division.name, 0.9, "issuer's administrative division")
        extraction.evidence["region"] = Evidence(None, division.name, 0.9, "issuer's administrative division")
    elif national:
        extraction.level = "national"
        extraction.evidence["level"] = Evidence(None, extraction.issuers[0], 0.9, "national issuer")


# --------------------------------------------------------------------------- entry point


@lru_cache(maxsize=8192)
def _normalised_value(value: str) -> str:
    """A metadata value or page title normalised as the document text is (script, width, brackets)."""
    return normalise_text(value).text


def extract_metadata(text: str, metadata: dict[str, str] | None = None, page_title: str | None = None) -> Extraction:
    """Extract the metadata of a normalised document ``text``.

    ``metadata`` holds fields of a metadata block read by the HTML reader; when it is empty the
    first lines of ``text`` are searched for such a block (plain-text copies of gov.cn pages).
    """
    extraction = Extraction()
    lines = _lines(text)
    header_end = _header_end(lines)
    # The reader hands over metadata and <title> as the page wrote them: a traditional-script or
    # full-width mirror needs the same normalisation as the text, or they match nothing in it.
    fields = {key: _normalised_value(value) for key, value in (metadata or {}).items()}
    page_title = _normalised_value(page_title) if page_title else page_title
    if not fields:
        fields = read_metadata(text[: lines[min(len(lines), 40) - 1].end])  # the first 40 lines
    found_title = _find_title(text, lines, header_end, fields, page_title)
    if found_title:
        extraction.title, extraction.evidence["title"] = found_title
    else:
        extraction.warnings.append("title: no title line found")
    title_span = extraction.evidence["title"].span if found_title else None
    found_number = _find_doc_number(text, lines, header_end, title_span, fields)
    if found_number:
        extraction.doc_number, extraction.evidence["doc_number"] = found_number
    _find_publish_date(text, lines, header_end, fields, extraction)
    if extraction.publish_date is None:
        extraction.warnings.append("publish_date: no document date found")
    _find_issuers(text, lines, fields, extraction)
    if not extraction.issuers:
        extraction.warnings.append("issuers: no issuer found")
    _find_level(extraction)
    return extraction

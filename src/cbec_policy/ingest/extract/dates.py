"""The document date (成文日期 / signature date), never a site's posting date or an effective date."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat

from cbec_policy.ingest.dates_zh import DateMatch, find_dates, parse_field_date, parse_zh_date
from cbec_policy.ingest.extract.common import (
    META_LINE,
    ORG_END,
    Evidence,
    Line,
    Lines,
    issuer_at_end,
    issuer_tokens,
    line_at,
)

_EFFECTIVE_AFTER = re.compile(r"^\s*(起|以前|以后|之前|之后|前|后|至|到|开始|零时|24时|止|期间|印发|[—\-~～])")
_POSTING = re.compile(r"(发布时间|更新时间|发稿时间|来源|浏览|点击|阅读|访问|作者|编辑|\d{1,2}:\d{2})")
_PUBLICATION_NOTE = re.compile(r"[（(]\s*此件[^）)]{0,12}[）)]")
_CC_WORDS = ("抄送", "抄报", "主送", "印发", "分送")
# _LAW_ADOPTED and _STANDARD_ISSUED run only where a literal word of theirs occurs: a str.find
# is far cheaper than running a pattern over the text, and without the word it cannot match.
_LAW_ADOPTED = re.compile(r"[（(]\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:第[^）)]{1,40}?会议通过)")
# A site's separators after a date at the end of a copy: '2016年5月15日 |'.
_TRAILING_CHROME = re.compile(r"[|｜]+\s*$")
_STANDARD_ISSUED = re.compile(r"((?:19|20)\d{2}-\d{2}-\d{2})\s*发布(?!时间|日期)")


def _date_context(text: str, lines: Lines, found: DateMatch) -> tuple[str, str, Line]:
    line = line_at(lines, found.start)
    return text[line.start : found.start], text[found.end : line.end], line


@dataclass
class DateFinding:
    """The document date and the release date (发布日期) when a metadata block gives one."""

    publish_date: date | None = None
    evidence: Evidence | None = None
    release_date: date | None = None
    warnings: list[str] = field(default_factory=list)


def find_publish_date(
    text: str,
    lines: Lines,
    header_end: int,
    metadata: dict[str, str],
    standard: bool = False,
    dates: list[DateMatch] | None = None,
) -> DateFinding:
    """The document's own date: 成文日期 field, signature date, adoption or standard issue date.

    ``dates`` are the text's dates when the caller has them already. ``standard`` says the
    document is a standard (a GB number was found): then a catalogue's
    发布时间 field is the standard's issue date, not a site's posting time.
    """
    finding = DateFinding()
    release = metadata.get("release_date")
    if release:
        finding.release_date = meta_date(release)
    written = metadata.get("written_date")
    if written and meta_date(written):
        position = text.find(written)
        span = (position, position + len(written)) if position >= 0 else None
        finding.publish_date = meta_date(written)
        finding.evidence = Evidence(span, written, 0.97, "metadata block 成文日期")
        return finding
    posted = metadata.get("posted_date")
    if standard and posted and meta_date(posted):
        position = text.find(posted)
        span = (position, position + len(posted)) if position >= 0 else None
        finding.publish_date = meta_date(posted)
        finding.evidence = Evidence(span, posted, 0.85, "standard catalogue 发布时间")
        return finding
    best: tuple[float, DateMatch, str] | None = None

    def offer(score: float, found: DateMatch, method: str) -> None:
        nonlocal best
        if best is None or score > best[0]:
            best = (score, found, method)

    cc_start = _cc_block_start(text, lines, header_end)
    for found in find_dates(text) if dates is None else dates:
        before, after, line = _date_context(text, lines, found)
        if _POSTING.search(line.text) and not META_LINE.match(line.text.strip()):
            continue
        if found.start >= cc_start:
            continue
        if _EFFECTIVE_AFTER.match(after):
            continue
        bare_before = before.strip(" 　（(")
        bare_after = _TRAILING_CHROME.sub("", _PUBLICATION_NOTE.sub("", after)).strip(" 　）)")
        standalone = not bare_before and not bare_after
        if standalone and found.start > header_end:
            previous = previous_nonempty(lines, line)
            signed = previous is not None and (
                issuer_tokens(previous.text) is not None or bool(ORG_END.search(previous.text.strip()))
            )
            offer(0.92 if signed else 0.8, found, "signature date" if signed else "date line after the body")
            continue
        if not standalone and found.start > header_end:
            # Run-on signature: '…特此公告。海关总署2018年12月10日', or one in a copy that lost its
            # line breaks: '…淮安市人民政府办公室 2024年2月26日 (此件公开发布) 淮安市…'
            tail = bare_before[-30:]
            signer = issuer_at_end().search(tail)
            ends_clause = not bare_after or _PUBLICATION_NOTE.match(after.lstrip()) is not None
            if ends_clause and (tail.endswith("。") or signer):
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
        finding.publish_date = found.value
        finding.evidence = Evidence((found.start, found.end), text[found.start : found.end], score, method)
    elif finding.release_date is not None:
        finding.publish_date = finding.release_date
        finding.evidence = Evidence(None, release or "", 0.7, "metadata block 发布日期")
        finding.warnings.append("publish_date: no signature date; took the release date (发布日期)")
    return finding


def _cc_block_start(text: str, lines: Lines, header_end: int) -> int:
    """Where the 抄送/抄报/主送/印发/分送 block starts: the first line after the header that opens with one.

    Only lines that start after the header count. Each is tested with str methods mapped over
    the lines, which keeps the loop in C: a pattern matched on every line costs several times
    more, and a body has a hundred lines or more when each sentence is a line.
    """
    # 抄送/抄报 contain 抄 and 主送/分送 contain 送: three searches instead of five.
    if not ("抄" in text or "送" in text or "印发" in text):
        return len(text)
    first = bisect_right(lines.starts, header_end)
    # A line opens with a word when it does once its leading blanks are gone (the word has none).
    opens = list(map(str.startswith, map(str.lstrip, lines.texts[first:]), repeat(_CC_WORDS)))
    return lines.starts[first + opens.index(True)] if True in opens else len(text)


def meta_date(value: str) -> date | None:
    """The date a metadata field holds (Chinese, ISO or English catalogue forms)."""
    return parse_field_date(value)


def previous_nonempty(lines: Lines, line: Line) -> Line | None:
    index = line.index
    for previous in reversed(lines[max(0, index - 3) : index]):
        if previous.text.strip():
            return previous
    return None

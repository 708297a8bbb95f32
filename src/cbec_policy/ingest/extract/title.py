"""The document's title: title lines, titles broken over lines, run-on text, page titles and headlines."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

from cbec_policy.ingest.dates_zh import find_dates, parse_zh_date
from cbec_policy.ingest.extract.common import (
    HEADER_SCAN_LINES,
    META_LINE,
    SALUTATION,
    SPAM_LINE,
    Evidence,
    Lines,
    issuer_pattern,
    issuer_tokens,
)
from cbec_policy.ingest.extract.numbers import is_number_line
from cbec_policy.ingest.extract.title_rebuild import (
    TITLE_END,
    TYPE_WORDS,
    clean_title,
    promulgated_title,
    rebuilt_title,
    reported_title,
)

_CHROME_LINE = re.compile(r"(首页|当前位置|>|›|»|\||｜|登录|注册|English|繁体|简体)")
# A heading that carries the announcement number with the title in brackets after it, as
# customs pages write it: 海关总署公告2014年第57号（关于增列海关监管方式代码的公告）
_NUMBER_THEN_TITLE = re.compile(r"^(.{2,40}?(?:公告\d{4}年第\d{1,5}号|〔\d{4}〕第?\d{1,5}号))\s*[（(](.{4,120})[）)]$")
# A headline (news report, blog post) has no sentence punctuation and no genre word; it is the
# title only when nothing title-like was found.
_HEADLINE_BREAK = re.compile(r"[。；：:！!？?，,]")
# A page number that a PDF copy keeps between the lines: — 1 —, - 2 -, 第1页
_PAGE_NUMBER = re.compile(r"^(?:[—\-－–]+\s*\d{1,3}\s*[—\-－–]+|第\s*\d{1,3}\s*页(?:\s*共\s*\d{1,3}\s*页)?)$")
_COVER_LINE = re.compile(r"^(ICS\s|CCS\s|中华人民共和国国家标准|中华人民共和国.{0,4}行业标准|GB(/[TZ])?\s*\d)")
_SENTENCE_INSIDE = re.compile(r"[。，；,;]")
_TITLE_TAIL = re.compile(rf"的(?:{TYPE_WORDS})")


def title_like(text: str) -> bool:
    return bool(TITLE_END.search(text)) and 4 <= len(text) <= 150


def find_title(
    text: str, lines: Lines, header_end: int, metadata: dict[str, str], page_title: str | None
) -> tuple[str, Evidence] | None:
    meta_title = metadata.get("title")
    if meta_title:
        value = clean_title(meta_title)
        position = text.find(value)
        span = (position, position + len(value)) if position >= 0 else None
        return value, Evidence(span, value, 0.97, "metadata block 标题")
    best: tuple[float, str, tuple[int, int]] | None = None
    # Lines that start in the header (their starts grow, so stop at the first one past it).
    limit = max(header_end, 1)
    candidates = [
        lines[index] for index in range(bisect_right(lines.starts, limit, 0, min(len(lines), HEADER_SCAN_LINES)))
    ]
    for index, line in enumerate(candidates):
        stripped = line.text.strip()
        numbered = _NUMBER_THEN_TITLE.match(stripped) if "号" in stripped else None
        if numbered and title_like(numbered.group(2)) and is_number_line(numbered.group(1)):
            # 海关总署公告2014年第57号（关于…的公告）: the bracketed part is the title.
            inner_start = line.start + line.text.index(stripped) + numbered.start(2)
            inner = numbered.group(2)
            best = (0.92, inner, (inner_start, inner_start + len(inner)))
            break
        if not stripped or META_LINE.match(stripped) or is_number_line(stripped) or parse_zh_date(stripped):
            continue
        if _COVER_LINE.match(stripped) or is_template_line(stripped):
            continue
        reported = reported_title(stripped) if "《" in stripped else None
        if reported is not None and title_like(reported):
            # 'ORG发布《X》': the headline of a report on X.
            position = line.start + line.text.index(reported)
            offer = (0.84, reported, (position, position + len(reported)))
            best = offer if best is None or offer[0] > best[0] else best
            continue
        if stripped.endswith("。") and "关于" in stripped and not _SENTENCE_INSIDE.search(stripped[:-1]):
            stripped = stripped[:-1]  # a title line that a copy closed with a full stop
        if "。" in stripped and not title_like(stripped):
            continue  # a sentence: neither a title nor the first part of one
        joined, end = stripped, line.end
        # A title broken over two or three lines: join while the result becomes title-like.
        if not title_like(joined):
            for follow in candidates[index + 1 : index + 3]:
                piece = follow.text.strip()
                if not piece or len(piece) > 60 or is_number_line(piece) or META_LINE.match(piece):
                    break
                if _COVER_LINE.match(piece) or parse_zh_date(piece) or is_template_line(piece):
                    break
                if (
                    "关于" in piece
                    and title_like(piece)
                    and (issuer_tokens(joined) is None or not piece.startswith("关于"))
                ):
                    # A whole title of its own: what stands above it (a banner with the issuer's
                    # name, a blog's teaser) is not part of it. Only '关于…' continues an issuer line.
                    break
                if "".join(piece.split()).startswith("".join(joined.split())):
                    break  # the issuer banner above a title that repeats the issuer's name
                joined, end = joined + piece, follow.end
                if title_like(joined):
                    break
            else:
                joined, end = stripped, line.end
            if not title_like(joined):
                joined, end = stripped, line.end
        if len(joined) > 150:
            continue
        score = 0.0
        if title_like(joined) and ("关于" in joined or len(joined) >= 8):
            score = 0.92 if "关于" in joined else 0.85
        elif "关于" in joined and len(joined) <= 100 and not SALUTATION.search(joined):
            score = 0.6
        if score and (best is None or score > best[0]):
            best = (score, joined, (line.start, end))
            if score >= 0.92:
                break
    if best is not None and best[0] >= 0.84:
        value = clean_title(best[1])
        promulgated = promulgated_title(value, text)
        if promulgated is not None:
            return promulgated
        return value, Evidence(best[2], best[1], best[0], "title line")
    after_lead = _title_after_lead(lines, len(candidates))
    if after_lead is not None:
        return after_lead
    run_on = _run_on_title(text)
    if run_on is not None:
        return run_on
    if page_title and title_like(clean_title(page_title)):
        value = clean_title(page_title)
        position = text.find(value)
        span = (position, position + len(value)) if position >= 0 else None
        return value, Evidence(span, value, 0.7, "page <title>")
    rebuilt = rebuilt_title(text)
    if rebuilt is not None:
        return rebuilt
    headline = _headline(lines, page_title)
    if headline is not None:
        return headline
    if best is not None:
        return clean_title(best[1]), Evidence(best[2], best[1], best[0], "title line (no genre word)")
    return None


def _title_after_lead(lines: Lines, first: int) -> tuple[str, Evidence] | None:
    """A whole 关于…的通知 line below a lead paragraph (a report that quotes the document after its lead)."""
    for index in range(first, min(len(lines), first + 10)):
        line = lines[index]
        stripped = line.text.strip()
        if "关于" in stripped and title_like(stripped) and len(stripped) <= 100:
            if not _SENTENCE_INSIDE.search(stripped) and not stripped.startswith("《"):
                return clean_title(stripped), Evidence((line.start, line.end), stripped, 0.8, "title line after a lead")
    return None


def is_template_line(line: str) -> bool:
    """Navigation, breadcrumbs, share bars, copy notices: never part of a title."""
    if len(line) >= 90:
        return False
    if SPAM_LINE.search(line) or _PAGE_NUMBER.match(line):
        return True
    return bool(_CHROME_LINE.search(line)) and ("关于" not in line or "关于我们" in line)


def _headline(lines: Lines, page_title: str | None) -> tuple[str, Evidence] | None:
    """A news report's or blog post's headline: the first line, short and without sentence marks.

    Taken only when no title line with a genre word exists. It must not be a number, a date, a
    template line or a sentence; where the page has a <title>, the two must agree.
    """
    for index in range(min(len(lines), 5)):
        line = lines[index]
        stripped = line.text.strip()
        if not stripped or is_template_line(stripped):
            continue
        if not 6 <= len(stripped) <= 60 or _HEADLINE_BREAK.search(stripped) or "〔" in stripped:
            return None
        if is_number_line(stripped) or next(find_dates(stripped), None) or issuer_tokens(stripped) is not None:
            return None
        if page_title:
            compact_page, compact_line = "".join(page_title.split()), "".join(stripped.split())
            if compact_page not in compact_line and compact_line not in compact_page:
                return None
        value = clean_title(stripped)
        return value, Evidence((line.start, line.end), stripped, 0.65, "headline (no genre word)")
    return None


@cache
def _run_on_pattern() -> re.Pattern[str]:
    issuer = issuer_pattern().pattern
    group = rf"(?:(?:{issuer})[ 、]?)+(?:等\s*\d{{1,2}}\s*个?部门|等部门)?"
    prefix = rf"{group}(?:转发{group})?"
    body = r"关于(?:《[^》\n]{1,80}》|〈[^〉\n]{1,80}〉|[^\n。；《〈])*?的(?:指导|实施|若干|补充|暂行|有关)?"
    return re.compile(rf"(?:{prefix})?{body}(?:{TYPE_WORDS})")


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
    return clean_title(found), Evidence((match.start(), end), found, 0.75, "title inside run-on text")


def _inside_title_marks(text: str, position: int) -> bool:
    """Whether ``position`` lies inside 《…》 or 〈…〉 on its line."""
    line_start = text.rfind("\n", 0, position) + 1
    before = text[line_start:position]
    return before.count("《") > before.count("》") or before.count("〈") > before.count("〉")

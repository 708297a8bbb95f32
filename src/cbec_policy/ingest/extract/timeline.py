"""Time and legal force of a document, as legal databases show them (北大法宝 habit).

* 成文日期 (the document's own date, :attr:`Extraction.publish_date`) and 发布日期 (the release
  date of a metadata block) stay separate fields;
* 施行日期 from '自2024年6月1日起施行', '2024年6月1日起实施', '自印发之日起施行' (= 成文日期),
  '自发布/公布之日起施行' (= 发布日期, else 成文日期), or a 实施日期 field;
* 失效日期 from '有效期至2026年12月31日', '执行期限为…至…', or '有效期3年' / '试行2年' counted
  from the 施行日期: the last day in force is the day before the anniversary;
* repeal clauses ('…同时废止', '原…不再执行', '…停止执行') name the documents they end: each
  number and 《title》 in the clause becomes a ``replaces`` reference, resolved against the store
  when the document is ingested (an unresolved one stays visible as printed);
* 效力级别 in two levels (法律 / 行政法规 / 部门规章 / 部门规范性文件 / 地方性法规 / 地方政府规章 /
  地方规范性文件 …), from the issuer and the document's form (令, 条例, 法).

:func:`status_on` gives 时效性 on any date from these dates.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from cbec_policy.ingest.dates_zh import DateMatch, find_dates, parse_field_date
from cbec_policy.ingest.extract.common import Evidence, Extraction, RepealReference, Timeline

# What follows a date that starts the document's force: 2024年6月1日起施行 / 零时起实施.
_EFFECTIVE_AFTER = re.compile(r"\s*(?:零时)?\s*起\s*(?:施行|实施|执行|生效|试行)")
_EFFECTIVE_ON_ISSUE = re.compile(r"自(?P<event>印发|发布|公布|下发|签发|颁布)之日起(?:施行|实施|执行|生效|试行)")
_VALID_UNTIL = re.compile(r"有效期(?:至|到|截至|截止)\s*(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
# Anchored on 期 (a literal first character lets the engine skip through the text); the word
# before it (执行期限 / 实施期 / 有效期) is checked after a match.
_VALID_SPAN = re.compile(
    r"期(?:限)?为?\s*(?:自)?\s*(?P<start>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"\s*(?:起)?\s*(?:至|到|—|-|～)\s*(?P<end>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
)
_TERM_WORDS = ("执行", "实施", "有效")
_VALID_YEARS = re.compile(
    r"(?:有效期|试行期|试行)(?:为|暂定)?\s*(?P<count>\d{1,2}|[一二三四五六七八九十两])\s*(?P<unit>年|个月)"
)
_REPEAL = re.compile(r"(?:同时|一并)?(?:废止|不再执行|停止执行|予以废止)")
_CLAUSE_START = "。；;\n"
_NUMBER_REF = re.compile(
    r"[\u4e00-\u9fff]{1,12}〔(?:19|20)\d{2}〕第?\d{1,5}号|[\u4e00-\u9fff、 ]{2,30}?公告(?:19|20)\d{2}年第\d{1,5}号"
)
_TITLE_REF = re.compile(r"《([^《》]{4,120})》")
_ZH_COUNT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_STANDARD = re.compile(r"^GB")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 exists in every month


def _one_date(value: str) -> date | None:
    found = next(find_dates(value), None)
    return found.value if found else None


def _effective(
    text: str, fields: dict[str, str], extraction: Extraction, timeline: Timeline, dates: list[DateMatch]
) -> None:
    span = next(
        (m for m in _VALID_SPAN.finditer(text) if m.start() >= 2 and text[m.start() - 2 : m.start()] in _TERM_WORDS),
        None,
    )
    if span:
        start, end = _one_date(span.group("start")), _one_date(span.group("end"))
        if start and end and start <= end:
            timeline.effective_date, timeline.end_date = start, end
            begin = span.start() - 2  # from the word before 期
            evidence = Evidence((begin, span.end()), text[begin : span.end()], 0.9, "执行期限 …至…")
            timeline.evidence["effective_date"] = timeline.evidence["end_date"] = evidence
            return
    stated = None
    # Dates are found by their anchors (fast); only then is the clause after each one checked.
    for found in dates if "起" in text else ():
        after = _EFFECTIVE_AFTER.match(text, found.end)
        if after is None:
            continue
        start = found.start - 1 if found.start and text[found.start - 1] in "自从于" else found.start
        stated = (found.value, start, after.end())
        if "施行" in after.group(0) or "实施" in after.group(0):
            break  # the first 施行/实施 clause; else the last 执行/生效 one
    if stated is not None:
        day, start, end = stated
        timeline.effective_date = day
        timeline.evidence["effective_date"] = Evidence((start, end), text[start:end], 0.9, "自…起施行")
        return
    on_issue = _EFFECTIVE_ON_ISSUE.search(text)
    if on_issue:
        released = on_issue.group("event") in ("发布", "公布") and extraction.release_date
        day = extraction.release_date if released else extraction.publish_date
        if day is not None:
            timeline.effective_date = day
            method = f"自{on_issue.group('event')}之日起施行: the {'release' if released else 'document'} date"
            timeline.evidence["effective_date"] = Evidence(on_issue.span(), on_issue.group(0), 0.85, method)
            return
    field_value = fields.get("effective_date")
    if field_value and parse_field_date(field_value):
        timeline.effective_date = parse_field_date(field_value)
        timeline.evidence["effective_date"] = Evidence(None, field_value, 0.9, "metadata block 实施日期")


def _end(text: str, timeline: Timeline) -> None:
    if timeline.end_date is not None:
        return
    until = _VALID_UNTIL.search(text)
    if until:
        timeline.end_date = _one_date(until.group("date"))
        timeline.evidence["end_date"] = Evidence(until.span(), until.group(0), 0.9, "有效期至…")
        return
    span = _VALID_YEARS.search(text)
    if span and timeline.effective_date is not None:
        raw = span.group("count")
        count = int(raw) if raw.isdigit() else _ZH_COUNT.get(raw, 0)
        if count:
            start = timeline.effective_date
            anniversary = _add_years(start, count) if span.group("unit") == "年" else _add_months(start, count)
            timeline.end_date = anniversary - timedelta(days=1)
            timeline.evidence["end_date"] = Evidence(
                span.span(), span.group(0), 0.85, "有效期N年 from the 施行日期 (last day in force)"
            )


def _repeals(text: str, timeline: Timeline) -> None:
    seen: set[str] = set()
    for match in _REPEAL.finditer(text):
        clause_start = max(text.rfind(mark, 0, match.start()) for mark in _CLAUSE_START) + 1
        clause = text[clause_start : match.start()]
        if not clause.strip() or "不得" in clause[-6:]:
            continue
        titles = [(m.start(), m.group(1)) for m in _TITLE_REF.finditer(clause)]
        numbers = [(m.start(), m.group(0).strip(" 、")) for m in _NUMBER_REF.finditer(clause)]
        # A number in brackets right after a title belongs to that title: 《…》（商财发〔2018〕486号）.
        references: list[RepealReference] = []
        used: set[int] = set()
        for start, title in titles:
            end = start + len(title) + 2
            number = next((n for position, n in numbers if 0 <= position - end <= 2 and position not in used), None)
            for position, value in numbers:
                if value == number:
                    used.add(position)
            references.append(RepealReference(f"《{title}》" + (f"（{number}）" if number else ""), number, title))
        for position, number in numbers:
            if position not in used:
                references.append(RepealReference(number, number, None))
        if not references and ("原" in clause or "此前" in clause):
            printed = clause.strip(" ，,").split("，")[-1]
            references.append(RepealReference(printed, None, None))
        for reference in references:
            if reference.printed not in seen:
                seen.add(reference.printed)
                timeline.repeals.append(reference)
                timeline.evidence.setdefault(
                    "repeals",
                    Evidence((clause_start, match.end()), text[clause_start : match.end()], 0.85, "repeal clause"),
                )


def legal_force(issuers: list[str], title: str | None, doc_number: str | None, level: str | None) -> str | None:
    """The two-level 效力级别 code (see ``labels.LEGAL_FORCES``) from the issuer and the document's form."""
    if doc_number and _STANDARD.match(doc_number):
        return "standard"
    if not issuers or level is None:
        return None
    name = " ".join(issuers)
    title = title or ""
    order = bool(doc_number and "令" in doc_number) or bool(re.search(r"令(?:第\S{1,8}号)?$", title))
    congress = "人民代表大会" in name
    if level == "national":
        if congress:
            return "law" if title.endswith("法") or "法（" in title or "法(" in title else "law_interpretation"
        if issuers[0] in ("国务院", "国务院办公厅"):
            return "administrative_regulation" if title.endswith("条例") or order else "state_council_normative"
        return "departmental_rule" if order else "departmental_normative"
    if congress:
        return "local_regulation"
    if order and "人民政府" in name:
        return "local_government_rule"
    return "local_normative"


def find_timeline(
    text: str, fields: dict[str, str], extraction: Extraction, dates: list[DateMatch] | None = None
) -> Timeline:
    """施行日期, 失效日期, repeal references and 效力级别 of a document already extracted.

    ``dates`` are the text's dates when the caller has them already (see ``find_dates``).
    """
    dates = list(find_dates(text)) if dates is None else dates
    timeline = Timeline()
    # One-character checks first: a character is found many times faster than a word.
    has_period = "期" in text
    if "起" in text or has_period or fields.get("effective_date"):
        _effective(text, fields, extraction, timeline, dates)
    if (has_period and "有效期" in text) or ("试" in text and "试行" in text):
        _end(text, timeline)
    if ("废" in text and "废止" in text) or ("执" in text and ("不再执行" in text or "停止执行" in text)):
        _repeals(text, timeline)
    timeline.legal_force = legal_force(extraction.issuers, extraction.title, extraction.doc_number, extraction.level)
    return timeline


def status_on(
    day: date, effective: date | None, end: date | None, published: date | None, replaced: bool = False
) -> str:
    """时效性 on ``day``: 尚未生效 before the 施行日期, 已失效 after the 失效日期, else 现行有效.

    Without any date nothing can be said ("unknown"); a document another one has replaced is
    已失效 once it is past its own dates' start.
    """
    start = effective or published
    if start is None:
        return "unknown"
    if day < start:
        return "尚未生效"
    if end is not None and day > end:
        return "已失效"
    if replaced:
        return "已失效"
    return "现行有效"

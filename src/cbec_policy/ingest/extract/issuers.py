"""The issuing bodies, from the metadata block, the title prefix, the signature or the number prefix."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from cbec_policy.departments import issuers_for_doc_number, normalise_issuer
from cbec_policy.ingest.divisions import Division
from cbec_policy.ingest.extract.common import (
    CLAUSE_STOP,
    ORG_END,
    Evidence,
    Lines,
    issuer_at_end,
    issuer_run_end,
    issuer_tokens,
    line_at,
    unique,
)
from cbec_policy.ingest.extract.places import local_short_form, qualify
from cbec_policy.reference import load_departments

# National and local legislatures: 全国人民代表大会常务委员会第…次会议通过, and a province's
# 人民代表大会常务委员会 (新疆维吾尔自治区第十四届人民代表大会常务委员会第二十一次会议…通过).
_LAW_ISSUER = re.compile(
    r"((?:全国|[\u4e00-\u9fff]{2,9}?(?:省|自治区|市))(?:第[^，。）)人]{1,6}届)?人民代表大会(?:常务委员会)?)"
    r"第[^，。）)]{1,20}次会议"
)
_SESSION = re.compile(r"第[^人]{1,6}届")
_COVER_STOP = re.compile(r"GB|目\s*次|前\s*言|ICS|\d")
_GB_HINT = "GB"
_REPORTED = re.compile(r"([\u4e00-\u9fff]{2,30}?)(?:近日|日前|正式|联合)?(?:发布|印发|公布)了?(?=《|关于)")
_NATIONAL_BODY = re.compile(r"(?:中国|国家|中华人民共和国)[\u4e00-\u9fff]{2,16}(?:中心|总局|局|委员会|部|署)$")
_COUNT_ISSUERS = re.compile(r"(等\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*个?部门|等部门|等单位)")


def _title_issuers(title: str, warnings: list[str]) -> list[str] | None:
    head = title
    for marker in ("关于", "转发", "印发"):
        position = head.find(marker)
        if position > 0:
            head = head[:position]
    if head == title:
        return None
    count = _COUNT_ISSUERS.search(head)
    if count:
        lead = issuer_tokens(head[: count.start()])
        if lead:
            warnings.append(
                f"issuers: the title names only the lead department ({head.strip()}); "
                f"{'the count is ' + count.group(2) if count.group(2) else 'the others are not named'}"
            )
            return lead[:1]
        return None
    tokens = issuer_tokens(head)
    if tokens:
        return tokens
    head = head.strip()
    if 2 <= len(head) <= 30 and ORG_END.search(head):
        return [part for part in head.split() if part]
    return None


def _signature_issuers(text: str, lines: Lines, evidence: Evidence | None) -> list[str] | None:
    if evidence is None or evidence.span is None or not evidence.method.startswith("signature"):
        return None
    start = evidence.span[0]
    line = line_at(lines, start)
    before = text[line.start : start].strip()
    if before:
        tail = issuer_run_end().search(before)
        return issuer_tokens(tail.group(0)) if tail else None
    collected: list[str] = []
    index = line.index
    for previous in reversed(lines[max(0, index - 4) : index]):
        stripped = previous.text.strip()
        if not stripped:
            continue
        tokens = issuer_tokens(stripped)
        if tokens is None:
            # A signature run on after the last sentence: '…特此公告。海关总署'
            stop = max(stripped.rfind(mark) for mark in CLAUSE_STOP)
            tail = stripped[stop + 1 :].strip()
            tail_tokens = issuer_tokens(tail) if tail and stop >= 0 else None
            if tail_tokens:
                collected = tail_tokens + collected
            elif not collected and 2 <= len(tail) <= 30 and ORG_END.search(tail):
                collected = [tail]
            break
        collected = tokens + collected
    return collected or None


@dataclass
class IssuerFinding:
    """The issuers found, the evidence, and warnings (a count of departments not named)."""

    issuers: list[str] = field(default_factory=list)
    evidence: Evidence | None = None
    warnings: list[str] = field(default_factory=list)


def _standard_issuers(text: str) -> list[str] | None:
    """The issuing bodies on a standard's cover: '…2021-12-01实施 国家市场监督管理总局 发布 国家标准化管理委员会'."""
    position = text.find("实施", 0, 4000)
    while position >= 0:
        window = text[position + 2 : position + 120]
        stop = _COVER_STOP.search(window)
        names = window[: stop.start()] if stop else window
        names = names.replace("发布", " ").strip()
        tokens = issuer_tokens(names) if names else None
        if tokens:
            return tokens
        position = text.find("实施", position + 2, 4000)
    return None


def _headline_issuer(text: str, title: str | None) -> str | None:
    """A news report's lead: 'ORG发布(了)《X》' or 'ORG发布了关于…的通知' where X is the title."""
    for match in _REPORTED.finditer(text, 0, min(len(text), 1500)):
        name = match.group(1)
        tokens = issuer_tokens(name)
        tail = issuer_at_end().search(name)
        if tokens:
            return tokens[0]
        if tail:
            return normalise_issuer(tail.group(0))
        if title and title[:6] in text[match.end() : match.end() + 80] and _NATIONAL_BODY.match(name[-20:]):
            return _NATIONAL_BODY.match(name[-20:]).group(0)  # type: ignore[union-attr]
    return None


@cache
def _english_names() -> dict[str, str]:
    """Official Chinese name by English name (lower case, without 'the' and punctuation)."""
    table: dict[str, str] = {}
    for department in load_departments():
        if department.en:
            table[_english_key(department.en)] = department.name
    return table


def _english_key(name: str) -> str:
    words = re.sub(r"[^a-z ]", " ", name.lower()).split()
    return " ".join(word for word in words if word not in ("the", "of", "and", "for", "people", "s", "prc"))


def _english_department(name: str) -> str | None:
    """The Chinese name of a department written in English, also with its words in another order
    (older wordings: 'State Administration of Taxation' for the State Taxation Administration)."""
    key = _english_key(name)
    known = _english_names()
    if key in known:
        return known[key]
    words = sorted(key.split())
    return next((chinese for english, chinese in known.items() if sorted(english.split()) == words), None)


def _qualified(names: list[str], places: Sequence[Division]) -> list[str]:
    """Short local forms (省政府, 市商务委) with their place put back where the text gives it."""
    return [qualify(name, places) or name for name in names]


def find_issuers(
    text: str,
    lines: Lines,
    metadata: dict[str, str],
    title: str | None,
    date_evidence: Evidence | None,
    doc_number: str | None,
    places: Sequence[Division],
) -> IssuerFinding:
    """The issuers, from the strongest source that gives any (see the module docstring).

    ``places`` are the divisions the document points at (number prefix, title, header), used to
    put the place back into short forms such as 市人民政府办公室.
    """
    finding = IssuerFinding()
    meta_issuer = metadata.get("issuer")
    if meta_issuer and meta_issuer.isascii():
        # An English catalogue record: its names are read through the departments' English names;
        # names it cannot map leave the issuers to the Chinese title or signature.
        mapped = [_english_department(part) for part in re.split(r"\s*[;；]\s*|\s*,\s*(?=[A-Z])", meta_issuer)]
        if mapped and all(mapped):
            finding.issuers = unique([name for name in mapped if name])
            finding.evidence = Evidence(None, meta_issuer, 0.9, "metadata block Issuing Authority (English names)")
            return finding
        meta_issuer = None
    if meta_issuer:
        names = [normalise_issuer(part) for part in re.split(r"[\s、，,;；]+", meta_issuer) if part]
        count = _COUNT_ISSUERS.search(meta_issuer)
        if count:
            names = [normalise_issuer(meta_issuer[: count.start()])]
        finding.issuers = unique(_qualified(names, places))
        finding.evidence = Evidence(None, meta_issuer, 0.95, "metadata block 发文机关")
        return finding
    if title:
        from_title = _title_issuers(title, finding.warnings)
        if from_title:
            short = [name for name in from_title if local_short_form(name) is not None]
            signed = _signature_issuers(text, lines, date_evidence) if short else None
            if short and signed and len(signed) >= len(from_title):
                # 市人民政府办公室 in the title, 遵义市人民政府办公室 under the text: the signature is complete.
                finding.issuers = unique(signed)
                finding.evidence = Evidence(None, " ".join(signed), 0.88, "signature block (title names it short)")
                return finding
            finding.issuers = unique(_qualified(from_title, places))
            finding.evidence = Evidence(None, title, 0.9, "title prefix")
            return finding
    signed = _signature_issuers(text, lines, date_evidence)
    if signed:
        finding.issuers = unique(_qualified(signed, places))
        finding.evidence = Evidence(None, " ".join(signed), 0.85, "signature block")
        return finding
    if doc_number:
        implied = issuers_for_doc_number(doc_number)
        if implied:
            finding.issuers = unique(implied)
            finding.evidence = Evidence(None, doc_number, 0.8, "document-number prefix")
            return finding
    adopted = _LAW_ISSUER.search(text, 0, min(len(text), 2000))
    if adopted:
        finding.issuers = [_SESSION.sub("", adopted.group(1))]
        finding.evidence = Evidence(adopted.span(1), adopted.group(1), 0.8, "adopting body")
        return finding
    if _GB_HINT in text[:4000]:
        cover = _standard_issuers(text)
        if cover:
            finding.issuers = unique(cover)
            finding.evidence = Evidence(None, " ".join(cover), 0.8, "standard cover 发布")
            return finding
    reported = _headline_issuer(text, title)
    if reported:
        finding.issuers = [reported]
        finding.evidence = Evidence(None, reported, 0.7, "news report: the body that issued it")
        return finding
    publisher = metadata.get("publisher")
    if publisher:
        names = [normalise_issuer(part) for part in re.split(r"[\s、，,;；]+", publisher) if part]
        finding.issuers = unique(_qualified(names, places))
        finding.evidence = Evidence(None, publisher, 0.75, "metadata block 发布机构 (the posting body)")
    return finding

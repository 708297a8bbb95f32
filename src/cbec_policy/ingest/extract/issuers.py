"""The issuing bodies, from the metadata block, the title prefix, the signature or the number prefix."""

from __future__ import annotations

import re

from cbec_policy.departments import issuers_for_doc_number, normalise_issuer
from cbec_policy.ingest.extract.common import (
    CLAUSE_STOP,
    ORG_END,
    Evidence,
    Extraction,
    Lines,
    issuer_run_end,
    issuer_tokens,
    line_at,
    unique,
)

_LAW_ISSUER = re.compile(r"(全国人民代表大会常务委员会|全国人民代表大会)第[^，。）)]{1,20}次会议通过")
_COUNT_ISSUERS = re.compile(r"(等\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*个?部门|等部门|等单位)")


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
        lead = issuer_tokens(head[: count.start()])
        if lead:
            extraction.warnings.append(
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


def _signature_issuers(text: str, lines: Lines, extraction: Extraction) -> list[str] | None:
    evidence = extraction.evidence.get("publish_date")
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


def find_issuers(text: str, lines: Lines, metadata: dict[str, str], extraction: Extraction) -> None:
    meta_issuer = metadata.get("issuer")
    if meta_issuer:
        names = [normalise_issuer(part) for part in re.split(r"[\s、，,;；]+", meta_issuer) if part]
        count = _COUNT_ISSUERS.search(meta_issuer)
        if count:
            names = [normalise_issuer(meta_issuer[: count.start()])]
        extraction.issuers = unique(names)
        extraction.evidence["issuers"] = Evidence(None, meta_issuer, 0.95, "metadata block 发文机关")
        return
    if extraction.title:
        from_title = _title_issuers(extraction.title, extraction)
        if from_title:
            extraction.issuers = unique(from_title)
            span = extraction.evidence["title"].span
            extraction.evidence["issuers"] = Evidence(span, extraction.title, 0.9, "title prefix")
            return
    signed = _signature_issuers(text, lines, extraction)
    if signed:
        extraction.issuers = unique(signed)
        extraction.evidence["issuers"] = Evidence(None, " ".join(signed), 0.85, "signature block")
        return
    if extraction.doc_number:
        implied = issuers_for_doc_number(extraction.doc_number)
        if implied:
            extraction.issuers = unique(implied)
            span = extraction.evidence["doc_number"].span
            extraction.evidence["issuers"] = Evidence(span, extraction.doc_number, 0.8, "document-number prefix")
            return
    adopted = _LAW_ISSUER.search(text, 0, min(len(text), 2000))
    if adopted:
        extraction.issuers = [adopted.group(1)]
        extraction.evidence["issuers"] = Evidence(adopted.span(1), adopted.group(1), 0.8, "adopting body")

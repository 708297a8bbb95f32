"""Where a document's header ends and its body starts (salutation line, first long paragraph)."""

from __future__ import annotations

import re

from cbec_policy.ingest.extract.common import (
    HEADER_SCAN_LINES,
    SALUTATION,
    SPAM_LINE,
    Lines,
)

_SALUTATION_WORDS = re.compile(r"(各|人民政府|部门|单位|直属|有关|局|厅|委|办|公司|企业|同学|老师|教职工|供应商)")
_SENTENCE_STOP = re.compile(r"[:：。]")
_HEADER_MAX_CHARS = 1500


def find_header_end(lines: Lines) -> int:
    """Offset where the body starts: the salutation line or the first long paragraph."""
    for index in range(min(len(lines), HEADER_SCAN_LINES)):
        line = lines[index]
        stripped = line.text.strip()
        if not stripped:
            continue
        if len(stripped) < 60 and SPAM_LINE.search(stripped):
            continue
        if SALUTATION.search(stripped) and _SALUTATION_WORDS.search(stripped) and len(stripped) < 150:
            return line.start
        if index == 0 and len(stripped) >= 40 and "。" in stripped:
            # Lost line breaks: the header ends where the first sentence or salutation does.
            stop = _SENTENCE_STOP.search(line.text, 40)
            return line.start + stop.start() if stop else line.start
        if index > 0 and ((len(stripped) >= 80 and "，" in stripped) or (len(stripped) >= 20 and "。" in stripped)):
            return line.start
        if line.start > _HEADER_MAX_CHARS:
            return line.start
    scanned = lines[: HEADER_SCAN_LINES + 1]
    return min(scanned[-1].end, _HEADER_MAX_CHARS) if scanned else 0

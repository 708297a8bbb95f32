"""The order header (令) that administrative regulations and rules are promulgated under.

A State Council regulation, a ministry's rule or a local government's rule is published under a
header of the form "中华人民共和国国务院令 / 第691号", "海关总署令 第236号" or "北京市人民政府令
第277号". The header names the issuer and carries the document's own number, and the form
itself fixes the legal force (国务院令 → 行政法规, 部委令 → 部门规章, 政府令 → 地方政府规章), so
a copy without a signature or a 发文机关 field is still read completely. A 主席令 promulgates
a law adopted by the National People's Congress or its Standing Committee: the adopting body
is the issuer and a law has no 发文字号, so that header gives neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cbec_policy.departments import canonical_department
from cbec_policy.docnumber import normalise_doc_number
from cbec_policy.ingest.extract.common import Evidence, Lines

# The header sits above everything else: a few lines at most, and never in the body.
_HEADER_LINES = 6
_DECREE_LINE = re.compile(r"^[（(]?(?P<body>[\u4e00-\u9fff][\u4e00-\u9fff 　、]{1,60}?)\s*令\s*(?P<number>.*?)[）)]?$")
_NUMBER = re.compile(
    r"^[（(]?(?:(?P<year>(?:19|20)\d{2})\s*年\s*)?第\s*(?P<serial>[0-9]{1,5}|[〇零一二三四五六七八九十百千]{1,8})\s*号[）)]?$"
)
_STATE = "中华人民共和国"
_PRESIDENT = "主席"
_LOCAL_GOVERNMENT = re.compile(r"^[\u4e00-\u9fff]{2,12}(?:省|自治区|市|州|盟|县|区)人民政府$")


@dataclass(frozen=True)
class DecreeHeader:
    """An order header found above the text.

    ``issuers`` and ``doc_number`` are empty for a 主席令 (the law's adopting body signs it, and
    a law has no 发文字号); ``evidence`` spans the header as printed.
    """

    issuers: list[str]
    doc_number: str | None
    presidential: bool
    evidence: Evidence


def _issuers(body: str) -> list[str] | None:
    """The bodies an order header names (one, or several for a joint rule); None if any is unknown."""
    names: list[str] = []
    for piece in re.split(r"[ 　、]+", body.strip()):
        name = piece.removeprefix(_STATE) if piece != _STATE else piece
        if not name:
            continue
        if name == "国务院":
            names.append(name)
            continue
        official = canonical_department(name)
        if official is not None:
            names.append(official)
        elif _LOCAL_GOVERNMENT.match(name):
            names.append(name)
        else:
            return None  # not an issuing body: "命令", "禁令", a sentence that happens to end in 令
    return names or None


def find_decree_header(lines: Lines) -> DecreeHeader | None:
    """The order header among the first lines of the text, or None when the text has none."""
    seen = 0
    for index in range(len(lines)):
        if seen >= _HEADER_LINES:
            break
        line = lines[index]
        stripped = line.text.strip()
        if not stripped:
            continue
        seen += 1
        if "令" not in stripped:
            continue
        match = _DECREE_LINE.match(stripped)
        if match is None:
            continue
        number_text, end = match.group("number").strip(), line.end
        if not number_text:
            # 令 on one line, 第691号 on the next.
            following = next((lines[i] for i in range(index + 1, len(lines)) if lines[i].text.strip()), None)
            if following is None:
                continue
            number_text, end = following.text.strip(), following.end
        number = _NUMBER.match(number_text)
        if number is None:
            continue
        body = match.group("body").strip()
        printed = stripped if number_text in stripped else f"{stripped} {number_text}"
        if body.removeprefix(_STATE) == _PRESIDENT:
            evidence = Evidence((line.start, end), printed, 0.9, "order header (主席令): a law, no 发文字号")
            return DecreeHeader([], None, True, evidence)
        issuers = _issuers(body)
        if issuers is None:
            continue
        year = f"{number.group('year')}年" if number.group("year") else ""
        # A joint rule is numbered in its lead department's series.
        doc_number = normalise_doc_number(f"{issuers[0]}令{year}第{number.group('serial')}号")
        evidence = Evidence((line.start, end), printed, 0.95, "order header (令)")
        return DecreeHeader(issuers, doc_number, False, evidence)
    return None

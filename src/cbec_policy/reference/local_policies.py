"""Load the bundled list of local CBEC documents (``local_policies.csv``).

The list is reference data for claim ④ (local differentiation): provincial, municipal and
district documents with their focus keywords and how each is known. It is kept apart from the
national policies: nothing here enters a national statistic.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from cbec_policy.docnumber import normalise_doc_number
from cbec_policy.models import LocalPolicy
from cbec_policy.reference.files import Row, load_rows

_COLUMNS = {
    "title", "doc_number", "issuer", "publish_date", "province", "city", "level", "policy_kind", "focus",
    "evidence_url", "confidence", "notes",
}  # fmt: skip
LOCAL_LEVEL_CODES = frozenset({"provincial", "municipal", "district"})


def local_id(title: str, doc_number: str | None) -> str:
    """A stable id for a local document from its title and number (row order may change)."""
    digest = hashlib.sha1(f"{title}|{doc_number or ''}".encode()).hexdigest()[:10]
    return f"local-{digest}"


def _parse(row: Row) -> LocalPolicy:
    title = row.text("title")
    number = row.text("doc_number", required=False)
    level = row.text("level", required=False)
    if level and level not in LOCAL_LEVEL_CODES:
        raise row.error("level", f"unknown level {level!r}; allowed: {', '.join(sorted(LOCAL_LEVEL_CODES))} or empty")
    doc_number = normalise_doc_number(number) if number else None
    day = row.text("publish_date", required=False)
    if len(day) == len("2023-05") and not re.fullmatch(r"\d{4}-\d{2}", day):
        raise row.error("publish_date", f"not a date or a month: {day!r} (expected YYYY-MM-DD or YYYY-MM)")
    return LocalPolicy(
        id=local_id(title, doc_number),
        title=title,
        doc_number=doc_number,
        issuers=row.items("issuer"),
        publish_date=row.date("publish_date", required=False) if len(day) != len("2023-05") else None,
        date_text=day,
        province=row.text("province"),
        cities=row.items("city"),
        level=level or "unknown",
        kind=row.text("policy_kind", required=False),
        focus=row.items("focus"),
        evidence=row.items("evidence_url", sep=" | "),
        confidence=row.choice("confidence", {"high", "medium", "low"}),
        notes=row.text("notes", required=False),
    )


@cache
def _bundled() -> tuple[LocalPolicy, ...]:
    return tuple(load_rows(None, "local_policies.csv", _COLUMNS, _parse))


def load_local_policies(path: Path | None = None) -> list[LocalPolicy]:
    """The local CBEC documents of ``local_policies.csv`` (or a file of the same shape)."""
    if path is None:
        return list(_bundled())
    return load_rows(path, path.name, _COLUMNS, _parse)

"""Convert between :class:`~cbec_policy.models.Policy` and database rows, and check a policy before it is stored.

Kept apart from the queries so that reading and writing agree on one mapping, and so the
content hash (which decides new / updated / unchanged) is computed in exactly one place.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from cbec_policy.docnumber import doc_number_key
from cbec_policy.errors import InputError
from cbec_policy.labels import LEVELS, POLICY_TYPES, RELATION_INVERSES, STATUSES, THEMES
from cbec_policy.models import PaperEntry, Policy, Relation

_STATUS_CODES = {label.code for label in STATUSES}
_LEVEL_CODES = {label.code for label in LEVELS}
_TYPE_CODES = {label.code for label in POLICY_TYPES}
_THEME_CODES = {label.code for label in THEMES}
_TITLE_NOISE = re.compile(r"[\s《》〈〉“”\"]")


def title_key(title: str) -> str:
    """A comparison key for titles: NFKC, no spaces, no book-title marks or quotes."""
    return _TITLE_NOISE.sub("", unicodedata.normalize("NFKC", title))


def check_policy(policy: Policy) -> None:
    """Raise InputError naming the policy and the field when a value is outside the vocabularies."""
    where = f"policy {policy.id!r}" if policy.id else "policy"
    if not policy.id or not policy.id.strip():
        raise InputError(where, "id is empty")
    if len(policy.id) > 200:
        raise InputError(where, "id is longer than 200 characters")
    if not policy.title or not policy.title.strip():
        raise InputError(where, "title is empty")
    if policy.status not in _STATUS_CODES:
        raise InputError(where, f"unknown status {policy.status!r}; allowed: {', '.join(sorted(_STATUS_CODES))}")
    if policy.level not in _LEVEL_CODES:
        raise InputError(where, f"unknown level {policy.level!r}; allowed: {', '.join(sorted(_LEVEL_CODES))}")
    if policy.policy_type is not None and policy.policy_type not in _TYPE_CODES:
        raise InputError(where, f"unknown policy type {policy.policy_type!r}")
    for theme in policy.themes:
        if theme not in _THEME_CODES:
            raise InputError(where, f"unknown theme {theme!r}")
    for relation in policy.relations:
        if relation.kind not in RELATION_INVERSES:
            raise InputError(where, f"unknown relation kind {relation.kind!r}")
    for name in ("publish_date", "effective_date", "end_date"):
        value = getattr(policy, name)
        if value is not None and not isinstance(value, date):
            raise InputError(where, f"{name} is not a date: {value!r}")
    start = policy.effective_date or policy.publish_date
    if start is not None and policy.end_date is not None and policy.end_date < start:
        raise InputError(where, f"end_date {policy.end_date} is before the start {start}")


def _plain(value: Any) -> Any:
    """JSON-safe copy (dates as ISO strings, tuples as lists) for JSON columns and hashing."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_plain(item) for item in value]
    return value


def content_hash(policy: Policy, issuers: Sequence[str]) -> str:
    """sha256 over every stored field of the policy (with issuers as normalised)."""
    record = {
        "id": policy.id,
        "title": policy.title,
        "doc_number": policy.doc_number,
        "issuers": list(issuers),
        "publish_date": policy.publish_date,
        "effective_date": policy.effective_date,
        "end_date": policy.end_date,
        "status": policy.status,
        "level": policy.level,
        "policy_type": policy.policy_type,
        "themes": list(policy.themes),
        "relations": [[relation.kind, relation.target_id] for relation in policy.relations],
        "paper": None if policy.paper is None else list(policy.paper.__dict__.values()),
        "summary": policy.summary,
        "evidence": list(policy.evidence),
        "notes": policy.notes,
        "region": policy.region,
        "source": policy.source,
        "full_text": policy.full_text,
        "is_cbec": policy.is_cbec,
        "instruments": list(policy.instruments),
        "extraction_evidence": policy.extraction_evidence,
        "classification_evidence": policy.classification_evidence,
    }
    payload = json.dumps(_plain(record), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def policy_row(policy: Policy, issuers: Sequence[str]) -> dict[str, Any]:
    """The ``policies`` row for ``policy`` (child tables are written separately)."""
    paper = policy.paper
    return {
        "id": policy.id,
        "title": policy.title,
        "title_key": title_key(policy.title),
        "doc_number": policy.doc_number,
        "doc_key": doc_number_key(policy.doc_number) if policy.doc_number else None,
        "publish_date": policy.publish_date,
        "effective_date": policy.effective_date,
        "end_date": policy.end_date,
        "status": policy.status,
        "level": policy.level,
        "region": policy.region,
        "policy_type": policy.policy_type,
        "is_cbec": policy.is_cbec,
        "source": policy.source,
        "summary": policy.summary or "",
        "notes": policy.notes or "",
        "full_text": policy.full_text,
        "extraction_evidence": _plain(policy.extraction_evidence or {}),
        "classification_evidence": _plain(policy.classification_evidence or {}),
        "paper_type": paper.policy_type if paper else None,
        "paper_date_text": paper.date_text if paper else None,
        "paper_issuers_text": paper.issuers_text if paper else None,
        "paper_title": paper.title if paper else None,
        "paper_doc_number": paper.doc_number if paper else None,
        "content_hash": content_hash(policy, issuers),
    }


def policy_from_row(
    row: Mapping[str, Any],
    *,
    issuers: Sequence[str] = (),
    themes: Sequence[str] = (),
    instruments: Sequence[str] = (),
    relations: Sequence[tuple[str, str]] = (),
    evidence: Sequence[str] = (),
) -> Policy:
    """Rebuild a Policy from its ``policies`` row and its child rows (already in order)."""
    paper = None
    if row["paper_type"] is not None:
        paper = PaperEntry(
            policy_type=row["paper_type"],
            date_text=row["paper_date_text"] or "",
            issuers_text=row["paper_issuers_text"] or "",
            title=row["paper_title"] or "",
            doc_number=row["paper_doc_number"] or "",
        )
    return Policy(
        id=row["id"],
        title=row["title"],
        doc_number=row["doc_number"],
        issuers=tuple(issuers),
        publish_date=row["publish_date"],
        effective_date=row["effective_date"],
        end_date=row["end_date"],
        status=row["status"],
        level=row["level"],
        policy_type=row["policy_type"],
        themes=tuple(themes),
        relations=tuple(Relation(kind, target) for kind, target in relations),
        paper=paper,
        summary=row["summary"] or "",
        evidence=tuple(evidence),
        notes=row["notes"] or "",
        region=row["region"],
        source=row["source"],
        full_text=row["full_text"],
        is_cbec=row["is_cbec"],
        instruments=tuple(instruments),
        extraction_evidence=dict(row["extraction_evidence"] or {}),
        classification_evidence=dict(row["classification_evidence"] or {}),
    )

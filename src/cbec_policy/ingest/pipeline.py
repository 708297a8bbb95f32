"""Read → normalise → extract → classify (→ match): one document at a time.

:func:`process_document` gives everything learned about one file; storing it is the store's
job (:mod:`cbec_policy.store.ingested`). With a store, a document that matches a stored policy is
completed from it where the copy lacks a field (method "matched corpus record").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from cbec_policy.classify import classify_document
from cbec_policy.errors import CbecError, InputError
from cbec_policy.ingest import limits
from cbec_policy.ingest.extract import Evidence, Extraction, extract_metadata
from cbec_policy.ingest.normalise import NormalisedText, normalise_text
from cbec_policy.ingest.readers import DEFAULT_MAX_BYTES, RawDocument, expand_paths, read_file
from cbec_policy.models import Policy


class PolicyMatcher(Protocol):
    """What extraction asks of the store when it is given one: the stored copy of a document."""

    def find_matching_policy(self, doc_number: str | None, title: str | None, publish_date: date | None) -> str | None:
        """The id of a stored policy that is the same document, or None."""
        ...

    def get_policy(self, id_or_doc_number: str) -> Policy | None:
        """The stored policy with this id, or None."""
        ...


UNKNOWN_TITLE = "未知标题"
EXTRACT_KEYS = (
    "path", "title", "doc_number", "issuers", "publish_date", "level", "region", "effective_date", "end_date",
    "legal_force", "is_cbec", "policy_type", "themes", "matched_policy_id", "evidence", "warnings", "error",
)  # fmt: skip


@dataclass
class ClassificationResult:
    """The classifier's answer, reduced to what ingest stores."""

    is_cbec: bool | None = None
    policy_type: str | None = None
    themes: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class DocumentResult:
    """Everything learned about one input file; ``error`` is set when it could not be read."""

    path: str
    raw: RawDocument | None = None
    normalised: NormalisedText | None = None
    extraction: Extraction | None = None
    classification: ClassificationResult | None = None
    matched_policy_id: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Repeal references resolved against the store when ingested: printed form → stored policy id.
    replaces: dict[str, str | None] = field(default_factory=dict)

    def extraction_evidence(self) -> dict[str, Any]:
        """Evidence of each extracted value, the release date when read, the timeline, and the reader used."""
        found = self.extraction
        evidence: dict[str, Any] = {}
        if found is not None:
            evidence = {name: item.as_dict() for name, item in found.evidence.items()}
            if found.release_date is not None:
                evidence["release_date"] = {
                    "value": found.release_date.isoformat(),
                    "method": "metadata block 发布日期",
                }
            timeline = found.timeline
            if timeline.effective_date or timeline.end_date or timeline.repeals:
                record = timeline.as_dict()
                record["written_date"] = found.publish_date.isoformat() if found.publish_date else None
                for reference in record["repeals"]:  # type: ignore[union-attr]
                    reference["target_id"] = self.replaces.get(reference["printed"])
                evidence["timeline"] = record
            elif timeline.legal_force:
                # Most documents state no dates of force: only the inferred 效力级别 is kept.
                evidence["timeline"] = {"legal_force": timeline.legal_force}
        if self.raw is not None:
            evidence["reader"] = {"format": self.raw.kind, "encoding": self.raw.encoding}
        return evidence

    def as_record(self) -> dict[str, Any]:
        """The ``cbec extract`` JSON object: exactly :data:`EXTRACT_KEYS`, values normalised."""
        found = self.extraction
        evidence = self.extraction_evidence()
        if self.classification is not None and self.classification.evidence:
            evidence["classification"] = self.classification.evidence
        classified = self.classification
        return {
            "path": self.path,
            "title": found.title if found else None,
            "doc_number": found.doc_number if found else None,
            "issuers": list(found.issuers) if found else [],
            "publish_date": found.publish_date.isoformat() if found and found.publish_date else None,
            "level": found.level if found else None,
            "region": found.region if found else None,
            "effective_date": iso(found.timeline.effective_date) if found else None,
            "end_date": iso(found.timeline.end_date) if found else None,
            "legal_force": found.timeline.legal_force if found else None,
            "is_cbec": classified.is_cbec if classified else None,
            "policy_type": classified.policy_type if classified else None,
            "themes": list(classified.themes) if classified and classified.is_cbec is not None else None,
            "matched_policy_id": self.matched_policy_id,
            "evidence": evidence,
            "warnings": list(self.warnings) + (list(found.warnings) if found else []),
            "error": self.error,
        }


def iso(value: date | None) -> str | None:
    """A date in ISO form for JSON output (None stays None)."""
    return value.isoformat() if value else None


def _classify(title: str | None, text: str, issuers: list[str], doc_number: str | None) -> ClassificationResult | None:
    """Call the classifier; its refusal (a text it cannot judge) is kept as the evidence, the fields stay empty."""
    try:
        result = classify_document(title or "", text, issuers=issuers, doc_number=doc_number)
    except CbecError as exc:
        return ClassificationResult(evidence={"error": str(exc)})
    return ClassificationResult(
        is_cbec=result.is_cbec,
        policy_type=result.policy_type,
        themes=tuple(result.themes),
        instruments=tuple(result.instruments),
        # the classifier's whole answer (scores, uncertain calls, evidence of the labels given)
        evidence=result.to_dict(),
    )


@limits.isolate_file(lambda path, reason: DocumentResult(path=path, error=reason))
def process_document(
    path: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store: PolicyMatcher | None = None,
    classify: bool = True,
) -> DocumentResult:
    """Read, normalise, extract (and classify and match) one file; errors end up in ``error``."""
    result = DocumentResult(path=path)
    try:
        raw = read_file(path, max_bytes)
    except InputError as exc:
        result.error = exc.reason
        return result
    result.raw = raw
    result.warnings.extend(raw.warnings)
    normalised = normalise_text(raw.text)
    result.normalised = normalised
    if normalised.converted_script:
        result.warnings.append("converted traditional script to simplified")
    found = extract_metadata(normalised.text, raw.metadata, raw.page_title)
    result.extraction = found
    if classify:
        result.classification = _classify(
            found.title, limits.classification_text(normalised.text), found.issuers, found.doc_number
        )
    if store is not None:
        result.matched_policy_id = store.find_matching_policy(found.doc_number, found.title, found.publish_date)
        if result.matched_policy_id is not None:
            stored = store.get_policy(result.matched_policy_id)
            if stored is not None:
                fill_from_stored(found, stored)
    return result


def fill_from_stored(found: Extraction, stored: Policy) -> list[str]:
    """Fill the fields a copy lacks from the stored policy it matched; returns the fields filled.

    Each filled value's evidence says "matched corpus record" and names the stored policy, so a
    reader sees the complete record and where each part of it came from.
    """
    filled: list[str] = []
    values: dict[str, Any] = {
        "title": stored.title,
        "doc_number": stored.doc_number,
        "issuers": list(stored.issuers),
        "publish_date": stored.publish_date,
        "level": stored.level if stored.level != "unknown" else None,
        "region": stored.region,
    }
    for name, value in values.items():
        if value and not getattr(found, name):
            setattr(found, name, value)
            found.evidence[name] = Evidence(None, stored.id, 0.9, "matched corpus record")
            filled.append(name)
    return filled


def extract_paths(
    paths: Iterable[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store: PolicyMatcher | None = None,
    classify: bool = True,
) -> Iterable[DocumentResult]:
    """:func:`process_document` for every file named by ``paths`` (files, folders, globs)."""
    for path in expand_paths(list(paths)):
        yield process_document(path, max_bytes=max_bytes, store=store, classify=classify)

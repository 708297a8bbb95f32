"""Citations: every rule answer names the policy that rules it.

A citation resolves a source id either to a policy of the bundled corpus
(``reference/national_policies.csv``, the same ids the store holds) or, for general tax
law outside the CBEC corpus (VAT and consumption-tax rates, postal-tax rates), to an entry
of ``rules/sources.yaml``. Unknown titles or numbers stay ``None`` and print as 未知 /
unknown rather than being guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cbec_policy.reference import load_national_policies
from cbec_policy.rules.errors import ParameterFileError

_SOURCES_FILE = Path(__file__).with_name("sources.yaml")
_SOURCE_KEYS = {"doc_number", "title", "status", "note"}
_STATUSES = {"verified", "secondary", "uncertain"}


@dataclass(frozen=True)
class Citation:
    """One cited document: its id, number, title, dates and whether it is in the policy corpus."""

    policy_id: str
    doc_number: str | None
    title: str | None
    publish_date: date | None
    effective_date: date | None
    in_corpus: bool  # True: a policy id of the corpus/store; False: an entry of rules/sources.yaml
    note: str = ""

    def label(self) -> str:
        """Short human form, e.g. ``财关税〔2016〕18号《关于…的通知》``."""
        number = self.doc_number or "文号未知 number unknown"
        title = f"《{self.title}》" if self.title else "（标题未知 title unknown）"
        return f"{number}{title}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output (dates as ISO strings)."""
        # Every field is a scalar: a shallow copy, not asdict's recursive one (a tax answer has several citations).
        data = {field.name: getattr(self, field.name) for field in fields(self)}
        for key in ("publish_date", "effective_date"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@cache
def _external_sources() -> dict[str, Citation]:
    try:
        data = yaml.safe_load(_SOURCES_FILE.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterFileError(_SOURCES_FILE.name, None, f"malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ParameterFileError(_SOURCES_FILE.name, None, "expected a mapping of source ids")
    sources = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise ParameterFileError(_SOURCES_FILE.name, str(key), "expected a mapping")
        unknown = set(entry) - _SOURCE_KEYS
        if unknown:
            raise ParameterFileError(_SOURCES_FILE.name, str(key), f"unknown keys: {', '.join(sorted(unknown))}")
        if entry.get("status") not in _STATUSES:
            raise ParameterFileError(_SOURCES_FILE.name, str(key), f"status must be one of {sorted(_STATUSES)}")
        sources[str(key)] = Citation(
            policy_id=str(key),
            doc_number=entry.get("doc_number"),
            title=entry.get("title"),
            publish_date=None,
            effective_date=None,
            in_corpus=False,
            note=str(entry.get("note") or ""),
        )
    return sources


@cache
def _corpus() -> dict[str, Citation]:
    return {
        policy.id: Citation(
            policy_id=policy.id,
            doc_number=policy.doc_number,
            title=policy.title,
            publish_date=policy.publish_date,
            effective_date=policy.effective_date,
            in_corpus=True,
        )
        for policy in load_national_policies()
    }


def known_source_ids() -> frozenset[str]:
    """Every id a parameter may cite: corpus policy ids plus ``rules/sources.yaml`` ids."""
    return frozenset(_corpus()) | frozenset(_external_sources())


def cite(source_id: str) -> Citation:
    """The citation for ``source_id``; a KeyError means the parameter files were not validated."""
    corpus = _corpus()
    if source_id in corpus:
        return corpus[source_id]
    return _external_sources()[source_id]


def unique(citations: list[Citation]) -> list[Citation]:
    """Citations in first-seen order without repeats."""
    seen: set[str] = set()
    result = []
    for citation in citations:
        if citation.policy_id not in seen:
            seen.add(citation.policy_id)
            result.append(citation)
    return result

"""What the policy page shows, prepared from one policy and its relations.

Kept apart from the route so the rules it applies can be tested directly: only ``http``
and ``https`` sources become links (a stored ``javascript:`` URL stays plain text), the
法规沿革 timeline runs in date order with this document in its place, and unknown values
are shown as unknown, never guessed.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from cbec_policy.analysis import policy_type_of
from cbec_policy.i18n import code_label, label, text_language
from cbec_policy.ingest import policy_timeline
from cbec_policy.models import Policy
from cbec_policy.web.evidence import classification_rows, extraction_rows, marked_text, marks

_SAFE_SCHEMES = {"http", "https"}


def safe_url(text: str) -> str | None:
    """``text`` when it is an absolute http(s) URL, else None (shown as text, never as a link)."""
    candidate = text.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() in _SAFE_SCHEMES and parts.netloc and not any(ch in candidate for ch in "\"'<> \t\n"):
        return candidate
    return None


def _relation_text(kind: str, lang: str) -> str:
    return label("relations", kind, lang)


def history(policy: Policy, relations: list[tuple[str, Policy]], lang: str) -> list[dict[str, Any]]:
    """The 法规沿革 timeline: related documents and this one, oldest first (undated last)."""
    entries = [
        {
            "policy": other,
            "relation": _relation_text(kind, lang),
            "kind": kind,
            "is_self": False,
        }
        for kind, other in relations
    ]
    entries.append({"policy": policy, "relation": None, "kind": None, "is_self": True})
    entries.sort(key=lambda entry: (entry["policy"].publish_date or date.max, not entry["is_self"]))
    return entries


def _paper_differences(policy: Policy) -> list[tuple[str, str, str]]:
    """(field, paper's value, verified value) where the paper's Table 1 prints something else."""
    paper = policy.paper
    if paper is None:
        return []
    differences = []
    if paper.doc_number and paper.doc_number != (policy.doc_number or ""):
        differences.append(("doc_number", paper.doc_number, policy.doc_number or ""))
    paper_issuers = paper.issuers_text.replace("、", "；")
    verified_issuers = "；".join(policy.issuers)
    if paper_issuers != verified_issuers:
        differences.append(("issuers", paper.issuers_text, verified_issuers))
    if policy.publish_date and paper.date_text.replace(".", "-") != policy.publish_date.isoformat():
        differences.append(("publish_date", paper.date_text, policy.publish_date.isoformat()))
    return differences


def policy_view(
    policy: Policy, relations: list[tuple[str, Policy]], lang: str, days: list[date] | None = None
) -> dict[str, Any]:
    """The template context of the policy page; 时效性 is shown on each of ``days`` (today by default)."""
    type_code = policy_type_of(policy)
    found = marks(policy.full_text, policy.extraction_evidence, policy.classification_evidence, lang)
    return {
        "policy": policy,
        "timeline": policy_timeline(policy, relations, days or [date.today()]),
        "type_label": code_label("policy_types", type_code, lang, missing=None),
        "theme_labels": [code_label("themes", code, lang) for code in policy.themes],
        "status_label": code_label("statuses", policy.status, lang),
        "level_label": code_label("levels", policy.level, lang),
        "in_force_today": policy.in_force_on(date.today()),
        # 时效性 by date is shown in Chinese on the pages of both languages
        "status_zh": lambda code: label("statuses", code, "zh"),
        "history": history(policy, relations, lang),
        "sources": [{"text": item, "url": safe_url(item)} for item in policy.evidence],
        "source_link": safe_url(policy.source) if policy.source else None,
        "paper_differences": _paper_differences(policy),
        "summary_lang": text_language(policy.summary),
        "notes_lang": text_language(policy.notes),
        "marks": found,
        "marked_text": marked_text(policy.full_text, found) if policy.full_text and found else None,
        "extraction_rows": extraction_rows(policy.extraction_evidence, lang),
        "classification_rows": classification_rows(policy.classification_evidence, lang),
    }

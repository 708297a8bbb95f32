"""Models to JSON-ready dicts for the REST API (ASCII keys, ISO dates, labels beside codes)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from cbec_policy.i18n import code_label, label, place_name
from cbec_policy.models import PilotBatch, PilotZone, Policy
from cbec_policy.store import PolicyBrief


def _both(vocabulary: str, value: object) -> dict[str, str]:
    return {"zh": label(vocabulary, value, "zh"), "en": label(vocabulary, value, "en")}


def policy_summary(policy: Policy | PolicyBrief, today: date | None = None) -> dict[str, Any]:
    """The fields a result list needs (no full text, no evidence): codes, with their labels beside.

    ``in_force_today`` is true, false or null (unknown: e.g. repealed with no known end date,
    or a status nobody has checked).
    """
    in_force = policy.in_force_on(today or date.today())
    return {
        "id": policy.id,
        "title": policy.title,
        "doc_number": policy.doc_number,
        "issuers": list(policy.issuers),
        "publish_date": policy.publish_date,
        "effective_date": policy.effective_date,
        "end_date": policy.end_date,
        "status": policy.status,
        "level": policy.level,
        "region": policy.region,
        "policy_type": policy.policy_type,
        "policy_type_zh": code_label("policy_types", policy.policy_type, "zh", missing=None),
        "themes": list(policy.themes),
        "themes_zh": [code_label("themes", code, "zh") for code in policy.themes],
        "in_force_today": in_force,
        "labels": {
            "status": _both("statuses", policy.status),
            "level": _both("levels", policy.level),
            "policy_type": _both("policy_types", policy.policy_type),
            "themes": [_both("themes", code) for code in policy.themes],
            "in_force_today": _both("in_force", in_force),
            "region": {"zh": policy.region, "en": place_name(policy.region, "en")} if policy.region else None,
        },
    }


def policy_detail(policy: Policy, relations: list[tuple[str, Policy]] | None = None) -> dict[str, Any]:
    """Everything stored about one policy, relations seen from it in both directions included."""
    data = policy_summary(policy)
    data.update(
        {
            "summary": policy.summary,
            "notes": policy.notes,
            "evidence": list(policy.evidence),
            "source": policy.source,
            "is_cbec": policy.is_cbec,
            "instruments": list(policy.instruments),
            "paper": asdict(policy.paper) if policy.paper else None,
            "extraction_evidence": policy.extraction_evidence,
            "classification_evidence": policy.classification_evidence,
            "full_text": policy.full_text,
            "relations": [
                {
                    "kind": kind,
                    "kind_zh": label("relations", kind, "zh"),
                    "policy_id": other.id,
                    "title": other.title,
                    "doc_number": other.doc_number,
                    "publish_date": other.publish_date,
                }
                for kind, other in (relations or [])
            ],
        }
    )
    return data


def zone_dict(zone: PilotZone) -> dict[str, Any]:
    """A pilot zone with its approval and (when revoked) revocation."""
    return {
        "zone_name": zone.zone_name,
        "city": zone.city,
        "province": zone.province,
        "region": zone.region,
        "batch": zone.batch,
        "approval_date": zone.approval_date,
        "doc_number": zone.doc_number,
        "admin_level": zone.admin_level,
        "confidence": zone.confidence,
        "revoked_date": zone.revoked_date,
        "revoked_by": zone.revoked_by,
        "evidence": list(zone.evidence),
    }


def batch_dict(batch: PilotBatch) -> dict[str, Any]:
    """One approval batch of pilot zones."""
    return asdict(batch)

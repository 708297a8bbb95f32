"""Upload with review: extract first, let a person correct the fields, store only on confirm.

An uploaded file is read, normalised, extracted and classified without touching the store; the
review page shows every field with its evidence marked in the text and the classifier's
labels, in inputs the user may correct. Confirming (with the write token again) builds the
policy through the ingest path, applies the corrections, notes which fields a person
changed in the extraction evidence, and stores it in one transaction.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from pathlib import Path
from typing import Any

from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError
from cbec_policy.ingest import process_document
from cbec_policy.labels import LEVELS, POLICY_TYPES, STATUSES, THEMES, find_label
from cbec_policy.models import Policy
from cbec_policy.store import build_policy

REVIEW_ID = re.compile(r"^[0-9a-f]{32}$")
# The fields a reviewer may correct, in the order the form shows them.
FIELDS = ("title", "doc_number", "issuers", "publish_date", "effective_date", "status", "level", "region",
          "policy_type", "themes")  # fmt: skip
_ISSUER_SPLIT = re.compile(r"[；;、,，\n]+")


def review_path(directory: Path, review_id: str) -> Path:
    """The saved upload of ``review_id``; InputError when the id is malformed or unknown."""
    if not REVIEW_ID.match(review_id or ""):
        raise InputError("review_id", "not a review id")
    found = sorted(directory.glob(f"{review_id}-*"))
    if not found:
        raise InputError("review_id", "no upload under review with this id (confirmed already, or expired)")
    return found[0]


def new_review_id() -> str:
    """A fresh, unguessable review id."""
    return uuid.uuid4().hex


def draft(path: Path, max_bytes: int) -> Policy:
    """The policy ingest would store for ``path`` (nothing stored); InputError when it cannot be read."""
    result = process_document(str(path), max_bytes=max_bytes)
    if result.error is not None or result.extraction is None:
        raise InputError(path.name.split("-", 1)[-1], result.error or "could not be read")
    return build_policy(result, None, update=False)


def corrected(policy: Policy, form: dict[str, Any]) -> tuple[Policy, list[str]]:
    """``policy`` with the reviewer's values from ``form``, and the names of the fields that changed."""
    values: dict[str, Any] = {}
    text = {name: str(form.get(name) or "").strip() for name in FIELDS if name != "themes"}
    values["title"] = text["title"] or policy.title
    values["doc_number"] = text["doc_number"] or None
    values["issuers"] = tuple(part.strip() for part in _ISSUER_SPLIT.split(text["issuers"]) if part.strip())
    values["publish_date"] = parse_date(text["publish_date"], "publish_date") if text["publish_date"] else None
    values["effective_date"] = parse_date(text["effective_date"], "effective_date") if text["effective_date"] else None
    values["status"] = find_label(STATUSES, text["status"] or "unknown", "status").code
    values["level"] = find_label(LEVELS, text["level"] or "unknown", "level").code
    values["region"] = text["region"] or None
    values["policy_type"] = (
        find_label(POLICY_TYPES, text["policy_type"], "policy_type").code if text["policy_type"] else None
    )
    themes = form.get("themes") or []
    values["themes"] = tuple(dict.fromkeys(find_label(THEMES, theme, "themes").code for theme in themes))
    changed = [name for name in FIELDS if getattr(policy, name) != values[name]]
    evidence = dict(policy.extraction_evidence)
    evidence["review"] = {"method": "confirmed in the web review", "changed": changed}
    return dataclasses.replace(policy, **values, extraction_evidence=evidence), changed


def confirm(store: Any, path: Path, form: dict[str, Any], max_bytes: int) -> str:
    """Store the reviewed document (corrections applied) and remove the saved upload; the policy id."""
    policy, _ = corrected(draft(path, max_bytes), form)
    original = (
        path.read_text(encoding="utf-8", errors="replace") if path.suffix.lower() in (".txt", ".html", ".htm") else None
    )
    store.save_policy(
        dataclasses.replace(policy, source=f"upload: {path.name.split('-', 1)[-1]}"), original_text=original
    )
    path.unlink(missing_ok=True)
    return policy.id

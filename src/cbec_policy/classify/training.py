"""Labelled records to train and evaluate on: bundled policies and a researcher's own labels.

Bundled policies carry a verified type and themes; the 26 rows of the paper's Table 1 also
carry the paper's own type. A document's text is its Chinese description when the reference
data has one (``table1_zh.csv``, written for the paper's Table 1 rows), else its English summary. Researcher labels come
from stored policies whose classification was set by ``cbec labels import``; they override the
bundled labels of the same policy, axis by axis.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

import yaml

from cbec_policy.classify.base import Document, LabelledRecord
from cbec_policy.errors import ReferenceDataError
from cbec_policy.labels import type_by_zh
from cbec_policy.models import Policy
from cbec_policy.reference import load_national_policies, reference_path

SUMMARIES_FILE = "table1_zh.csv"
NEGATIVES_FILE = Path(__file__).with_name("negatives.yaml")
RESEARCHER_METHOD = "researcher"


@cache
def load_zh_summaries() -> dict[str, str]:
    """Chinese descriptions keyed by policy id; empty when the file is not (yet) bundled."""
    path = reference_path(SUMMARIES_FILE)
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or [])
        column = next((name for name in ("summary_zh", "summary") if name in fields), None)
        if "id" not in fields or column is None:
            raise ReferenceDataError(SUMMARIES_FILE, 1, None, "columns 'id' and 'summary_zh' are required")
        return {row["id"].strip(): row[column].strip() for row in reader if row.get("id") and row.get(column)}


def policy_document(policy: Policy, summaries: dict[str, str] | None = None) -> Document:
    """The document a classifier sees for a policy: title, number, issuers and the best text at hand."""
    text = policy.full_text or (summaries or {}).get(policy.id) or policy.summary or ""
    return Document(title=policy.title, text=text, issuers=tuple(policy.issuers), doc_number=policy.doc_number)


def bundled_records(*, paper_types: bool = False, table1_only: bool = False) -> list[LabelledRecord]:
    """The bundled national policies as labelled records.

    ``paper_types`` uses the type printed in the paper's Table 1 (only for its rows);
    ``table1_only`` keeps just the 26 Table 1 rows. Every bundled policy is CBEC-relevant.
    """
    summaries = load_zh_summaries()
    records = []
    for policy in load_national_policies():
        if table1_only and policy.paper is None:
            continue
        policy_type = policy.policy_type
        if paper_types and policy.paper is not None:
            policy_type = type_by_zh(policy.paper.policy_type).code
        records.append(
            LabelledRecord(
                id=policy.id,
                document=policy_document(policy, summaries),
                policy_type=policy_type,
                themes=tuple(policy.themes),
                instruments=None,  # the reference data does not code instruments
                is_cbec=True,
                source="bundled",
            )
        )
    return records


@cache
def negative_records() -> tuple[LabelledRecord, ...]:
    """The near-miss documents of ``negatives.yaml`` as records labelled not CBEC (no type, no themes).

    Every evaluation of relevance includes them, and the trained model learns from them.
    """
    data = yaml.load(NEGATIVES_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    records = []
    for index, item in enumerate(data.get("documents") or []):
        if not isinstance(item, dict) or not item.get("id") or not item.get("title") or not item.get("text"):
            raise ReferenceDataError(
                NEGATIVES_FILE.name, None, f"documents[{index}]", "id, title and text are required"
            )
        document = Document(title=str(item["title"]).strip(), text=str(item["text"]).strip())
        records.append(LabelledRecord(id=str(item["id"]), document=document, is_cbec=False, source="negative"))
    if not records:
        raise ReferenceDataError(NEGATIVES_FILE.name, None, "documents", "no negative documents")
    return tuple(records)


def training_records(*, paper_types: bool = False) -> list[LabelledRecord]:
    """Bundled policies (CBEC, with type and themes) plus the near-miss negatives."""
    return [*bundled_records(paper_types=paper_types), *negative_records()]


def researcher_labelled(policy: Policy) -> set[str] | None:
    """The axes a researcher labelled on a stored policy, or None when it carries no researcher label."""
    evidence = policy.classification_evidence or {}
    if evidence.get("method") != RESEARCHER_METHOD:
        return None
    return set(evidence.get("labelled") or ())


def user_records(policies: Iterable[Policy]) -> list[LabelledRecord]:
    """Records for stored policies that carry researcher labels (only the labelled axes are set)."""
    summaries = load_zh_summaries()
    records = []
    for policy in policies:
        axes = researcher_labelled(policy)
        if axes is None:
            continue
        records.append(
            LabelledRecord(
                id=policy.id,
                document=policy_document(policy, summaries),
                policy_type=policy.policy_type if "policy_type" in axes else None,
                themes=tuple(policy.themes) if "themes" in axes else None,
                instruments=tuple(policy.instruments) if "instruments" in axes else None,
                is_cbec=policy.is_cbec if "is_cbec" in axes else None,
                source="user",
            )
        )
    return records


def merge_records(base: Sequence[LabelledRecord], overrides: Sequence[LabelledRecord]) -> list[LabelledRecord]:
    """``base`` with ``overrides`` applied by id, axis by axis; new ids are appended. No duplicates."""
    merged = {record.id: record for record in base}
    for record in overrides:
        old = merged.get(record.id)
        if old is None:
            merged[record.id] = record
            continue
        merged[record.id] = replace(
            old,
            document=record.document if record.document.text else old.document,
            policy_type=record.policy_type if record.policy_type is not None else old.policy_type,
            themes=record.themes if record.themes is not None else old.themes,
            instruments=record.instruments if record.instruments is not None else old.instruments,
            is_cbec=record.is_cbec if record.is_cbec is not None else old.is_cbec,
            source="user",
        )
    return list(merged.values())

"""Scores on a gold file of real documents, and agreement with a second coder (Cohen's κ).

A gold file is JSON Lines, one object per document: ``id`` (the document is ``ID.txt`` in the
same folder), ``is_cbec``, ``policy_type`` (Chinese label such as 综合类, or the code; null for
documents that are not CBEC) and ``themes`` (codes). Each document is read like ``cbec ingest``
reads it (decoding, normalisation, extraction of title, number and issuers) and classified
from what the text itself yields.

A second coder's labels (CSV or JSON Lines with ``id``, ``is_cbec``, ``policy_type``,
``themes`` separated by ``;``) are compared with the gold labels and with the machine by
Cohen's κ (:func:`sklearn.metrics.cohen_kappa_score`): relevance on every document both coded,
the type on the documents both coded CBEC, and each theme as a yes/no call.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sklearn.metrics import cohen_kappa_score

from cbec_policy.classify.base import Classification, Classifier, Document, LabelledRecord
from cbec_policy.classify.evaluate import GOLD, Evaluation, score_predictions
from cbec_policy.classify.taxonomy import Taxonomy, load_taxonomy
from cbec_policy.errors import InputError
from cbec_policy.ingest import process_document


@dataclass(frozen=True)
class Coding:
    """One coder's labels of one document."""

    is_cbec: bool | None
    policy_type: str | None
    themes: tuple[str, ...] | None


@dataclass
class GoldEvaluation:
    """Scores on the gold documents, and κ for each pair of coders (gold, second coder, machine)."""

    evaluation: Evaluation
    codings: dict[str, dict[str, Coding]] = field(default_factory=dict)  # coder -> id -> coding
    kappa: list[dict[str, Any]] = field(default_factory=list)


def _type_code(value: Any, taxonomy: Taxonomy, source: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return taxonomy.find("type", str(value)).code
    except InputError as exc:
        raise InputError(source, exc.reason) from None


def _themes(value: Any, taxonomy: Taxonomy, source: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [part for part in str(value).replace("；", ";").split(";")]
    codes = []
    for item in items:
        if str(item).strip():
            try:
                codes.append(taxonomy.find("theme", str(item).strip()).code)
            except InputError as exc:
                raise InputError(source, exc.reason) from None
    return tuple(codes)


def _flag(value: Any, source: str) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "是", "y"):
        return True
    if text in ("false", "0", "no", "否", "n"):
        return False
    if text == "":
        return None
    raise InputError(source, f"is_cbec must be true or false, got {value!r}")


def _coding(row: dict[str, Any], taxonomy: Taxonomy, source: str) -> Coding:
    is_cbec = _flag(row.get("is_cbec"), source)
    return Coding(
        is_cbec, _type_code(row.get("policy_type"), taxonomy, source), _themes(row.get("themes"), taxonomy, source)
    )


def read_codings(path: Path, taxonomy: Taxonomy | None = None) -> dict[str, Coding]:
    """A coder's labels by document id, from JSON Lines (``.jsonl``) or CSV."""
    taxonomy = taxonomy or load_taxonomy()
    if not path.is_file():
        raise InputError(str(path), "file not found")
    rows: list[tuple[str, dict[str, Any]]] = []
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".json"):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append((f"{path.name}, line {number}", json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path.name}, line {number}", f"not JSON ({exc.msg})") from None
    else:
        for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
            rows.append((f"{path.name}, line {number}", row))
    codings: dict[str, Coding] = {}
    for source, row in rows:
        key = str(row.get("id") or "").strip()
        if not key:
            raise InputError(source, "an id is required")
        if key in codings:
            raise InputError(source, f"id {key!r} appears twice")
        codings[key] = _coding(row, taxonomy, source)
    return codings


def gold_documents(path: Path) -> dict[str, Document]:
    """The documents of a gold file, read from ``ID.txt`` beside it as ingest reads them."""
    documents: dict[str, Document] = {}
    for key in read_codings(path):
        text_path = path.with_name(f"{key}.txt")
        if not text_path.is_file():
            raise InputError(str(text_path), f"the text of gold document {key!r} is missing")
        result = process_document(str(text_path), classify=False)
        if result.error or result.normalised is None:
            raise InputError(str(text_path), result.error or "cannot be read")
        found = result.extraction
        documents[key] = Document(
            title=(found.title if found and found.title else ""),
            text=result.normalised.text,
            issuers=tuple(found.issuers) if found else (),
            doc_number=found.doc_number if found else None,
        )
    return documents


def _records(codings: dict[str, Coding], documents: dict[str, Document]) -> list[LabelledRecord]:
    return [
        LabelledRecord(
            id=key,
            document=documents[key],
            policy_type=coding.policy_type if coding.is_cbec else None,
            themes=coding.themes if coding.is_cbec else None,
            is_cbec=coding.is_cbec,
            source="gold",
        )
        for key, coding in codings.items()
    ]


def _machine(result: Classification) -> Coding:
    return Coding(result.is_cbec, result.policy_type if result.is_cbec else None, tuple(result.themes))


def kappa_rows(codings: dict[str, dict[str, Coding]], taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Cohen's κ for each pair of coders on relevance, type and each theme (documents both coded)."""
    rows: list[dict[str, Any]] = []
    coders = list(codings)
    for i, first in enumerate(coders):
        for second in coders[i + 1 :]:
            shared = [key for key in codings[first] if key in codings[second]]
            pairs = {
                "is_cbec": [(codings[first][k].is_cbec, codings[second][k].is_cbec) for k in shared],
                "policy_type": [(codings[first][k].policy_type, codings[second][k].policy_type) for k in shared
                                if codings[first][k].is_cbec and codings[second][k].is_cbec],
            }  # fmt: skip
            for code in taxonomy.theme_codes():
                pairs[f"theme:{code}"] = [
                    (code in (codings[first][k].themes or ()), code in (codings[second][k].themes or ()))
                    for k in shared
                    if codings[first][k].is_cbec and codings[second][k].is_cbec
                ]
            for axis, values in pairs.items():
                values = [(a, b) for a, b in values if a is not None and b is not None]
                if not values:
                    continue
                left, right = [str(a) for a, _b in values], [str(b) for _a, b in values]
                agreement = sum(a == b for a, b in zip(left, right, strict=True)) / len(values)
                # κ is undefined when both coders use one and the same label throughout
                kappa = None if len(set(left) | set(right)) < 2 else float(cohen_kappa_score(left, right))
                rows.append({"coders": f"{first} ~ {second}", "axis": axis, "documents": len(values),
                             "agreement": round(agreement, 3),
                             "kappa": None if kappa is None else round(kappa, 3)})  # fmt: skip
    return rows


def evaluate_gold(
    classifier: Classifier, path: Path, second_coder: Path | None = None, taxonomy: Taxonomy | None = None
) -> GoldEvaluation:
    """Classify every gold document and score it; κ between gold, the second coder and the machine."""
    taxonomy = taxonomy or load_taxonomy()
    codings = read_codings(path, taxonomy)
    documents = gold_documents(path)
    records = _records(codings, documents)
    results = classifier.predict([record.document for record in records])
    predictions = {record.id: result for record, result in zip(records, results, strict=True)}
    evaluation = score_predictions(records, predictions, classifier=classifier.name, kind=GOLD, taxonomy=taxonomy)
    coders: dict[str, dict[str, Coding]] = {"gold": codings}
    if second_coder is not None:
        coders["second coder"] = read_codings(second_coder, taxonomy)
    coders["machine"] = {key: _machine(result) for key, result in predictions.items()}
    return GoldEvaluation(evaluation, coders, kappa_rows(coders, taxonomy))

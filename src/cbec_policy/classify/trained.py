"""Trained classifier: character n-gram TF-IDF and linear models, fitted on labelled records.

Chinese has no spaces, so the features are character 1- to 3-grams (no segmenter, fast, and
robust to the many ways a title can be cut). Logistic-regression models are fitted per axis:
one-vs-rest binary models for the policy type (probabilities normalised to sum to one), and
one binary model per theme, per instrument and for relevance.
An axis or label the training records do not cover (no labels, or a single class) stays
*unlearned*: its probabilities are reported as ``None`` and the hybrid falls back to the lexicon.

The settings below were chosen before any evaluation and are not tuned on evaluation folds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from cbec_policy.classify.base import (
    RELEVANCE_KEY,
    Classification,
    Document,
    LabelledRecord,
    instrument_key,
    theme_key,
    type_key,
)
from cbec_policy.classify.taxonomy import Taxonomy, load_taxonomy
from cbec_policy.classify.textcheck import fold

NGRAM_RANGE = (1, 3)
REGULARISATION_C = 10.0
EXPLAIN_TOP = 8
DECISION_THRESHOLD = 0.5
# A label seen once cannot be told from noise: below this many positive (or negative) examples
# the label stays unlearned and the lexicon decides it.
MIN_EXAMPLES = 2


def features_text(document: Document) -> str:
    """The text the model sees: the title twice (titles name the subject), then the rest, folded."""
    return fold("\n".join([document.title, document.joined()]))


@dataclass
class AxisProbabilities:
    """Per-document model output; ``None`` marks an axis or label the model never learned."""

    types: dict[str, float] | None
    themes: dict[str, float | None]
    instruments: dict[str, float | None]
    is_cbec: float | None
    extra: dict[str, Any] = field(default_factory=dict)


def _binary_model(texts_matrix: Any, targets: list[int]) -> LogisticRegression | None:
    """A balanced binary logistic regression, or None when either side has too few examples."""
    positives = sum(targets)
    if positives < MIN_EXAMPLES or len(targets) - positives < MIN_EXAMPLES:
        return None
    # liblinear is by far the fastest solver on a few hundred short documents
    model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", solver="liblinear")
    return model.fit(texts_matrix, targets)


class TrainedClassifier:
    """TF-IDF character n-grams + logistic regression per axis; see the module docstring."""

    name = "trained"

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.vectorizer: TfidfVectorizer | None = None
        self.type_models: dict[str, LogisticRegression | None] = {}
        self.theme_models: dict[str, LogisticRegression | None] = {}
        self.instrument_models: dict[str, LogisticRegression | None] = {}
        self.relevance_model: LogisticRegression | None = None
        self.trained_ids: tuple[str, ...] = ()

    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` has run on at least one record."""
        return self.vectorizer is not None

    def fit(self, records: Sequence[LabelledRecord]) -> Self:
        """Fit every axis that the records label with at least two classes."""
        if not records:
            raise ValueError("no labelled records to train on")
        self.trained_ids = tuple(record.id for record in records)
        texts = [features_text(record.document) for record in records]
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAM_RANGE, sublinear_tf=True, min_df=1)
        matrix = self.vectorizer.fit_transform(texts)

        # Types: one-vs-rest binary models whose probabilities are normalised to sum to one.
        typed = [i for i, record in enumerate(records) if record.policy_type]
        type_targets = [records[i].policy_type for i in typed]
        self.type_models = {}
        if len(set(type_targets)) >= 2:
            for code in sorted(set(type_targets)):
                model = _binary_model(matrix[typed], [int(t == code) for t in type_targets])
                if model is not None:
                    self.type_models[code] = model
            if len(self.type_models) < 2:  # one learned class cannot be weighed against the others
                self.type_models = {}

        self.theme_models = self._fit_multilabel(matrix, records, "themes", self.taxonomy.theme_codes())
        self.instrument_models = self._fit_multilabel(matrix, records, "instruments", self.taxonomy.instrument_codes())
        judged = [i for i, record in enumerate(records) if record.is_cbec is not None]
        self.relevance_model = _binary_model(matrix[judged], [int(bool(records[i].is_cbec)) for i in judged])
        return self

    @staticmethod
    def _fit_multilabel(
        matrix: Any, records: Sequence[LabelledRecord], attribute: str, codes: list[str]
    ) -> dict[str, LogisticRegression | None]:
        labelled = [i for i, record in enumerate(records) if getattr(record, attribute) is not None]
        models: dict[str, LogisticRegression | None] = {}
        for code in codes:
            targets = [int(code in getattr(records[i], attribute)) for i in labelled]
            models[code] = _binary_model(matrix[labelled], targets) if labelled else None
        return models

    # ------------------------------------------------------------------ prediction

    def probabilities(self, documents: Sequence[Document]) -> list[AxisProbabilities]:
        """Model probabilities per document and axis (``None`` where unlearned)."""
        if self.vectorizer is None:
            raise ValueError("the trained classifier has not been fitted")
        matrix = self.vectorizer.transform([features_text(d) for d in documents])
        count = len(documents)
        types: list[dict[str, float] | None] = [None] * count
        if self.type_models:
            columns = self._binary_probs(matrix, self.type_models, count)
            types = []
            for row in columns:
                values = {code: row.get(code) or 0.0 for code in self.taxonomy.type_codes()}
                total = sum(values.values())
                types.append({code: value / total for code, value in values.items()} if total else values)
        themes = self._binary_probs(matrix, self.theme_models, count)
        instruments = self._binary_probs(matrix, self.instrument_models, count)
        relevance: list[float | None] = [None] * count
        if self.relevance_model is not None:
            relevance = [float(p) for p in self.relevance_model.predict_proba(matrix)[:, 1]]
        return [AxisProbabilities(types[i], themes[i], instruments[i], relevance[i]) for i in range(count)]

    @staticmethod
    def _binary_probs(
        matrix: Any, models: dict[str, LogisticRegression | None], count: int
    ) -> list[dict[str, float | None]]:
        columns: dict[str, np.ndarray | None] = {
            code: (model.predict_proba(matrix)[:, 1] if model is not None else None) for code, model in models.items()
        }
        return [
            {code: (float(values[i]) if values is not None else None) for code, values in columns.items()}
            for i in range(count)
        ]

    def predict(self, documents: Sequence[Document]) -> list[Classification]:
        """Labels from the model alone; unlearned axes come back empty (score 0)."""
        return [self._classification(p, {}) for p in self.probabilities(documents)]

    def explain(self, document: Document) -> Classification:
        """Labels with the n-grams that pushed each assigned label up, located in the document."""
        probs = self.probabilities([document])[0]
        result = self._classification(probs, {})
        result.evidence = self.ngram_evidence(document, result)
        return result

    def _classification(self, probs: AxisProbabilities, evidence: dict[str, list[dict[str, Any]]]) -> Classification:
        best = None
        if probs.types:
            best = max(probs.types, key=lambda code: probs.types[code])  # type: ignore[index]
        themes = [c for c, p in probs.themes.items() if p is not None and p >= DECISION_THRESHOLD]
        instruments = [c for c, p in probs.instruments.items() if p is not None and p >= DECISION_THRESHOLD]
        relevance = probs.is_cbec if probs.is_cbec is not None else 0.0
        return Classification(
            is_cbec=relevance >= DECISION_THRESHOLD,
            is_cbec_score=relevance,
            policy_type=best,
            policy_type_score=probs.types[best] if probs.types and best else 0.0,
            themes=themes,
            instruments=instruments,
            evidence=evidence,
            scores={
                "is_cbec": probs.is_cbec,
                "type": probs.types,
                "themes": probs.themes,
                "instruments": probs.instruments,
            },
            method=self.name,
        )

    # ------------------------------------------------------------------ explanation

    def ngram_evidence(self, document: Document, result: Classification) -> dict[str, list[dict[str, Any]]]:
        """For each assigned label, the n-grams with the largest positive contribution, with positions."""
        if self.vectorizer is None:
            return {}
        row = self.vectorizer.transform([features_text(document)]).tocsr()
        vocabulary = self.vectorizer.get_feature_names_out()
        evidence: dict[str, list[dict[str, Any]]] = {}

        def add(key: str, coefficients: np.ndarray) -> None:
            contributions = [(float(value * coefficients[index]), vocabulary[index]) for index, value in
                             zip(row.indices, row.data, strict=True)]  # fmt: skip
            contributions = [item for item in contributions if item[0] > 0 and item[1].strip()]
            contributions.sort(reverse=True)
            found = []
            for weight, gram in contributions[:EXPLAIN_TOP]:
                found.append(_locate(document, gram, weight))
            if found:
                evidence[key] = found

        type_model = self.type_models.get(result.policy_type or "")
        if type_model is not None:
            add(type_key(result.policy_type or ""), type_model.coef_[0])
        for code in result.themes:
            model = self.theme_models.get(code)
            if model is not None:
                add(theme_key(code), model.coef_[0])
        for code in result.instruments:
            model = self.instrument_models.get(code)
            if model is not None:
                add(instrument_key(code), model.coef_[0])
        if result.is_cbec and self.relevance_model is not None:
            add(RELEVANCE_KEY, self.relevance_model.coef_[0])
        return evidence


def _locate(document: Document, gram: str, weight: float) -> dict[str, Any]:
    """Where an n-gram first occurs: title, text, doc number or issuers (positions as in that field)."""
    fields = (
        ("title", document.title),
        ("text", document.text),
        ("doc_number", document.doc_number or ""),
        ("issuers", "、".join(document.issuers)),
    )
    for name, value in fields:
        position = fold(value).find(gram)
        if position != -1:
            return {"term": gram, "start": position, "end": position + len(gram), "weight": round(weight, 4),
                    "field": name, "source": "model"}  # fmt: skip
    return {"term": gram, "start": -1, "end": -1, "weight": round(weight, 4), "field": "", "source": "model"}

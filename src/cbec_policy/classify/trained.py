"""Trained classifier: character n-gram TF-IDF and linear models, fitted on labelled records.

Chinese has no spaces, so the features are character 1- to 3-grams (no segmenter, fast, and
robust to the many ways a title can be cut). Logistic-regression models are fitted per axis:
one-vs-rest binary models for the policy type (probabilities normalised to sum to one), and
one binary model per theme, per instrument and for relevance.
An axis or label the training records do not cover (no labels, or a single class) stays
*unlearned*: its probabilities are reported as ``None`` and the hybrid falls back to the lexicon.

The settings below were chosen before any evaluation and are not tuned on evaluation folds.
The yes/no thresholds of relevance, themes and instruments are learned in ``fit`` from
out-of-fold probabilities of the training records (:mod:`thresholds`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.extmath import safe_sparse_dot

from cbec_policy.classify.base import (
    RELEVANCE_KEY,
    Classification,
    Document,
    LabelledRecord,
    instrument_key,
    theme_key,
    type_key,
)
from cbec_policy.classify.folds import record_stratum
from cbec_policy.classify.taxonomy import Taxonomy, load_taxonomy
from cbec_policy.classify.textcheck import fold
from cbec_policy.classify.thresholds import INNER_FOLDS, best_threshold, out_of_fold

NGRAM_RANGE = (1, 3)
REGULARISATION_C = 10.0
EXPLAIN_TOP = 8
# n-grams considered before sorting out the EXPLAIN_TOP strongest (room for blank ones)
_CANDIDATES = 64
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


def _positive_probability(model: LogisticRegression, matrix: Any) -> np.ndarray:
    """``model.predict_proba(matrix)[:, 1]`` computed as scikit-learn does, without its input checks.

    The checks cost about a millisecond per model and call, more than the product itself; the
    matrix here always comes from the model's own fitted vectoriser, so there is nothing to check.
    """
    if len(model.classes_) != 2:
        return model.predict_proba(matrix)[:, 1]
    scores = safe_sparse_dot(matrix, model.coef_.T, dense_output=True) + model.intercept_
    return expit(scores.reshape(-1))


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

    def __init__(self, taxonomy: Taxonomy | None = None, learn_thresholds: bool = True) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.learn_thresholds = learn_thresholds
        # label key (is_cbec, theme:…, instrument:…) -> learned threshold; missing means 0.5
        self.thresholds: dict[str, float] = {}
        # the thresholds a hybrid built on this model learned (saved with the model)
        self.hybrid_thresholds: dict[str, float] = {}
        # out-of-fold probabilities of the training records (what the hybrid learns its own thresholds from)
        self.oof_: list[AxisProbabilities] | None = None
        self.vectorizer: TfidfVectorizer | None = None
        self.type_models: dict[str, LogisticRegression | None] = {}
        self.theme_models: dict[str, LogisticRegression | None] = {}
        self.instrument_models: dict[str, LogisticRegression | None] = {}
        self.relevance_model: LogisticRegression | None = None
        self.trained_ids: tuple[str, ...] = ()

    def _feature_names(self) -> np.ndarray:
        """The vectoriser's n-grams by column; built once per loaded model (it is a large array)."""
        names = self.__dict__.get("_names")
        if names is None:
            names = self._names = self.vectorizer.get_feature_names_out()  # type: ignore[union-attr]
        return names

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the derived n-gram array (saved models stay as small as before)."""
        state = dict(self.__dict__)
        state.pop("_names", None)
        state.pop("oof_", None)
        return state

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
        self.__dict__.pop("_names", None)  # refitting changes the vocabulary
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
        self.thresholds, self.oof_ = {}, None
        if self.learn_thresholds and len(records) >= 2 * INNER_FOLDS:
            self.oof_ = self._out_of_fold(records)
            self.thresholds = learned_thresholds(records, self.oof_, self.taxonomy)
        return self

    def _out_of_fold(self, records: Sequence[LabelledRecord]) -> list[AxisProbabilities]:
        """Probabilities of each training record from a model fitted on the other inner folds."""

        def predict_fold(train: list[LabelledRecord], test: list[LabelledRecord]) -> list[object]:
            inner = TrainedClassifier(self.taxonomy, learn_thresholds=False).fit(train)
            return list(inner.probabilities([record.document for record in test]))

        return out_of_fold(records, [record_stratum(r) for r in records], predict_fold)  # type: ignore[return-value]

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

    def features(self, documents: Sequence[Document]) -> Any:
        """The fitted TF-IDF rows of ``documents`` (a sparse matrix, one row per document)."""
        if self.vectorizer is None:
            raise ValueError("the trained classifier has not been fitted")
        return self.vectorizer.transform([features_text(d) for d in documents])

    def probabilities(self, documents: Sequence[Document], matrix: Any = None) -> list[AxisProbabilities]:
        """Model probabilities per document and axis (``None`` where unlearned).

        ``matrix`` is :meth:`features` of ``documents`` when the caller already has it: turning a
        long text into character n-grams is the model's main cost, so it is done once.
        """
        if matrix is None:
            matrix = self.features(documents)
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
            relevance = [float(p) for p in _positive_probability(self.relevance_model, matrix)]
        return [AxisProbabilities(types[i], themes[i], instruments[i], relevance[i]) for i in range(count)]

    @staticmethod
    def _binary_probs(
        matrix: Any, models: dict[str, LogisticRegression | None], count: int
    ) -> list[dict[str, float | None]]:
        columns: dict[str, np.ndarray | None] = {
            code: (_positive_probability(model, matrix) if model is not None else None)
            for code, model in models.items()
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
        matrix = self.features([document])
        probs = self.probabilities([document], matrix)[0]
        result = self._classification(probs, {})
        result.evidence = self.ngram_evidence(document, result, matrix)
        return result

    def _classification(self, probs: AxisProbabilities, evidence: dict[str, list[dict[str, Any]]]) -> Classification:
        best = None
        if probs.types:
            best = max(probs.types, key=lambda code: probs.types[code])  # type: ignore[index]
        cut = self.thresholds.get
        themes = [c for c, p in probs.themes.items() if p is not None and p >= cut(theme_key(c), DECISION_THRESHOLD)]
        instruments = [
            c for c, p in probs.instruments.items() if p is not None and p >= cut(instrument_key(c), DECISION_THRESHOLD)
        ]
        relevance = probs.is_cbec if probs.is_cbec is not None else 0.0
        return Classification(
            is_cbec=relevance >= cut(RELEVANCE_KEY, DECISION_THRESHOLD),
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

    def ngram_evidence(
        self, document: Document, result: Classification, matrix: Any = None
    ) -> dict[str, list[dict[str, Any]]]:
        """For each assigned label, the n-grams with the largest positive contribution, with positions.

        ``matrix`` is :meth:`features` of ``[document]`` when the caller already has it.
        """
        if self.vectorizer is None:
            return {}
        row = (matrix if matrix is not None else self.features([document])).tocsr()
        vocabulary = self._feature_names()
        fields = _folded_fields(document)
        evidence: dict[str, list[dict[str, Any]]] = {}

        def add(key: str, coefficients: np.ndarray) -> None:
            # the products are computed for all n-grams at once; only positive ones become tuples
            products = row.data * coefficients[row.indices]
            positive = np.flatnonzero(products > 0)
            if len(positive) > _CANDIDATES:
                # only the strongest few are shown: keep those at or above the _CANDIDATES-th value
                # (ties included), unless blank n-grams among them leave too few to choose from
                floor = np.partition(products[positive], -_CANDIDATES)[-_CANDIDATES]
                strongest = positive[products[positive] >= floor]
                if sum(1 for i in strongest if vocabulary[row.indices[i]].strip()) >= EXPLAIN_TOP:
                    positive = strongest
            contributions = [(float(products[i]), vocabulary[row.indices[i]]) for i in positive]
            contributions = [item for item in contributions if item[1].strip()]
            contributions.sort(reverse=True)
            found = []
            for weight, gram in contributions[:EXPLAIN_TOP]:
                found.append(_locate(fields, gram, weight))
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


def learned_thresholds(
    records: Sequence[LabelledRecord], scores: Sequence[AxisProbabilities], taxonomy: Taxonomy
) -> dict[str, float]:
    """Per label key, the threshold that :func:`best_threshold` picks on out-of-fold ``scores``."""
    thresholds: dict[str, float] = {}
    judged = [(s.is_cbec, bool(r.is_cbec)) for r, s in zip(records, scores, strict=True) if r.is_cbec is not None]
    if judged:
        thresholds[RELEVANCE_KEY] = best_threshold([s for s, _t in judged], [t for _s, t in judged])
    for attribute, codes, key in (("themes", taxonomy.theme_codes(), theme_key),
                                  ("instruments", taxonomy.instrument_codes(), instrument_key)):  # fmt: skip
        labelled = [(getattr(s, attribute), getattr(r, attribute)) for r, s in zip(records, scores, strict=True)
                    if getattr(r, attribute) is not None]  # fmt: skip
        for code in codes:
            pairs = [(values.get(code), code in truth) for values, truth in labelled]
            if pairs:
                thresholds[key(code)] = best_threshold([p for p, _t in pairs], [t for _p, t in pairs])
    return thresholds


def _folded_fields(document: Document) -> list[tuple[str, str]]:
    """The fields an n-gram is looked for in, folded like the model's input, in search order."""
    fields = (
        ("title", document.title),
        ("text", document.text),
        ("doc_number", document.doc_number or ""),
        ("issuers", "、".join(document.issuers)),
    )
    return [(name, fold(value)) for name, value in fields]


def _locate(fields: list[tuple[str, str]], gram: str, weight: float) -> dict[str, Any]:
    """Where an n-gram first occurs: title, text, doc number or issuers (positions as in that field)."""
    for name, value in fields:
        position = value.find(gram)
        if position != -1:
            return {"term": gram, "start": position, "end": position + len(gram), "weight": round(weight, 4),
                    "field": name, "source": "model"}  # fmt: skip
    return {"term": gram, "start": -1, "end": -1, "weight": round(weight, 4), "field": "", "source": "model"}

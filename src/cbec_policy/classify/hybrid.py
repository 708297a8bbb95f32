"""Hybrid classifier: the lexicon's scores averaged with a trained model's probabilities.

The lexicon knows every label from its definition (including classes with one or no training
example, such as 法律类 or 标准类); the trained model learns the wording of the researcher's own
coding. Each label's score is ``LEXICON_WEIGHT × lexicon + (1 − LEXICON_WEIGHT) × model``; where
the model never learned an axis or label, the lexicon's score is used alone; where the lexicon
found no cue for a theme, instrument or relevance, the model's score is used alone; without a
fitted model the hybrid is the lexicon. The weight is fixed a priori at one half (no tuning).
The yes/no thresholds of the mixed scores are learned in ``fit``, from the lexicon's scores of
the training records mixed with the model's out-of-fold probabilities (:mod:`thresholds`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from cbec_policy.classify.base import (
    RELEVANCE_KEY,
    Classification,
    Document,
    LabelledRecord,
    instrument_key,
    theme_key,
    uncertainty,
)
from cbec_policy.classify.lexicon import LexiconClassifier
from cbec_policy.classify.persist import DEFAULT_MODEL, load_model, model_path
from cbec_policy.classify.taxonomy import Taxonomy, load_taxonomy
from cbec_policy.errors import InputError

if TYPE_CHECKING:  # scikit-learn is imported only when a trained model is used
    from cbec_policy.classify.trained import AxisProbabilities, TrainedClassifier

LEXICON_WEIGHT = 0.5
DECISION_THRESHOLD = 0.5


def _mix(lexicon: float, model: float | None) -> float:
    """Average of the two scores; either one alone where the other has nothing to say.

    A lexicon score of zero means that no cue was found: with short texts that is silence, not
    evidence against the label, so the model decides alone.
    """
    if model is None:
        return lexicon
    if lexicon == 0:
        return model
    return LEXICON_WEIGHT * lexicon + (1.0 - LEXICON_WEIGHT) * model


class HybridClassifier:
    """Lexicon plus an optional trained model behind the common fit / predict / explain interface."""

    name = "hybrid"

    def __init__(self, taxonomy: Taxonomy | None = None, trained: TrainedClassifier | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.lexicon = LexiconClassifier(self.taxonomy)
        self.trained = trained
        # label key -> threshold of the mixed score, learned in fit (0.5 where not learned); a
        # saved model carries the thresholds its hybrid learned
        self.thresholds: dict[str, float] = dict(trained.hybrid_thresholds) if trained is not None else {}

    def fit(self, records: Sequence[LabelledRecord]) -> Self:
        """Fit the trained half on ``records`` (the lexicon needs no fitting)."""
        # start-up: scikit-learn loads only when a model is fitted or used, not for the lexicon alone
        from cbec_policy.classify.trained import AxisProbabilities, TrainedClassifier, learned_thresholds

        self.trained = TrainedClassifier(self.taxonomy).fit(records)
        self.thresholds = {}
        if self.trained.oof_ is not None:
            lexical = self.lexicon.predict([record.document for record in records])
            mixed = [
                AxisProbabilities(
                    types=None,
                    themes={c: _mix(v, probs.themes.get(c)) for c, v in lex.scores["themes"].items()},
                    instruments={c: _mix(v, probs.instruments.get(c)) for c, v in lex.scores["instruments"].items()},
                    is_cbec=_mix(lex.is_cbec_score, probs.is_cbec),
                )
                for lex, probs in zip(lexical, self.trained.oof_, strict=True)
            ]
            self.thresholds = learned_thresholds(records, mixed, self.taxonomy)
        self.trained.hybrid_thresholds = dict(self.thresholds)
        return self

    def predict(self, documents: Sequence[Document], matrix: Any = None) -> list[Classification]:
        """Combined labels and scores (lexicon evidence included).

        ``matrix`` is the trained model's :meth:`~TrainedClassifier.features` of ``documents``
        when the caller already has it.
        """
        lexical = self.lexicon.predict(documents)
        if self.trained is None or not self.trained.is_fitted:
            return lexical
        probabilities = self.trained.probabilities(documents, matrix)
        return [self._combine(lex, probs) for lex, probs in zip(lexical, probabilities, strict=True)]

    def explain(self, document: Document, evidence: str = "all") -> Classification:
        """Combined labels with the lexicon's evidence and the model's strongest n-grams.

        ``evidence`` is passed to :meth:`LexiconClassifier.explain` (``"all"`` or ``"assigned"``).
        """
        if self.trained is None or not self.trained.is_fitted:
            return self.lexicon.explain(document, evidence)
        # the n-gram features are computed once and serve both the probabilities and the evidence
        matrix = self.trained.features([document])
        probabilities = self.trained.probabilities([document], matrix)[0]
        result = self._combine(self.lexicon.explain(document, evidence), probabilities)
        for key, items in self.trained.ngram_evidence(document, result, matrix).items():
            result.evidence.setdefault(key, []).extend(items)
        return result

    def _combine(self, lex: Classification, probs: AxisProbabilities) -> Classification:
        scores: dict[str, Any] = {"lexicon": lex.scores}
        lex_types: dict[str, float] = lex.scores["type"]
        if probs.types is None or not any(lex_types.values()):
            types = dict(probs.types or lex_types)
        else:
            types = {code: _mix(lex_types[code], probs.types.get(code, 0.0)) for code in lex_types}
        best = max(types, key=lambda code: types[code])
        policy_type = best if types[best] > 0 else None

        themes = {code: _mix(value, probs.themes.get(code)) for code, value in lex.scores["themes"].items()}
        instruments = {
            code: _mix(value, probs.instruments.get(code)) for code, value in lex.scores["instruments"].items()
        }
        relevance = _mix(lex.is_cbec_score, probs.is_cbec)
        scores.update(
            {
                "is_cbec": round(relevance, 4),
                "type": {code: round(value, 4) for code, value in types.items()},
                "themes": {code: round(value, 4) for code, value in themes.items()},
                "instruments": {code: round(value, 4) for code, value in instruments.items()},
                "model": {
                    "is_cbec": probs.is_cbec,
                    "type": probs.types,
                    "themes": probs.themes,
                    "instruments": probs.instruments,
                },
            }
        )
        cut = self.thresholds.get
        relevance_cut = cut(RELEVANCE_KEY, DECISION_THRESHOLD)
        return Classification(
            is_cbec=relevance >= relevance_cut,
            is_cbec_score=relevance,
            policy_type=policy_type,
            policy_type_score=types[best] if policy_type else 0.0,
            themes=[code for code, value in themes.items() if value >= cut(theme_key(code), DECISION_THRESHOLD)],
            instruments=[
                code for code, value in instruments.items() if value >= cut(instrument_key(code), DECISION_THRESHOLD)
            ],
            evidence=lex.evidence,
            scores=scores,
            method=self.name,
            uncertain=uncertainty(relevance, relevance_cut, types, self.taxonomy.scoring.uncertain),
        )


def default_classifier() -> HybridClassifier:
    """The classifier :func:`classify_document` uses: hybrid with the saved ``default`` model, if any.

    A missing model means lexicon only; a model that cannot be used (made with other versions)
    also falls back to the lexicon, and the result's ``method`` then says ``lexicon``.
    """
    path = _default_model_path(os.environ.get("CBEC_MODEL_DIR"))
    # asked for every document ingested: one stat call says whether the saved model changed
    try:
        status = os.stat(path)
    except OSError:
        status = None
    stamp = status.st_mtime_ns if status is not None and stat.S_ISREG(status.st_mode) else None
    return _cached_default(path, stamp)


@cache
def _default_model_path(model_dir_override: str | None) -> Path:
    """Where the ``default`` model is saved, for the model folder named by the environment (or none).

    ``model_dir_override`` is only the cache key: ``model_path`` reads the environment itself,
    and a changed ``CBEC_MODEL_DIR`` must give a new answer, not the cached one.
    """
    return model_path(DEFAULT_MODEL)


@cache
def _cached_default(path: Path, stamp: int | None) -> HybridClassifier:
    trained = None
    if stamp is not None:
        try:
            trained = load_model(DEFAULT_MODEL)
        except InputError:
            trained = None
    return HybridClassifier(trained=trained)

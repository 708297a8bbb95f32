"""Decision thresholds learned from the training records, never from the records being scored.

A fitted model turns a probability (or, for the hybrid, a mixed score) into a yes/no label at a
threshold. A fixed 0.5 is wrong for small, unbalanced label sets (a theme seen in a fifth of the
records), so each label's threshold is chosen on *out-of-fold* scores of the training records:
an inner cross-validation inside ``fit``. Cross-validating the whole classifier therefore
refits the thresholds in every outer fold too, and no evaluated record ever informs its own
threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from sklearn.metrics import f1_score

from cbec_policy.classify.folds import stratified_folds

DEFAULT_THRESHOLD = 0.5
# Candidate thresholds: coarse on purpose, a few dozen records cannot support a finer choice.
CANDIDATES = tuple(round(value, 2) for value in np.arange(0.15, 0.86, 0.05))
# Fewer labelled positives (or negatives) than this and the default threshold is kept.
MIN_EXAMPLES = 3
INNER_FOLDS = 3

Record = TypeVar("Record")


def best_threshold(scores: Sequence[float | None], truth: Sequence[bool]) -> float:
    """The candidate threshold with the best F1 on (score, truth) pairs; ties go to the one nearest 0.5.

    Pairs without a score are left out; too few positives or negatives keep the default.
    """
    pairs = [(score, bool(label)) for score, label in zip(scores, truth, strict=True) if score is not None]
    positives = sum(label for _score, label in pairs)
    if positives < MIN_EXAMPLES or len(pairs) - positives < MIN_EXAMPLES:
        return DEFAULT_THRESHOLD
    values = np.array([score for score, _label in pairs])
    labels = np.array([label for _score, label in pairs])
    ranked = sorted(
        CANDIDATES,
        key=lambda t: (-f1_score(labels, values >= t, zero_division=0.0), abs(t - DEFAULT_THRESHOLD)),
    )
    return float(ranked[0])


def inner_folds(count: int, strata: Sequence[str], folds: int = INNER_FOLDS, seed: int = 0) -> list[int]:
    """A fold number per training record for the inner cross-validation (stratified, seeded)."""
    return stratified_folds(list(strata), min(folds, count), seed)


def out_of_fold(
    records: Sequence[Record], strata: Sequence[str], predict_fold: Callable[[list[Record], list[Record]], list[object]]
) -> list[object]:
    """For each record, what ``predict_fold(train, test)`` says about it when it is in ``test``."""
    assignment = inner_folds(len(records), strata)
    found: list[object] = [None] * len(records)
    for fold in range(max(assignment) + 1 if assignment else 0):
        test_index = [i for i, f in enumerate(assignment) if f == fold]
        train = [records[i] for i, f in enumerate(assignment) if f != fold]
        for index, value in zip(test_index, predict_fold(train, [records[i] for i in test_index]), strict=True):
            found[index] = value
    return found

"""Fold assignment shared by the outer cross-validation and the inner one that learns thresholds.

Both runs split the labelled records the same way: stratified by policy type (negatives in a
stratum of their own), seeded, so that an evaluation is reproducible and every fold sees each
kind of record.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from cbec_policy.classify.base import LabelledRecord


def stratified_folds(strata: Sequence[str], folds: int, seed: int = 0) -> list[int]:
    """A fold number per record, each stratum spread evenly over the folds (seeded, reproducible)."""
    count = len(strata)
    if count == 0:
        return []
    folds = count if folds <= 0 or folds > count else folds
    rng = random.Random(seed)
    assignment = [0] * count
    next_fold = 0
    for stratum in sorted(set(strata)):
        members = [i for i, value in enumerate(strata) if value == stratum]
        rng.shuffle(members)
        for index in members:
            assignment[index] = next_fold
            next_fold = (next_fold + 1) % folds
    return assignment


def record_stratum(record: LabelledRecord) -> str:
    """The stratum of a record in (inner and outer) folds: its type, or whether it is a negative."""
    if record.policy_type:
        return record.policy_type
    return "(not cbec)" if record.is_cbec is False else "(none)"

"""Honest evaluation, in three kinds that are never mixed up.

* **In-sample fit** (:func:`in_sample_fit`): a classifier that learns nothing (the lexicon) run
  on the bundled policies whose wording its terms were written with. It shows that the scheme
  describes its own examples; it is not an estimate of accuracy on new documents.
* **Cross-validation** (:func:`cross_validate`): stratified k-fold; in each fold a fresh
  classifier is fitted on the other folds only - every learned part, its thresholds included
  (:mod:`thresholds`) - and predicts the held-out fold; the predictions of all folds are pooled
  and scored once. ``folds=0`` (or folds ≥ records) is leave-one-out.
* **Gold documents** (:mod:`gold`): real documents labelled by hand, never used in fitting.

Relevance is always scored with negative examples (the near-miss documents of
``negatives.yaml``, the distractors of a gold set). Reported per axis: per-class precision,
recall, F1 and support, micro and macro F1, accuracy for single-label axes, and the type
confusion matrix, all computed by :mod:`sklearn.metrics`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from cbec_policy.classify.base import Classification, Classifier, LabelledRecord
from cbec_policy.classify.folds import record_stratum, stratified_folds
from cbec_policy.classify.taxonomy import Taxonomy, load_taxonomy

NO_TYPE = "(none)"
IN_SAMPLE = "in-sample fit"
CROSS_VALIDATION = "cross-validation"
GOLD = "gold documents"


@dataclass(frozen=True)
class ClassMetrics:
    """Precision, recall and F1 of one label, with its support (true count)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass
class AxisReport:
    """Scores of one axis (type, themes, instruments, is_cbec) over the records labelled on it."""

    axis: str
    records: int
    per_class: list[ClassMetrics]
    micro_f1: float
    macro_f1: float
    accuracy: float | None = None  # single-label axes: share of records whose label was right


@dataclass
class Evaluation:
    """Scores of one classifier on one set of records, labelled with the kind of evaluation."""

    classifier: str
    folds: int
    records: int
    kind: str = CROSS_VALIDATION
    axes: dict[str, AxisReport] = field(default_factory=dict)
    type_labels: list[str] = field(default_factory=list)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)  # truth -> predicted -> count
    predictions: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # id, truth, predicted


def multilabel_report(
    axis: str, truth: Sequence[set[str]], predicted: Sequence[set[str]], labels: Sequence[str]
) -> AxisReport:
    """Per-label and micro/macro scores; a single-label axis is the case of one label per record.

    A label neither true nor predicted anywhere is left out (nothing to score) and out of the macro average.
    """
    binarizer = MultiLabelBinarizer(classes=list(labels))
    truth_matrix = binarizer.fit_transform([set(t) & set(labels) for t in truth])
    guess_matrix = binarizer.transform([set(p) & set(labels) for p in predicted])
    precision, recall, f1, support = precision_recall_fscore_support(
        truth_matrix, guess_matrix, average=None, zero_division=0.0
    )
    predicted_counts = guess_matrix.sum(axis=0)
    per_class = [
        ClassMetrics(label, float(precision[i]), float(recall[i]), float(f1[i]), int(support[i]), int(count))
        for i, (label, count) in enumerate(zip(labels, predicted_counts, strict=True))
        if support[i] or count
    ]
    _p, _r, micro, _s = precision_recall_fscore_support(truth_matrix, guess_matrix, average="micro", zero_division=0.0)
    macro = sum(m.f1 for m in per_class) / len(per_class) if per_class else 0.0
    return AxisReport(axis, len(truth), per_class, float(micro), macro)


def score_predictions(
    records: Sequence[LabelledRecord],
    predictions: dict[str, Classification],
    *,
    classifier: str,
    kind: str,
    folds: int = 0,
    taxonomy: Taxonomy | None = None,
) -> Evaluation:
    """Score ``predictions`` (by record id) against the records' labels, axis by axis.

    Types are scored on the records that carry one (the CBEC documents), themes and instruments
    on those labelled on that axis, relevance on every record judged relevant or not.
    """
    taxonomy = taxonomy or load_taxonomy()
    evaluation = Evaluation(classifier=classifier, folds=folds, records=len(records), kind=kind)
    typed = [r for r in records if r.policy_type]
    if typed:
        truth = [r.policy_type or "" for r in typed]
        guess = [predictions[r.id].policy_type for r in typed]
        report = multilabel_report("type", [{t} for t in truth], [{g} if g else set() for g in guess],
                                   taxonomy.type_codes())  # fmt: skip
        report.accuracy = sum(1 for t, g in zip(truth, guess, strict=True) if t == g) / len(typed)
        evaluation.axes["type"] = report
        evaluation.type_labels = [c for c in taxonomy.type_codes() if c in truth or c in guess]
        if any(g is None for g in guess):
            evaluation.type_labels.append(NO_TYPE)
        matrix = confusion_matrix(truth, [g or NO_TYPE for g in guess], labels=evaluation.type_labels)
        evaluation.confusion = {
            t: {p: int(matrix[i][j]) for j, p in enumerate(evaluation.type_labels)}
            for i, t in enumerate(evaluation.type_labels)
        }
        evaluation.predictions = [(r.id, t, g) for r, t, g in zip(typed, truth, guess, strict=True)]
    for axis, attribute, codes in (
        ("themes", "themes", taxonomy.theme_codes()),
        ("instruments", "instruments", taxonomy.instrument_codes()),
    ):
        labelled = [r for r in records if getattr(r, attribute) is not None]
        if labelled:
            evaluation.axes[axis] = multilabel_report(
                axis,
                [set(getattr(r, attribute)) for r in labelled],
                [set(getattr(predictions[r.id], attribute)) for r in labelled],
                codes,
            )
    judged = [r for r in records if r.is_cbec is not None]
    if judged:
        truth_sets = [{"yes"} if r.is_cbec else {"no"} for r in judged]
        guess_sets = [{"yes"} if predictions[r.id].is_cbec else {"no"} for r in judged]
        report = multilabel_report("is_cbec", truth_sets, guess_sets, ["yes", "no"])
        report.accuracy = sum(1 for t, g in zip(truth_sets, guess_sets, strict=True) if t == g) / len(judged)
        evaluation.axes["is_cbec"] = report
    return evaluation


def in_sample_fit(
    classifier: Classifier, records: Sequence[LabelledRecord], taxonomy: Taxonomy | None = None
) -> Evaluation:
    """Scores of ``classifier`` on the very records it was written or fitted with (no held-out data)."""
    results = classifier.predict([record.document for record in records])
    predictions = {record.id: result for record, result in zip(records, results, strict=True)}
    return score_predictions(records, predictions, classifier=classifier.name, kind=IN_SAMPLE, taxonomy=taxonomy)


def cross_validate(
    make_classifier: Callable[[], Classifier],
    records: Sequence[LabelledRecord],
    folds: int = 5,
    seed: int = 0,
    taxonomy: Taxonomy | None = None,
) -> Evaluation:
    """Stratified (by type, negatives apart) k-fold cross-validation of fresh classifiers from ``make_classifier``."""
    taxonomy = taxonomy or load_taxonomy()
    ids = [record.id for record in records]
    if len(set(ids)) != len(ids):
        raise ValueError("records must have unique ids (merge overrides first)")
    if len(records) < 2:
        raise ValueError("cross-validation needs at least two labelled records")
    assignment = stratified_folds([record_stratum(record) for record in records], folds, seed)
    fold_count = max(assignment) + 1
    predictions: dict[str, Classification] = {}
    name = ""
    for fold in range(fold_count):
        test = [r for r, f in zip(records, assignment, strict=True) if f == fold]
        train = [r for r, f in zip(records, assignment, strict=True) if f != fold]
        if {r.id for r in test} & {r.id for r in train}:  # the one promise of this module
            raise RuntimeError("a record is in both the training and the test fold")
        classifier = make_classifier()
        name = classifier.name
        classifier.fit(train)
        for record, result in zip(test, classifier.predict([r.document for r in test]), strict=True):
            predictions[record.id] = result

    return score_predictions(records, predictions, classifier=name, kind=CROSS_VALIDATION, folds=fold_count,
                             taxonomy=taxonomy)  # fmt: skip


# ---------------------------------------------------------------------- output

METRIC_COLUMNS = {
    "axis": "维度 axis",
    "label": "类别 label",
    "precision": "精确率 precision",
    "recall": "召回率 recall",
    "f1": "F1",
    "support": "样本 support",
    "predicted": "预测 predicted",
}


def metric_rows(evaluation: Evaluation) -> list[dict[str, object]]:
    """Per-class rows followed by each axis's averages (accuracy, micro-F1, macro-F1)."""
    rows: list[dict[str, object]] = []
    for axis, report in evaluation.axes.items():
        for m in report.per_class:
            rows.append({"axis": axis, "label": m.label, "precision": round(m.precision, 3),
                         "recall": round(m.recall, 3), "f1": round(m.f1, 3), "support": m.support,
                         "predicted": m.predicted})  # fmt: skip
        if report.accuracy is not None:
            rows.append({"axis": axis, "label": "accuracy", "f1": round(report.accuracy, 3), "support": report.records})
        rows.append({"axis": axis, "label": "micro avg", "f1": round(report.micro_f1, 3), "support": report.records})
        rows.append({"axis": axis, "label": "macro avg", "f1": round(report.macro_f1, 3), "support": report.records})
    return rows


def confusion_rows(evaluation: Evaluation) -> list[dict[str, object]]:
    """Type confusion matrix as rows: one per true type, one column per predicted type."""
    return [{"truth": truth, **counts} for truth, counts in evaluation.confusion.items()]


def write_csv(evaluation: Evaluation, path: Path) -> list[Path]:
    """Write the metrics to ``path`` and the confusion matrix next to it (``*_confusion.csv``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(METRIC_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(metric_rows(evaluation))
    written = [path]
    if evaluation.confusion:
        confusion_path = path.with_name(path.stem + "_confusion.csv")
        with confusion_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["truth", *evaluation.type_labels], lineterminator="\n")
            writer.writeheader()
            writer.writerows(confusion_rows(evaluation))
        written.append(confusion_path)
    return written

"""Classify policy documents the way the reviewed paper does: relevance, type, themes, instruments.

Public entry point::

    from cbec_policy.classify import classify_document
    c = classify_document(
        "关于跨境电子商务零售进口税收政策的通知", text, issuers=["财政部"], doc_number="财关税〔2016〕18号"
    )
    c.is_cbec, c.policy_type, c.themes, c.instruments, c.evidence

It uses the hybrid classifier with the trained model named ``default`` when one has been saved
(``cbec classify train``), and the lexicon alone otherwise, so it works with no training data.
"""

from __future__ import annotations

from collections.abc import Sequence

from cbec_policy.classify.base import (
    RELEVANCE_KEY,
    Classification,
    Classifier,
    Document,
    LabelledRecord,
    instrument_key,
    theme_key,
    type_key,
)
from cbec_policy.classify.labels_io import export_csv, import_labels, relabelled
from cbec_policy.classify.persist import load_model, model_path, save_model
from cbec_policy.classify.stored import apply_classification, classify_policies, needs_classification
from cbec_policy.classify.taxonomy import Taxonomy, load_taxonomy
from cbec_policy.classify.textcheck import require_chinese
from cbec_policy.classify.training import (
    bundled_records,
    load_zh_summaries,
    merge_records,
    negative_records,
    policy_document,
    researcher_labelled,
    training_records,
    user_records,
)
from cbec_policy.lazy import lazy_exports

# The lexicon, hybrid, trained and evaluation modules load numpy or scikit-learn: their names are
# imported on first use (name -> module; tests/test_architecture.py reads this map), so reading a
# document does not pay for them until it is classified.
_LAZY: dict[str, str] = {
    "METRIC_COLUMNS": "cbec_policy.classify.evaluate",
    "confusion_rows": "cbec_policy.classify.evaluate",
    "cross_validate": "cbec_policy.classify.evaluate",
    "in_sample_fit": "cbec_policy.classify.evaluate",
    "metric_rows": "cbec_policy.classify.evaluate",
    "write_csv": "cbec_policy.classify.evaluate",
    "evaluate_gold": "cbec_policy.classify.gold",
    "HybridClassifier": "cbec_policy.classify.hybrid",
    "default_classifier": "cbec_policy.classify.hybrid",
    "LexiconClassifier": "cbec_policy.classify.lexicon",
    "TrainedClassifier": "cbec_policy.classify.trained",
}

# The eager names, then every lazy one: the map is the one list of those.
__all__ = [
    "RELEVANCE_KEY",
    "Classification",
    "Classifier",
    "Document",
    "LabelledRecord",
    "Taxonomy",
    "apply_classification",
    "bundled_records",
    "classify_document",
    "classify_policies",
    "export_csv",
    "import_labels",
    "instrument_key",
    "load_model",
    "load_taxonomy",
    "load_zh_summaries",
    "merge_records",
    "model_path",
    "needs_classification",
    "negative_records",
    "policy_document",
    "relabelled",
    "require_chinese",
    "researcher_labelled",
    "save_model",
    "theme_key",
    "training_records",
    "type_key",
    "user_records",
    *_LAZY,
]

__getattr__ = lazy_exports(globals(), _LAZY)


def classify_document(
    title: str,
    text: str = "",
    issuers: Sequence[str] | None = None,
    doc_number: str | None = None,
) -> Classification:
    """Classify one document (evidence of the assigned labels); InputError for empty or non-Chinese input.

    The error names the document by its title (or "text" when there is none).
    """
    source = f"document {title.strip()[:40]!r}" if title and title.strip() else "text"
    require_chinese(f"{title}\n{text}", source)
    document = Document(title=title or "", text=text or "", issuers=tuple(issuers or ()), doc_number=doc_number)
    from cbec_policy.classify.hybrid import default_classifier  # deferred: loads scikit-learn only when needed

    # only the evidence of the labels given is kept: ingest stores it for every document
    return default_classifier().explain(document, evidence="assigned")

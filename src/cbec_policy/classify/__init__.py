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

from cbec_policy.classify.base import Classification, Classifier, Document, LabelledRecord
from cbec_policy.classify.labels_io import relabelled
from cbec_policy.classify.textcheck import require_chinese

__all__ = ["Classification", "Classifier", "Document", "LabelledRecord", "classify_document", "relabelled"]


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

"""The classifier a ``classify`` command asks for and the records it trains on.

Shared by ``cbec classify`` and ``cbec classify evaluate``, apart from both so that neither
command module imports the other.
"""

from __future__ import annotations

from typing import Any

from cbec_policy.cli.options import open_ready_store


def chosen_classifier(method: str, model: str | None) -> Any:
    """The classifier ``--method`` names (lexicon, trained or hybrid), with a saved model if ``model`` names one."""
    # start-up: the trained and hybrid classifiers bring scikit-learn
    from cbec_policy.classify import HybridClassifier, LexiconClassifier, default_classifier, load_model

    if method == "lexicon":
        return LexiconClassifier()
    if method == "trained":
        return load_model(model or "default")
    if model:
        return HybridClassifier(trained=load_model(model))
    return default_classifier()


def training_records(db_url: str | None, user_labels: bool, paper_types: bool = False) -> tuple[list[Any], int]:
    """Bundled policies and near-miss negatives, with the store's researcher labels applied (and their count)."""
    # start-up: the training records read every bundled policy
    from cbec_policy.classify import merge_records, user_records
    from cbec_policy.classify import training_records as bundled_and_negatives

    records = bundled_and_negatives(paper_types=paper_types)
    if not user_labels:
        return records, 0
    store = open_ready_store(db_url)
    try:
        users = user_records(store.list_policies())
    finally:
        store.close()
    return merge_records(records, users), len(users)

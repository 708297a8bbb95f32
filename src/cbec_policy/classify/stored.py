"""Classify stored policies: fill relevance, instruments and evidence, never overwrite coded facts.

A bundled policy's type and themes are verified reference data and a researcher's labels are
deliberate coding; the classifier only fills what is missing (and always relevance and
instruments where nobody coded them). Its full answer is kept in ``classification_evidence``
so that the predicted type and themes can still be compared with the coded ones. Pure
function: the caller reads from and writes to the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from cbec_policy.classify.base import Classification, Classifier
from cbec_policy.classify.training import load_zh_summaries, policy_document, researcher_labelled
from cbec_policy.models import Policy


def needs_classification(policy: Policy) -> bool:
    """True while the classifier has never filled the policy's relevance."""
    evidence = policy.classification_evidence or {}
    return policy.is_cbec is None or not (evidence.get("evidence") or evidence.get("classifier"))


def apply_classification(policy: Policy, result: Classification) -> Policy:
    """``policy`` with the classifier's answer filled in where nobody coded a value."""
    labelled = researcher_labelled(policy)
    answer: dict[str, Any] = result.to_dict()
    changes: dict[str, Any] = {}
    if labelled is None:
        changes["classification_evidence"] = answer
        coded = set()
    else:
        changes["classification_evidence"] = {**policy.classification_evidence, "classifier": answer}
        coded = labelled
    if "is_cbec" not in coded:
        # the bundled list holds national CBEC policies only: relevance is a fact there, not a guess
        changes["is_cbec"] = True if policy.source == "bundled" else result.is_cbec
    if "instruments" not in coded:
        changes["instruments"] = tuple(result.instruments)
    if "policy_type" not in coded and policy.policy_type is None:
        changes["policy_type"] = result.policy_type
    if "themes" not in coded and not policy.themes:
        changes["themes"] = tuple(result.themes)
    return replace(policy, **changes)


def classify_policies(
    policies: Iterable[Policy], classifier: Classifier, *, force: bool = False
) -> list[tuple[Policy, Policy]]:
    """(old, new) pairs for every policy that needed classification (all of them with ``force``)."""
    summaries = load_zh_summaries()
    pairs = []
    for policy in policies:
        if not force and not needs_classification(policy):
            continue
        result = classifier.explain(policy_document(policy, summaries))
        pairs.append((policy, apply_classification(policy, result)))
    return pairs

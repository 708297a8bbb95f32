"""A researcher's corrections of the machine: keep a document out of CBEC statistics, or remove it.

Excluding or including a document is a relabelling of its relevance, recorded as a researcher's
coding (so that reclassifying never undoes it); statistics read through
:meth:`Store.list_cbec_policies`, which leaves out what is judged not CBEC. Deleting is for
ingested documents only: bundled policies are reference data.
"""

from __future__ import annotations

from typing import Any

from cbec_policy.classify import relabelled
from cbec_policy.errors import InputError
from cbec_policy.models import Policy


def _stored(store: Any, policy_ref: str) -> Policy:
    policy = store.get_policy(policy_ref)
    if policy is None:
        raise InputError(f"policy {policy_ref!r}", "no stored policy with this id or document number")
    return policy


def set_relevance(store: Any, policy_ref: str, is_cbec: bool, source: str) -> tuple[Policy, str]:
    """Relabel a stored policy as CBEC (included) or not (excluded); returns it and the store outcome.

    ``source`` says where the correction came from (``cbec policies exclude``, the web API).
    """
    policy = _stored(store, policy_ref)
    updated = relabelled(policy, source, is_cbec=is_cbec)
    original = store.get_original_text(policy.id)
    return updated, store.save_policy(updated, original_text=original)


def delete_ingested(store: Any, policy_ref: str) -> Policy:
    """Remove an ingested document with its link rows and index entries; returns what was removed.

    Bundled policies are refused with InputError: one judged irrelevant is excluded, not deleted.
    """
    policy = _stored(store, policy_ref)
    if policy.source == "bundled":
        raise InputError(f"policy {policy.id!r}", "is bundled reference data and cannot be deleted (exclude it)")
    store.delete_policy(policy.id)
    return policy

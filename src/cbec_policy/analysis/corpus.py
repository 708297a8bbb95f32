"""Which policies a statistic counts: the one place that decides it.

National and local documents are kept apart in every statistic unless a caller asks for both,
and documents judged not CBEC (``Policy.is_cbec`` is False) stay searchable but leave CBEC
statistics. Every analysis selects its policies here, so a new exclusion rule is one edit.
"""

from __future__ import annotations

from collections.abc import Iterable

from cbec_policy.models import Policy

NATIONAL = "national"
LOCAL_LEVELS = frozenset({"provincial", "municipal", "district"})


def is_local(policy: Policy) -> bool:
    """Whether a policy was issued below the national level."""
    return policy.level in LOCAL_LEVELS


def cbec_policies(policies: Iterable[Policy], *, level: str = NATIONAL) -> list[Policy]:
    """The policies CBEC statistics count at ``level``: ``national``, ``local`` (every level below
    national), ``all``, or one exact level (``provincial``, ``municipal``, ``district``).

    A policy the classifier or a researcher marked as not CBEC (``is_cbec is False``) is left
    out; one not yet judged (``None``) counts, as every bundled document is CBEC by curation.
    """
    chosen = [p for p in policies if p.is_cbec is not False]
    if level == NATIONAL:
        return [p for p in chosen if p.level == NATIONAL]
    if level == "local":
        return [p for p in chosen if is_local(p)]
    if level == "all":
        return chosen
    return [p for p in chosen if p.level == level]

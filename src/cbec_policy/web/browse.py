"""The policy browser's query: the CLI's filters, full-text search, sort and pagination.

Shared by the HTML page and ``GET /api/policies`` so both give the same answer. Filter
values are checked against the vocabularies first, so a bad value is a clear error naming
the parameter; the search text only ever reaches the store as a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.labels import LEVELS, POLICY_TYPES, STATUSES, THEMES, find_label
from cbec_policy.models import Policy

SORTS = ("relevance", "date_desc", "date_asc", "title")
MAX_PER_PAGE = 100
SEARCH_LIMIT = 500  # hits fetched before filters and pagination; a browser never pages further
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class BrowseQuery:
    """What the user asked for; every field optional."""

    q: str = ""
    policy_type: str | None = None
    theme: str | None = None
    issuer: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None
    level: str | None = None
    in_force_on: date | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = 20

    def filters(self) -> dict[str, Any]:
        """The filters as ``store.list_policies`` keyword arguments (codes, not labels)."""
        return {
            "policy_type": find_label(POLICY_TYPES, self.policy_type, "type").code if self.policy_type else None,
            "theme": find_label(THEMES, self.theme, "theme").code if self.theme else None,
            "issuer": self.issuer or None,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "status": find_label(STATUSES, self.status, "status").code if self.status else None,
            "level": find_label(LEVELS, self.level, "level").code if self.level else None,
            "in_force_on": self.in_force_on,
        }

    def has_filters(self) -> bool:
        """Whether any filter (not the search text) is set."""
        return any(value is not None for value in self.filters().values())


@dataclass
class Row:
    """One result: the policy, and for a search its score and snippet."""

    policy: Policy
    score: float | None = None
    snippet: str | None = None


@dataclass
class BrowseResult:
    """One page of results and what is needed to draw the pager."""

    rows: list[Row]
    total: int
    page: int
    per_page: int
    sort: str
    truncated: bool = False  # more hits exist than were fetched: ``total`` is a lower bound
    query: BrowseQuery = field(default_factory=BrowseQuery)

    @property
    def pages(self) -> int:
        """Number of pages (at least 1); when truncated, at least one page beyond this one."""
        known = max(1, -(-self.total // self.per_page))
        return max(known, self.page + 1) if self.truncated else known


def validate(query: BrowseQuery) -> BrowseQuery:
    """Raise :class:`InputError` naming the parameter for any value out of range."""
    if len(query.q) > MAX_QUERY_LENGTH:
        raise InputError("q", f"search text longer than {MAX_QUERY_LENGTH} characters")
    if query.sort is not None and query.sort not in SORTS:
        raise InputError("sort", f"unknown sort {query.sort!r}; accepted: {', '.join(SORTS)}")
    if query.page < 1:
        raise InputError("page", "must be 1 or more")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise InputError("per_page", f"must be between 1 and {MAX_PER_PAGE}")
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise InputError("date_from", "is after date_to")
    query.filters()  # raises for an unknown type, theme, status or level
    return query


def _sort(rows: list[Row], sort: str) -> list[Row]:
    if sort == "relevance":
        return sorted(rows, key=lambda row: -(row.score or 0.0))
    if sort == "title":
        return sorted(rows, key=lambda row: row.policy.title)
    newest_first = sort == "date_desc"
    dated = [row for row in rows if row.policy.publish_date is not None]
    undated = [row for row in rows if row.policy.publish_date is None]  # unknown dates last either way
    dated.sort(key=lambda row: (row.policy.publish_date, row.policy.id), reverse=newest_first)
    return dated + undated


def browse(store: Any, query: BrowseQuery) -> BrowseResult:
    """Run ``query`` against ``store`` (the store API) and return the requested page."""
    validate(query)
    text = query.q.strip()
    truncated = False
    if text:
        sort = query.sort or "relevance"
        if sort == "relevance" and not query.has_filters():
            # The store ranks hits: fetch only up to this page (+1 to know whether more exist),
            # so a common word over a large corpus costs one page, not every hit.
            wanted = query.page * query.per_page
            hits = store.search(text, limit=min(SEARCH_LIMIT, wanted + 1))
            truncated = len(hits) > wanted or len(hits) >= SEARCH_LIMIT
            hits = hits[:wanted]
        else:
            hits = store.search(text, limit=SEARCH_LIMIT)
            truncated = len(hits) >= SEARCH_LIMIT
        rows = [Row(hit.policy, hit.score, hit.snippet) for hit in hits]
        if query.has_filters():
            allowed = {policy.id for policy in store.list_policies(**query.filters())}
            rows = [row for row in rows if row.policy.id in allowed]
    else:
        rows = [Row(policy) for policy in store.list_policies(**query.filters())]
        sort = query.sort if query.sort and query.sort != "relevance" else "date_desc"
    rows = _sort(rows, sort)
    start = (query.page - 1) * query.per_page
    return BrowseResult(
        rows=rows[start : start + query.per_page],
        total=len(rows),
        page=query.page,
        per_page=query.per_page,
        sort=sort,
        truncated=truncated,
        query=query,
    )

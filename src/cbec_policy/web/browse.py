"""The policy browser's query: the CLI's filters, field search, sort and pagination.

Shared by the HTML page, ``GET /api/policies`` and the export so all give the same answer.
Filter values are checked against the vocabularies first, so a bad value is a clear error
naming the parameter; the search text only ever reaches the store as bound parameters.
A plain list pages by key (``after`` = the last row's cursor): page 500 costs what page 1
costs. A search is ranked, so it pages by number over at most :data:`SEARCH_LIMIT` hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.query import parse_query
from cbec_policy.store import PolicyBrief, PolicyFilters, cursor_of

SORTS = ("relevance", "date_desc", "date_asc", "title")
MAX_PER_PAGE = 100
SEARCH_LIMIT = 500  # hits fetched before sorting and pagination; a browser never pages further
EXPORT_LIMIT = 5000
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
    region: str | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = 20
    after: str | None = None

    def filters(self) -> PolicyFilters:
        """The filters, vocabulary values checked and turned into codes."""
        try:
            return PolicyFilters(
                policy_type=self.policy_type, theme=self.theme, issuer=self.issuer, date_from=self.date_from,
                date_to=self.date_to, status=self.status, level=self.level, in_force_on=self.in_force_on,
                region=self.region,
            ).checked()  # fmt: skip
        except InputError as exc:
            # Name the parameter as the request spells it (type=, not "policy type").
            name = "type" if exc.source == "policy type" else exc.source
            raise InputError(name, exc.reason) from None


@dataclass
class Row:
    """One result: the policy's brief record, and for a search its score and snippet."""

    policy: PolicyBrief
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
    status_counts: dict[str, int] = field(default_factory=dict)
    next_cursor: str | None = None  # keyset pages: the cursor of the next page

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
    filters = query.filters()
    parsed = parse_query(query.q) if query.q.strip() else None
    if parsed:
        sort = query.sort or "relevance"
        wanted = query.page * query.per_page
        # Ranked by the store: fetch only up to this page (+1 to know whether more exist),
        # unless another order needs every hit.
        limit = min(SEARCH_LIMIT, wanted + 1) if sort == "relevance" else SEARCH_LIMIT
        hits = store.search(parsed, limit=limit, filters=filters)
        truncated = len(hits) > wanted or len(hits) >= SEARCH_LIMIT
        rows = _sort([Row(hit.policy, hit.score, hit.snippet) for hit in hits], sort)
        if sort == "relevance":
            rows = rows[:wanted]
        start = (query.page - 1) * query.per_page
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.policy.status] = counts.get(row.policy.status, 0) + 1
        return BrowseResult(
            rows=rows[start : start + query.per_page], total=len(rows), page=query.page, per_page=query.per_page,
            sort=sort, truncated=truncated, query=query, status_counts=counts,
        )  # fmt: skip
    sort = query.sort if query.sort in ("date_asc", "date_desc") else "date_desc"
    if query.sort == "title":
        raise InputError("sort", "title order needs search words (q); lists are ordered by date")
    # A cursor continues after a row; without one, a numbered page is an offset.
    offset = 0 if query.after else (query.page - 1) * query.per_page
    briefs = store.list_briefs(filters, order=sort, after=query.after, limit=query.per_page + 1, offset=offset)
    more = len(briefs) > query.per_page
    briefs = briefs[: query.per_page]
    counts = store.count_by_status(filters)
    return BrowseResult(
        rows=[Row(brief) for brief in briefs], total=sum(counts.values()), page=query.page,
        per_page=query.per_page, sort=sort, query=query, status_counts=counts,
        next_cursor=cursor_of(briefs[-1], sort) if more and briefs else None,
    )  # fmt: skip


def export_briefs(store: Any, query: BrowseQuery) -> list[PolicyBrief]:
    """Every policy of the query (up to :data:`EXPORT_LIMIT`), in the page's order, for an export."""
    validate(query)
    filters = query.filters()
    if query.q.strip():
        hits = store.search(parse_query(query.q), limit=SEARCH_LIMIT, filters=filters)
        rows = _sort([Row(hit.policy, hit.score, hit.snippet) for hit in hits], query.sort or "relevance")
        return [row.policy for row in rows]
    order = query.sort if query.sort in ("date_asc", "date_desc") else "date_desc"
    return store.list_briefs(filters, order=order, limit=EXPORT_LIMIT)

"""Lean reads for lists and searches: one query builds a page of small hits, never whole policies.

A result list shows a title, a number, issuers, dates, status, type, themes and a snippet. Loading
full texts, evidence and relations for it (what a policy page needs) made every list and
search cost several milliseconds per page; here the issuers and themes come from correlated
aggregates in the same statement, and snippets from the search index (FTS5 ``snippet()``) or a
window of the text cut inside the database. Lists page by key (publish date, id), not by
offset, so page 500 costs what page 1 costs.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, String, and_, bindparam, cast, func, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from cbec_policy.errors import InputError
from cbec_policy.query import SearchQuery, has_letter_case
from cbec_policy.store import schema as s
from cbec_policy.store.filters import PolicyFilters, filter_condition
from cbec_policy.store.records import PolicyBrief, SearchHit
from cbec_policy.store.search import make_snippet, search_ids

_p = s.policies.c
_SEP_ITEM, _SEP_POS = "\x1f", "\x1e"
# Keyset order keys: unknown publish dates sort after every known one in either direction.
_LATE, _EARLY = date(9999, 12, 31), date(1, 1, 1)
ORDERS = ("date_desc", "date_asc")


def _aggregate(dialect: str, value: Any, position: Any) -> Any:
    """``position<RS>value`` items joined by US, in one aggregate portable to both backends."""
    item = cast(position, String) + _SEP_POS + value
    if dialect == "sqlite":
        return func.group_concat(item, _SEP_ITEM)
    return func.string_agg(item, _SEP_ITEM)


def _brief_columns(conn: Connection) -> list[Any]:
    return list(_brief_columns_of(conn.dialect.name))


# Statements of a fixed shape are built once, their values bound at each call: on SQLite,
# building a statement and its cache key costs more than running a small query.
@lru_cache(maxsize=4)
def _brief_columns_of(dialect: str) -> tuple[Any, ...]:
    issuers, themes, departments = s.policy_issuers.c, s.policy_themes.c, s.departments.c
    issuer_list = (
        select(_aggregate(dialect, departments.name, issuers.position))
        .select_from(s.policy_issuers.join(s.departments, departments.id == issuers.department_id))
        .where(issuers.policy_id == _p.id)
        .scalar_subquery()
    )
    theme_list = select(_aggregate(dialect, themes.theme, themes.position)).where(themes.policy_id == _p.id)
    return (
        _p.id, _p.title, _p.doc_number, _p.publish_date, _p.effective_date, _p.end_date, _p.status, _p.level,
        _p.region, _p.policy_type, _p.is_cbec, _p.summary,
        issuer_list.label("issuer_list"), theme_list.scalar_subquery().label("theme_list"),
    )  # fmt: skip


@lru_cache(maxsize=4)
def _briefs_by_id_statement(dialect: str) -> Select:
    return select(*_brief_columns_of(dialect)).where(_p.id.in_(bindparam("ids", expanding=True)))


def _split(aggregate: str | None) -> tuple[str, ...]:
    if not aggregate:
        return ()
    items = []
    for item in aggregate.split(_SEP_ITEM):
        position, _, value = item.partition(_SEP_POS)
        items.append((int(position), value))
    return tuple(value for _, value in sorted(items))


def _brief(row: Any) -> PolicyBrief:
    return PolicyBrief(
        id=row.id, title=row.title, doc_number=row.doc_number, issuers=_split(row.issuer_list),
        publish_date=row.publish_date, effective_date=row.effective_date, end_date=row.end_date,
        status=row.status, level=row.level, region=row.region, policy_type=row.policy_type,
        themes=_split(row.theme_list), is_cbec=row.is_cbec, summary=row.summary or "",
    )  # fmt: skip


def briefs_by_id(conn: Connection, ids: list[str]) -> dict[str, PolicyBrief]:
    """The lean records of ``ids`` in one query."""
    if not ids:
        return {}
    rows = conn.execute(_briefs_by_id_statement(conn.dialect.name), {"ids": ids}).all()
    return {row.id: _brief(row) for row in rows}


# The keys as written in the expression indexes of store.tallies (the same text, so the
# database walks an index instead of sorting every policy): literals, not bound parameters.
_EARLY_SQL, _LATE_SQL = (literal_column(f"'{day.isoformat()}'") for day in (_EARLY, _LATE))


def _sort_key(order: str) -> tuple[Any, Any]:
    if order == "date_desc":
        return func.coalesce(_p.publish_date, _EARLY_SQL), _p.id
    return func.coalesce(_p.publish_date, _LATE_SQL), _p.id


def parse_cursor(cursor: str | None, what: str = "after") -> tuple[date, str] | None:
    """``YYYY-MM-DD~id`` (as returned with a page) → the key to continue after; InputError if malformed."""
    if not cursor:
        return None
    day, sep, policy_id = cursor.partition("~")
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        parsed = None
    if not sep or not policy_id or parsed is None:
        raise InputError(what, f"not a page cursor: {cursor!r} (expected DATE~ID as returned with a page)")
    return parsed, policy_id


def cursor_of(brief: PolicyBrief, order: str) -> str:
    """The cursor that continues a list after ``brief``."""
    day = brief.publish_date or (_EARLY if order == "date_desc" else _LATE)
    return f"{day.isoformat()}~{brief.id}"


def list_briefs(
    conn: Connection,
    filters: PolicyFilters,
    *,
    order: str = "date_desc",
    after: tuple[date, str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[PolicyBrief]:
    """One page of policies matching ``filters`` in publish-date order, continuing after the key ``after``.

    ``offset`` serves numbered pages (page 3 of 9); a cursor costs the same on every page.
    """
    if order not in ORDERS:
        raise InputError("sort", f"unknown order {order!r}; accepted: {', '.join(ORDERS)}")
    day_key, id_key = _sort_key(order)
    statement = select(*_brief_columns(conn)).where(filter_condition(conn, filters))
    if after is not None:
        day, policy_id = after
        if order == "date_desc":
            statement = statement.where(or_(day_key < day, and_(day_key == day, id_key < policy_id)))
        else:
            statement = statement.where(or_(day_key > day, and_(day_key == day, id_key > policy_id)))
    if order == "date_desc":
        statement = statement.order_by(day_key.desc(), id_key.desc())
    else:
        statement = statement.order_by(day_key, id_key)
    return [_brief(row) for row in conn.execute(statement.limit(limit).offset(offset or None)).all()]


def count_by_status(conn: Connection, filters: PolicyFilters) -> dict[str, int]:
    """How many policies match ``filters``, per status code (each status counted on its own)."""
    statement = (
        select(_p.status, func.count()).where(filter_condition(conn, filters)).group_by(_p.status).order_by(_p.status)
    )
    return {status: int(count) for status, count in conn.execute(statement).all()}


def _text_windows(conn: Connection, ids: list[str], form: str) -> dict[str, str]:
    """A window of each policy's full text around the first occurrence of ``form``, cut in the database."""
    # Folding the case of a 10 KB text costs more than finding the word: only when it has case.
    statement = _text_window_statement(conn.dialect.name, has_letter_case(form))
    rows = conn.execute(statement, {"ids": ids, "form": form.lower()}).all()
    return {row[0]: row[1] for row in rows if row[2] and row[2] > 0}


@lru_cache(maxsize=8)
def _text_window_statement(dialect: str, fold_case: bool) -> Select:
    width = 80
    haystack = func.lower(_p.full_text) if fold_case else _p.full_text
    form = bindparam("form", type_=String)
    if dialect == "sqlite":
        at = func.instr(haystack, form)
        start = func.max(1, at - width // 3)
    else:
        at = func.strpos(haystack, form)
        start = func.greatest(1, at - width // 3)
    window = func.substr(_p.full_text, start, width)
    return select(_p.id, window, at).where(_p.id.in_(bindparam("ids", expanding=True)), _p.full_text.is_not(None))


def search_briefs(conn: Connection, query: SearchQuery, filters: PolicyFilters, limit: int) -> list[SearchHit]:
    """Ranked hits of ``query`` among the policies matching ``filters``: lean records with snippets."""
    where: ColumnElement[bool] | None = None
    if filters or query.issuers:
        where = filter_condition(conn, filters, query.issuers)
    if not query.terms:
        # Only issuer: words: the filtered list, newest first.
        statement = select(*_brief_columns(conn)).where(where if where is not None else filter_condition(conn, filters))
        rows = conn.execute(statement.order_by(_p.publish_date.desc(), _p.id.desc()).limit(limit)).all()
        return [SearchHit(_brief(row), 0.0, "") for row in rows]
    scored = search_ids(conn, query, limit, where)
    if not scored:
        return []
    ids = [policy_id for policy_id, _ in scored]
    briefs = briefs_by_id(conn, ids)
    forms = query.highlight_forms
    snippets: dict[str, str] = {}
    short_fields = {i: [b.title, b.doc_number or "", b.summary] for i, b in briefs.items()}
    for policy_id in ids:
        if policy_id in briefs:
            snippet = make_snippet(forms, short_fields[policy_id])
            if "【" in snippet:
                snippets[policy_id] = snippet
    missing = [i for i in ids if i not in snippets and i in briefs]
    if missing:
        # A window of the full text cut by the database around the first occurrence, on both
        # backends: FTS5's snippet() re-tokenises each 10 KB text (about 1 ms a hit, most of a
        # common word's search), and the two backends now show the same snippet. Forms without
        # letter case are looked for first (folding the case of every text costs more than
        # the search), and the looking stops once every hit has its window.
        for form in sorted(forms, key=has_letter_case):
            wanting = [i for i in missing if i not in snippets]
            if not wanting:
                break
            for policy_id, window in _text_windows(conn, wanting, form).items():
                snippets[policy_id] = make_snippet(forms, [window])
    return [
        SearchHit(briefs[i], round(score, 4), snippets.get(i) or make_snippet(forms, short_fields[i]))
        for i, score in scored
        if i in briefs
    ]

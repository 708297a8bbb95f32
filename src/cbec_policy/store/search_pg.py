"""PostgreSQL search by tiers, each cut at the limit inside the server: title first, then summary, then text.

Ranking every body match at once (a ``CASE`` over title, summary and text for each matching
row, then ``ORDER BY``) made a word found in most of 100,000 documents cost a recheck of every
matching 10 KB body: tens of milliseconds and growing with the corpus. The tiers of
:mod:`cbec_policy.store.search` are strict (every title hit ranks above every summary hit,
which ranks above every text-only hit), so each tier is its own query, run only while fewer
than ``limit`` hits are found:

1. every word in the title or document number, the shortest titles first (the share of the
   title the words make up): a common word's first page from the first few dozen titles of
   that order (an index on the title's length), which stops at the page instead of ranking
   thousands; a rare word's few matches from the pg_trgm GIN indexes of those short columns;
2. every word in title, number or summary (the summary's own trigram index), likewise;
3. the words anywhere, newest first: the newest few hundred candidates' bodies read one by one
   (a common word's page is among them), else the trigram index of ``policy_search.body``.

Which way a word takes is decided here, by looking, not left to the planner: it cannot tell
a rare Chinese word from a common one, nor see what reading a body costs, and it chose whole
walks and whole scans for words found nowhere (seconds at 100,000 policies; see
:func:`by_trigram_index`).

A word of one or two characters has no trigram: the tiers holding one walk the policies
newest first and stop at the limit (a common short word costs a page of rows).

A word common in titles fills the first tier from short columns alone; a word common only in
the bodies costs a page of bodies; the body index rechecks the candidates of rare words alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import TypeVar

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from cbec_policy.query import Term, has_letter_case
from cbec_policy.store import schema as s
from cbec_policy.store.filters import like_pattern

_pg_search = table("policy_search", column("policy_id"), column("body"))
_p = s.policies.c

# The trigram index of the search body (title, number, summary and full text; store.search).
BODY_INDEX = "ix_policy_search_body"
# Trigram indexes of the short columns, so the title and summary tiers never read a body.
SHORT_INDEXES = {
    "ix_policies_title_trgm": "title",
    "ix_policies_doc_number_trgm": "doc_number",
    "ix_policies_summary_trgm": "summary",
}


def ensure_short_indexes(conn: Connection) -> None:
    """Create the trigram indexes of the short columns and the two orders' indexes if missing (idempotent).

    The newest-first index serves the walks of the text tier; the title-length index is the
    order of the title and summary tiers (shortest title first, then newest), so a word found
    in most titles costs the first few dozen rows of that order, not a sort of every match.
    """
    for name, column_name in SHORT_INDEXES.items():
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON policies USING gin ({column_name} gin_trgm_ops)")
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_policies_newest ON policies (publish_date DESC NULLS LAST, id DESC)"
    )
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_policies_title_length"
        " ON policies (char_length(title), publish_date DESC NULLS LAST, id DESC)"
    )


def fold_pending_entries(conn: Connection) -> int:
    """Move the entries still pending in the trigram indexes into their trees; pages folded.

    A GIN index takes new entries into a pending list (up to 4 MB by default), and every
    search through it reads that whole list besides the tree: after a large ingest this
    cost a rare word's search on 100,000 policies about 35 of its 50 ms, until the server's
    own vacuum folds the list, which after an insert-only run can be a long wait. A writer
    of many documents calls this once at its end (the same work the next flush would have
    done, only sooner). Not the tables' owner, or a server in recovery: nothing is folded,
    searches only stay slower, and 0 is returned.
    """
    folded = 0
    for name in (BODY_INDEX, *SHORT_INDEXES):
        try:
            with conn.begin_nested():
                folded += int(conn.execute(_FOLD, {"index": name}).scalar() or 0)
        except SQLAlchemyError:
            return folded
    return folded


_FOLD = text("SELECT gin_clean_pending_list(CAST(:index AS regclass))")


def _contains(column_: ColumnElement[str], form: str) -> ColumnElement[bool]:
    """``column`` holds ``form``: LIKE for a form without letter case (Chinese, digits), else ILIKE.

    Both are served by the trigram index, but every candidate is rechecked, and ILIKE folds
    the case of the whole title for each comparison: three times the cost on common words.
    """
    return _like(column_, like_pattern(form), has_letter_case(form))


def _like(column_: ColumnElement[str], pattern: object, has_case: bool) -> ColumnElement[bool]:
    """``column LIKE pattern`` (ILIKE when the form has letter case), backslash escaping."""
    return (column_.ilike if has_case else column_.like)(pattern, escape="\\")


_NEWEST = (_p.publish_date.desc().nulls_last(), _p.id.desc())
# One term's shape in a built statement: the columns a field word is bound to (None: the
# tier's), and for each form whether it has letter case (ILIKE) or not (LIKE).
TermShape = tuple[tuple[str, ...] | None, tuple[bool, ...]]


# How a title or summary tier's statement picks its candidates (see _short_column_tier).
ALL, WALK, PROBE = "all", "walk", "probe"
TierKey = tuple[int, tuple[str, ...], tuple[TermShape, ...], bool, bool]


def _tier_statement(key: TierKey, mode: str, where: ColumnElement[bool] | None) -> Select:
    """The statement of a title or summary tier in ``mode``, filtered by ``where``: built once when unfiltered."""
    if where is None:
        return _unfiltered_tier_statement(key, mode)
    return _build_tier_statement(key, mode, where)


@lru_cache(maxsize=256)
def _unfiltered_tier_statement(key: TierKey, mode: str) -> Select:
    # Building the statement and its cache key cost about as much Python as the whole search's rows.
    return _build_tier_statement(key, mode, None)


def _build_tier_statement(key: TierKey, mode: str, where: ColumnElement[bool] | None) -> Select:
    """The title or summary tier's query for words of ``key``'s shape, to be bound at each search.

    ``key`` is (tier, its columns, the words' shape, whether a word is short, whether ids
    are already taken). Form ``j`` of word ``i`` is bound as ``f{i}_{j}`` (a LIKE pattern),
    the words' length as ``words``, the ids already found as ``taken`` and the page as
    ``wanted``. The hits come in the tier's order, at most ``wanted`` of them (``probe`` for a probe), from:

    * ``ALL``: every policy (the trigram indexes, or a walk of the whole order);
    * ``WALK``: the stretch of ``rows`` policies of the tier's order (shortest title first,
      then newest) from row ``start``;
    * ``PROBE``: the first ``probe`` matches the server finds (not the first of the order),
      then sorted: a word with fewer matches than that has them all here.
    """
    tier, columns, shape, short, skip = key
    every_term = and_(
        *(
            or_(
                *(
                    _like(_p[c], bindparam(f"f{i}_{j}", type_=String), has_case)
                    for j, has_case in enumerate(cases)
                    for c in (bound or columns)
                )
            )
            for i, (bound, cases) in enumerate(shape)
        )
    )
    conditions = [every_term]
    if skip:
        conditions.append(_p.id.not_in(bindparam("taken", expanding=True)))
    if where is not None:
        conditions.append(where)
    length = func.char_length(_p.title)
    if mode == PROBE:
        matches = select(_p.id).where(*conditions).limit(bindparam("probe", type_=Integer))
        conditions = [_p.id.in_(matches)]
    elif mode == WALK:
        # Any stretch of the order will do, filtered or not: the hits found in it are the
        # first hits of that stretch of the whole order, and the filters are tested on them.
        ordered = s.policies.alias("ordered")
        stretch = select(ordered.c.id).order_by(
            func.char_length(ordered.c.title), ordered.c.publish_date.desc().nulls_last(), ordered.c.id.desc()
        )
        stretch = stretch.offset(bindparam("start", type_=Integer)).limit(bindparam("rows", type_=Integer))
        conditions.append(_p.id.in_(stretch))
    words = bindparam("words", type_=Integer)
    # Within a tier, the share of the title that the words make up: for a title holding the
    # words this orders as pg_trgm's similarity() does (the query's trigrams over the title's),
    # without extracting trigrams from every candidate title (twice the cost of finding them).
    # The rows are ordered by the title's length itself, which the share never rises along,
    # so the order is the index's (ix_policies_title_length) and the scores come out sorted.
    similarity = cast(words, Float) / func.greatest(length, words)
    score = (literal(float(tier)) if short else tier + similarity * 0.5).label("score")
    statement = select(_p.id, score).where(and_(*conditions))
    statement = statement.order_by(*_NEWEST) if short else statement.order_by(length, *_NEWEST)
    # A probe returns every match it found, one more than the page when there are more.
    return statement.limit(bindparam("probe" if mode == PROBE else "wanted", type_=Integer))


def _short_column_tier(
    conn: Connection, key: TierKey, where: ColumnElement[bool] | None, values: dict[str, object], wanted: int
) -> list[tuple[str, float]]:
    """The first ``wanted`` hits of a title or summary tier, by the cheapest exact way for the word.

    Left to itself, the planner walked the whole title-length order for a word found in no
    title (it cannot tell how rare a Chinese word is): 0.4 s at 100,000 policies. So the tier
    finds its hits as the text tier does (:func:`_cheapest_exact`), looking along its own
    order (shortest title first) and probing the trigram indexes of the short columns. A
    query with a short word has no trigram: it walks the policies newest first to the page
    (the only way there is).
    """
    if key[3]:  # a short word
        return _tier_hits(conn, _tier_statement(key, ALL, where), values)

    def look(start: int, stop: int, count: int) -> list[tuple[str, float]]:
        stretch = {**values, "start": start, "rows": stop - start, "wanted": count}
        return _tier_hits(conn, _tier_statement(key, WALK, where), stretch)

    return _cheapest_exact(
        conn,
        wanted,
        look,
        lambda: _tier_hits(conn, _tier_statement(key, PROBE, where), {**values, "probe": wanted + 1}),
        lambda: _tier_hits(conn, _tier_statement(key, ALL, where), values),
    )


Hit = TypeVar("Hit")


def _cheapest_exact(
    conn: Connection,
    wanted: int,
    look: Callable[[int, int, int], list[Hit]],
    probe: Callable[[], list[Hit]],
    every: Callable[[], list[Hit]],
) -> list[Hit]:
    """The first ``wanted`` hits of a tier in its order, found the cheapest exact way for the word.

    ``look(start, stop, count)`` gives the first ``count`` hits among rows ``start`` to
    ``stop`` of the tier's order; ``probe()`` the hits among the first ``wanted + 1`` matches
    the trigram indexes give, sorted; ``every()`` the first ``wanted`` of all matches. A
    common word's page lies among the first few dozen rows of the order, and the first look
    finds it. A rare word's matches come from the indexes at once, while a look would read
    rows that hold none of it: when the first look falls short, the probe asks for one match
    more than the page, and when there is no more, those are every hit. Only a word between
    the two (more matches than a page, too few early in the order) reads the longer stretch
    and then every match. The probe and every match are asked of the trigram indexes
    (:func:`by_trigram_index`).
    """
    cap = max(WALK_MIN, WALK_PER_HIT * wanted)
    first = min(max(FIRST_MIN, FIRST_PER_HIT * wanted), cap)
    looked = look(0, first, wanted)
    if len(looked) == wanted:
        return looked
    with by_trigram_index(conn):
        few = probe()
    if len(few) <= wanted:
        return few
    looked += look(first, cap, wanted - len(looked))
    if len(looked) == wanted:
        return looked
    with by_trigram_index(conn):
        return every()


def _tier_hits(conn: Connection, statement: Select, values: dict[str, object]) -> list[tuple[str, float]]:
    return [(row[0], float(row[1])) for row in conn.execute(statement, values)]


# The scans the planner must not choose for a lookup by the trigram indexes: a whole table
# read row by row, or in the order of a b-tree index (with or without the table's rows).
_WHOLE_SCANS = ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan")
# Read the settings and switch those scans off, in one round trip; then put them back.
_SCANS_OFF = text(
    "SELECT "
    + ", ".join(f"current_setting('{name}')" for name in _WHOLE_SCANS)
    + ", "
    + ", ".join(f"set_config('{name}', 'off', true)" for name in _WHOLE_SCANS)
)
_SCANS_BACK = text("SELECT " + ", ".join(f"set_config('{name}', :{name}, true)" for name in _WHOLE_SCANS))


@contextmanager
def by_trigram_index(conn: Connection) -> Iterator[None]:
    """Have the statements of the block find their rows through the trigram (GIN) indexes.

    The planner prices a scan of ``policy_search`` by its main table, a few hundred pages,
    while each of its 10 KB bodies lies compressed in the TOAST table and is read and
    decompressed for every row tested; nor can it tell a rare Chinese word from a common one
    (no statistics on such long values). So it chose to scan every body for a word found in
    none (10 s at 100,000 policies) over the body index (6 ms), and to walk an order's index
    to its end. Sequential scans and scans along a b-tree index (plain or index-only) are
    switched off for the block, which leaves the bitmap scans of the trigram indexes
    (primary keys are then read by bitmap too). Settings are local to the caller's
    transaction (a search runs in one) and put back after the block, so the reads that
    follow plan as usual; an error rolls them back.
    """
    previous = conn.execute(_SCANS_OFF).one()[: len(_WHOLE_SCANS)]
    yield
    conn.execute(_SCANS_BACK, dict(zip(_WHOLE_SCANS, previous, strict=True)))


def _any_form(term: Term, columns: tuple[str, ...]) -> ColumnElement[bool]:
    # No coalesce around the column: a NULL number simply does not match, and the bare column
    # is what lets the planner use its trigram index.
    return or_(*(_contains(_p[c], f) for f in term.forms for c in columns))


def postgresql_search(
    conn: Connection,
    terms: tuple[Term, ...],
    limit: int,
    where: ColumnElement[bool] | None,
    tiers: tuple[tuple[int, tuple[str, ...]], ...],
) -> list[tuple[str, float]]:
    """Ids and scores of at most ``limit`` hits, tier by tier (see the module docstring).

    ``tiers`` are the shared ranking tiers of :mod:`cbec_policy.store.search`, best first; the
    last one (every column) is served by the body index. Scores are the tier plus half the
    share of the title the words make up on the title and summary tiers, and the bare tier where hits come newest
    first (the text tier, and every tier of a query with a short word), so sorting by score
    keeps the order the server gave.
    """
    found: list[tuple[str, float]] = []
    extra = [where] if where is not None else []
    # A word of one or two characters has no trigram, so no index finds it: those tiers then
    # walk the policies newest first (the date index) and stop at the limit, as SQLite's LIKE
    # path does, instead of scoring every title of the corpus for similarity.
    short = any(len(form) < 3 for term in terms for form in term.forms)
    words = sum(len(t.forms[0]) for t in terms)  # for the share of the title they make up (_tier_statement)
    shape = tuple((t.columns if t.field else None, tuple(has_letter_case(f) for f in t.forms)) for t in terms)
    forms = {f"f{i}_{j}": like_pattern(form) for i, term in enumerate(terms) for j, form in enumerate(term.forms)}
    for tier, columns in tiers[:-1]:
        wanted = limit - len(found)
        if wanted <= 0:
            return found
        values = {**forms, "words": words, "taken": [policy_id for policy_id, _ in found], "wanted": wanted}
        found.extend(_short_column_tier(conn, (tier, columns, shape, short, bool(found)), where, values, wanted))
    wanted = limit - len(found)
    if wanted <= 0:
        return found
    body = _pg_search.c.body
    in_body = [or_(*(_contains(body, f) for f in t.forms)) for t in terms]
    in_policy = [_any_form(t, t.columns) for t in terms if t.field] + extra
    if found:
        in_policy.append(_p.id.not_in([policy_id for policy_id, _ in found]))
    text_tier = float(tiers[-1][0])
    found.extend((policy_id, text_tier) for policy_id in _text_tier(conn, terms, in_body, in_policy, wanted))
    return found


# How many of the newest candidate policies the text tier reads before it asks the body index
# instead: WALK_PER_HIT per hit still wanted, at least WALK_MIN; the first look reads
# FIRST_PER_HIT per hit, at least FIRST_MIN.
WALK_PER_HIT, WALK_MIN = 20, 400
FIRST_PER_HIT, FIRST_MIN = 2, 40


def _text_tier(
    conn: Connection,
    terms: tuple[Term, ...],
    in_body: list[ColumnElement[bool]],
    in_policy: list[ColumnElement[bool]],
    wanted: int,
) -> list[str]:
    """The first ``wanted`` hits of the text tier, newest first: by the cheapest exact way for the word.

    A common word's page lies among the newest policies (:func:`_newest_walk`), and the first
    look at a few dozen of them finds it. A rare word's hits are found by the body index at
    once (about a millisecond), while a walk would read hundreds of bodies that hold none of
    it (90 ms at 100,000 policies). How the two are combined is :func:`_cheapest_exact`.
    """

    @cache
    def matching() -> Select:  # built only when the first look falls short, and once
        joined = select(_p.id).select_from(s.policies.join(_pg_search, _pg_search.c.policy_id == _p.id))
        return joined.where(and_(*in_body, *in_policy))

    def probe() -> list[str]:
        few = matching().limit(wanted + 1).subquery("few")
        return [row[0] for row in conn.execute(select(_p.id).where(_p.id.in_(select(few.c.id))).order_by(*_NEWEST))]

    return _cheapest_exact(
        conn,
        wanted,
        lambda start, stop, count: _newest_walk(conn, terms, in_policy, count, start, stop),
        probe,
        # Too few among the newest: the body index, every hit rechecked, newest first.
        lambda: [row[0] for row in conn.execute(matching().order_by(*_NEWEST).limit(wanted))],
    )


def _newest_walk(
    conn: Connection, terms: tuple[Term, ...], in_policy: list[ColumnElement[bool]], wanted: int, start: int, stop: int
) -> list[str]:
    """The first ``wanted`` text-tier hits, newest first, among the newest candidates ``start`` to ``stop``.

    The body index finds every body holding the words, and the server rechecks each one (a
    10 KB body) before it can pick the newest: a word found in most documents cost a
    recheck of nearly every body (220 ms at 10,000 policies), and the planner cannot see it
    coming (pg_trgm estimates one row for any Chinese word). A common word's first page lies
    among the newest few hundred policies, so this reads the newest candidates (the
    policies passing the filters and the field words, from the newest-first index), then
    their bodies one by one by primary key (a lateral subquery, which the planner cannot
    turn back into a join with the body index), and stops at the page.

    The answer is exact: the walk reads a stretch of the very order the tier is sorted by, so
    the hits it finds are the first hits of that stretch, and stretches read one after the
    other give the first hits of the whole order.
    """
    prefix = (
        select(_p.id.label("id"), _p.publish_date.label("day"))
        .where(*in_policy)
        .order_by(*_NEWEST)
        .offset(start)
        .limit(stop - start)
        .subquery("newest")
    )
    # OFFSET 0 keeps the subquery a subquery: one body read by primary key per candidate.
    bodies = select(_pg_search.c.body).where(_pg_search.c.policy_id == prefix.c.id).offset(0).lateral("bodies")
    statement = (
        select(prefix.c.id)
        .select_from(prefix.join(bodies, true()))
        .where(*(or_(*(_contains(bodies.c.body, f) for f in t.forms)) for t in terms))
        .order_by(prefix.c.day.desc().nulls_last(), prefix.c.id.desc())
        .limit(wanted)
    )
    return [row[0] for row in conn.execute(statement)]

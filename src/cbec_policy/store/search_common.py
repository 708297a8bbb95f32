"""SQLite: the summary and text tiers of words that bm25 cannot rank, newest first, read a page at a time.

A word found in at least half of the documents carries no weight for FTS5's bm25: its inverse
document frequency, ``log((N - n + 0.5) / (n + 0.5))``, is zero or less, and FTS5 then uses
1e-6 instead. Each phrase adds at most ``1e-6 * (k1 + 1) = 2.2e-6`` to a hit's bm25 however
often it occurs (bm25 saturates below ``k1 + 1``), so when every phrase of a query is that
common, every hit of a tier gets the same score to the four decimals a search returns: bm25
cannot tell them apart, yet ranking them meant scoring every document that holds the words
(9,994 of 10,000 for a phrase of the benchmark's full texts: 20–80 ms of CPU per search, most of
a search's cost under load).

For those queries the summary and full-text tiers here list their hits newest first, as the
PostgreSQL text tier and SQLite's LIKE path (short words) always do; the title tier keeps its
bm25 (a word of every full text is rarely in every title). The hits are the same set as the
ranked path's and carry the same rounded scores (the tier); among equal scores the newest come
first instead of the ones whose score differs in the sixth decimal. The tiers are now strict:
the ranked path placed summary hits from the first ``2 * limit`` bm25 hits only.

Deciding costs one pass over half of a common phrase's matches (FTS5 stops at the count asked
for); the page then costs a few rows: the brief index holds the summary tier, and the text tier
walks the policies newest first (an index), testing each row's columns for the words, and stops
at the page. Only words without letter case (Chinese, digits, punctuation) take this path: for
them FTS5's trigram match is plain substring containment, which ``instr`` tests exactly; a word
bound to a field, or a word with case found in some document, keeps the ranked path. A form that
no document holds (a synonym of another language, typically) adds nothing to any score and
matches nothing under either test, so it does not keep a query off this path.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Connection, Integer, Select, String, and_, bindparam, func, literal_column, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from cbec_policy.query import Term, has_letter_case
from cbec_policy.store import schema as s

_p = s.policies.c
# bm25 adds less than 2.2e-6 per phrase; a search rounds scores to 4 decimals (5e-5).
MAX_PHRASES = 22
# The text tier reads at most this many of the newest candidates (per hit wanted, at least
# WALK_MIN) before it asks the index for the whole set.
WALK_PER_HIT, WALK_MIN = 20, 400
_NEWEST = (_p.publish_date.desc(), _p.id.desc())


def fts5_phrase(form: str) -> str:
    """``form`` as one FTS5 phrase: quoted, with its own quotes doubled."""
    return '"' + form.replace('"', '""') + '"'


def unrankable(conn: Connection, terms: tuple[Term, ...]) -> bool:
    """Whether bm25 gives every hit the same score: each phrase of ``terms`` is in at least half of the rows
    (FTS5's floor weight) or in none (no weight at all).

    A synonym that no document holds (an English phrase beside a Chinese word of every text, say)
    adds nothing to any score, so it does not stop the newest-first path; a phrase that is
    found must be without letter case, where ``instr`` tests exactly what the trigram match
    finds. Only for unbound words, each found in some form, and few enough phrases that bm25's
    sum stays below the fourth decimal. Each phrase is counted up to half the rows, in index order.
    """
    forms = [form for term in terms for form in term.forms]
    if not forms or len(forms) > MAX_PHRASES or any(term.field is not None for term in terms):
        return False
    rows = conn.exec_driver_sql("SELECT count(*) FROM policy_fts_docsize").scalar() or 0
    half = (rows + 1) // 2  # FTS5 floors the weight when n >= N / 2
    if half == 0:
        return False
    count = text("SELECT count(*) FROM (SELECT 1 FROM policy_fts WHERE policy_fts MATCH :m LIMIT :half)")
    for term in terms:
        found_common = False
        for form in term.forms:
            found = conn.execute(count, {"m": fts5_phrase(form), "half": half}).scalar()
            if found == half and not has_letter_case(form):
                found_common = True
            elif found != 0:
                return False
        if not found_common:  # no form of this word anywhere: the ranked path answers that at once
            return False
    return True


def _contains_every(shape: tuple[int, ...], columns: tuple[str, ...]) -> ColumnElement[bool]:
    """Every word has a form in one of ``columns`` (substring containment, the trigram match of caseless forms).

    ``shape`` holds how many forms each word has; form ``j`` of word ``i`` is bound as ``f{i}_{j}``.
    """
    return and_(
        *(
            or_(
                *(
                    func.instr(func.coalesce(_p[c], ""), bindparam(f"f{i}_{j}", type_=String)) > 0
                    for c in columns
                    for j in range(forms)
                )
            )
            for i, forms in enumerate(shape)
        )
    )


def _not_taken(taken: bool) -> list[ColumnElement[bool]]:
    return [_p.fts_rowid.not_in(bindparam("taken", expanding=True))] if taken else []


# The statements of the newest-first path are built once per shape (whether rowids are left
# out, how many forms each word has) and their values bound at each search: building them and
# their cache keys cost as much as running them. A filter is added to the built statement.
@lru_cache(maxsize=4)
def _newest_in_index(index: str, taken: bool) -> Select:
    """The ``:match`` hits of ``index`` (not ``:taken``), newest first, ``:wanted`` at most."""
    hits = select(literal_column("rowid")).select_from(text(index)).where(text(f"{index} MATCH :match"))
    return (
        select(_p.fts_rowid)
        .where(_p.fts_rowid.in_(hits), *_not_taken(taken))
        .order_by(*_NEWEST)
        .limit(bindparam("wanted", type_=Integer))
    )


@lru_cache(maxsize=64)
def _newest_walk(shape: tuple[int, ...], taken: bool) -> Select:
    """The newest ``:cap`` policies (not ``:taken``), each with whether it holds every word anywhere."""
    everywhere = _contains_every(shape, ("title", "doc_number", "summary", "full_text"))
    return (
        select(_p.fts_rowid, everywhere.label("hit"))
        .where(_p.fts_rowid.is_not(None), *_not_taken(taken))
        .order_by(*_NEWEST)
        .limit(bindparam("cap", type_=Integer))
    )


def newest_tiers(
    conn: Connection,
    terms: tuple[Term, ...],
    wanted: int,
    where: ColumnElement[bool] | None,
    taken: list[int],
    brief_match: str,
    anywhere_match: str,
) -> list[tuple[int, bool]]:
    """(rowid, in the summary tier) of at most ``wanted`` summary-tier then text-tier hits, each newest first.

    ``taken`` are the title tier's rowids (all of them: the caller comes here only when that
    tier was not full); ``brief_match`` and ``anywhere_match`` are the FTS5 queries of the
    words in the short columns and in every column.
    """

    def filtered(statement: Select) -> Select:
        return statement if where is None else statement.where(where)

    summary = filtered(_newest_in_index("policy_brief_fts", bool(taken)))
    found = [(row[0], True) for row in conn.execute(summary, {"match": brief_match, "taken": taken, "wanted": wanted})]
    wanted -= len(found)
    if wanted <= 0:
        return found
    taken = taken + [rowid for rowid, _ in found]
    cap = max(WALK_MIN, WALK_PER_HIT * wanted)
    # The newest candidates, each tested as it is read: the walk stops at the page.
    walk = filtered(_newest_walk(tuple(len(term.forms) for term in terms), bool(taken)))
    forms = {f"f{i}_{j}": form for i, term in enumerate(terms) for j, form in enumerate(term.forms)}
    hits: list[int] = []
    read = 0
    result = conn.execute(walk, {**forms, "taken": taken, "cap": cap})
    try:
        for rowid, hit in result:
            read += 1
            if hit:
                hits.append(rowid)
                if len(hits) == wanted:
                    break
    finally:
        result.close()
    if len(hits) < wanted and read == cap:
        # Too few among the newest: every match from the index (one pass), newest first.
        every_match = filtered(_newest_in_index("policy_fts", bool(taken)))
        values = {"match": anywhere_match, "taken": taken, "wanted": wanted}
        hits = [row[0] for row in conn.execute(every_match, values)]
    return found + [(rowid, False) for rowid in hits]

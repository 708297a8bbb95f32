"""Full-text search over policies that finds Chinese substrings, ranked, on both backends.

Chinese has no spaces between words, so word tokenisers miss most substrings. Both backends
therefore index character trigrams:

* SQLite: an FTS5 table with the ``trigram`` tokenizer over the policies' own columns (rowid =
  ``policies.fts_rowid``, external content, kept by triggers: :mod:`cbec_policy.store.search_fts`).
  Trigrams cannot match a term shorter than three characters, so a query with any 1–2
  character term falls back to ``LIKE`` over the same columns, its candidates narrowed by the
  long words through a second trigram index of the short columns
  (:mod:`cbec_policy.store.search_brief`).
* PostgreSQL: a ``policy_search`` table holding title, doc number, summary and full text in
  one ``body`` column with a ``pg_trgm`` GIN index that serves ``ILIKE '%term%'``, and
  trigram indexes on the short columns, so the tiers are queried one after the other
  (:mod:`cbec_policy.store.search_pg`).

Ranking is the same on every path: hits with every term in the title or document number
first, then in the summary, then in the full text only (the score's whole part); within a
tier bm25 with column weights (SQLite index), the share of the title the words make up (PostgreSQL) or the newest
first (LIKE fallback, PostgreSQL's text tier). Every path cuts at the limit inside the database, so a word found in
most documents costs one page of hits, not a score for every match. On SQLite, words in at
least half of the documents, to which bm25 gives no weight, list the summary and text tiers
newest first (:mod:`cbec_policy.store.search_common`): bm25 would score every such hit the same.

Every term is a bound parameter; FTS5 terms are double-quoted (quotes doubled) and LIKE
wildcards escaped, so operators such as ``NEAR(``, ``*`` or ``"`` are searched as text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

from sqlalchemy import Connection, Integer, Select, String, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import TableClause

from cbec_policy.query import SearchQuery, Term
from cbec_policy.store import schema as s
from cbec_policy.store.changes import BUMP_SQL, bump_changes, ensure_change_counter, read_changes
from cbec_policy.store.filters import like_pattern
from cbec_policy.store.pg_storage import compress_long_texts_with_lz4
from cbec_policy.store.search_brief import BRIEF_COLUMNS, ensure_brief_index
from cbec_policy.store.search_common import fts5_phrase, newest_tiers, unrankable
from cbec_policy.store.search_fts import ensure_fts_index
from cbec_policy.store.search_pg import BODY_INDEX, ensure_short_indexes, postgresql_search
from cbec_policy.store.tallies import ensure_tally_indexes
from cbec_policy.store.tally_upkeep import ensure_tallies

# A lightweight handle on the PostgreSQL-only table (created by ensure_search_index, not by metadata).
_pg_search = table("policy_search", column("policy_id"), column("body"))
fts_table = table("policy_fts", column("rowid"))  # the SQLite FTS5 index

# Column weights shared by both backends, so rankings agree in spirit.
WEIGHTS = {"title": 10.0, "doc_number": 8.0, "summary": 3.0, "full_text": 1.0}


def ensure_search_index(conn: Connection) -> None:
    """Create the backend's full-text structures if missing (idempotent)."""
    if conn.dialect.name == "sqlite":
        ensure_fts_index(conn)  # the whole policy, external content over policies (store.search_fts)
        # Lets the LIKE fallback walk policies newest first and test the short columns without
        # reading the large rows (full and original text), stopping at the limit.
        conn.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS ix_policies_search_short "
            "ON policies (publish_date, id, title, doc_number, summary, fts_rowid)"
        )
        ensure_brief_index(conn)  # the short columns alone, for the title tier
    else:
        # The extension may already exist in another schema on the search path; that is fine.
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS policy_search ("
            "policy_id VARCHAR(200) PRIMARY KEY REFERENCES policies(id) ON DELETE CASCADE, body TEXT NOT NULL)"
        )
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {BODY_INDEX} ON policy_search USING gin (body gin_trgm_ops)")
        ensure_short_indexes(conn)
        compress_long_texts_with_lz4(conn)
    ensure_tally_indexes(conn)  # the policy lists' orders, and the reads of the counts
    ensure_tallies(conn)  # the dashboard's counts, kept on write
    ensure_change_counter(conn)


def index_policy(
    conn: Connection,
    policy_id: str,
    title: str,
    doc_number: str | None,
    summary: str,
    full_text: str | None,
) -> None:
    """Write (or rewrite) the full-text entry of one policy on ``conn``, inside the caller's transaction.

    Called after the policy's row is inserted or updated.
    """
    if conn.dialect.name == "sqlite":
        # A new row gets its fts_rowid here; the triggers of both indexes then write its entries
        # from the row (store.search_fts). An existing row's entries were replaced by the update
        # of its columns, so it is left alone (an update of fts_rowid would index it again).
        conn.execute(
            text(
                "UPDATE policies SET fts_rowid = (SELECT coalesce(max(fts_rowid), 0) + 1 FROM policies) "
                "WHERE id = :id AND fts_rowid IS NULL"
            ),
            {"id": policy_id},
        )
    else:
        conn.execute(PG_SEARCH_UPSERT, {"id": policy_id, "body": search_body(title, doc_number, summary, full_text)})


# PostgreSQL: one policy's row of the body index, written or rewritten (one policy or a chunk's rows).
PG_SEARCH_UPSERT = text(
    "INSERT INTO policy_search (policy_id, body) VALUES (:id, :body) "
    "ON CONFLICT (policy_id) DO UPDATE SET body = EXCLUDED.body"
)


def search_body(title: str, doc_number: str | None, summary: str | None, full_text: str | None) -> str:
    """PostgreSQL: the text the body index holds for a policy, every searched column on its own line."""
    return "\n".join((title, doc_number or "", summary or "", full_text or ""))


_FTS_MIN = 3  # the trigram index cannot match a shorter form


# Ranking tiers, best first, shared by every path and backend: every word in the title or
# document number; else every word in those or the summary; else some word only in the full text.
# A word bound to a field (title:, text:) counts in its field on every tier.
TIER_TITLE, TIER_SUMMARY, TIER_TEXT = 2, 1, 0
_TIER_COLUMNS = (
    (TIER_TITLE, ("title", "doc_number")),
    (TIER_SUMMARY, ("title", "doc_number", "summary")),
    (TIER_TEXT, ("title", "doc_number", "summary", "full_text")),
)
ALL_COLUMNS = _TIER_COLUMNS[-1][1]


def _columns(term: Term, tier_columns: tuple[str, ...]) -> tuple[str, ...]:
    return term.columns if term.field else tier_columns


def fts5_match(terms: tuple[Term, ...], tier_columns: tuple[str, ...]) -> str:
    """An FTS5 query: for every word, any of its forms, in the word's columns for this tier."""
    parts = []
    for term in terms:
        forms = " OR ".join(fts5_phrase(form) for form in term.forms)
        parts.append(f"({{{' '.join(_columns(term, tier_columns))}}} : ({forms}))")
    return " AND ".join(parts)


def _like_any(term: Term, columns: tuple[str, ...], params: dict[str, object], prefix: str = "") -> str:
    """SQL: some form of ``term`` occurs in some of ``columns`` (LIKE, wildcards escaped, bound)."""
    alternatives = []
    for form in term.forms:
        name = f"like{len(params)}"
        params[name] = like_pattern(form)
        alternatives.extend(f"coalesce({prefix}{column}, '') LIKE :{name} ESCAPE '\\'" for column in columns)
    return "(" + " OR ".join(alternatives) + ")"


def search_ids(
    conn: Connection, query: SearchQuery, limit: int, where: ColumnElement[bool] | None = None
) -> list[tuple[str, float]]:
    """Ids and scores (higher is better) of at most ``limit`` policies matching every word of ``query``.

    ``where`` is a condition on ``policies`` (the filters, see :mod:`cbec_policy.store.filters`)
    applied inside the same query. The score is the ranking tier (2 title or doc number, 1
    summary, 0 full text) plus a fraction below 1 that orders hits within the tier (bm25 on
    SQLite's index, the share of the title the words make up on PostgreSQL; 0 on the LIKE path, which orders a tier
    newest first). Each backend stops at ``limit`` inside the database.
    """
    if not query.terms or limit <= 0:
        return []
    if conn.dialect.name == "sqlite":
        if all(len(form) >= _FTS_MIN for term in query.terms for form in term.forms):
            return _sqlite_fts(conn, query.terms, limit, where)
        return _sqlite_like(conn, query.terms, limit, where)
    return postgresql_search(conn, query.terms, limit, where, _TIER_COLUMNS)


# Statements of a fixed shape are built once, their values bound at each search: building a
# statement and its cache key cost about as much as running these small queries on SQLite.
_ROWIDS = bindparam("rowids", expanding=True)
_SHORT_COLUMNS_BY_ROWID = select(
    s.policies.c.fts_rowid, s.policies.c.title, s.policies.c.doc_number, s.policies.c.summary
).where(s.policies.c.fts_rowid.in_(_ROWIDS))
_IDS_BY_ROWID = select(s.policies.c.fts_rowid, s.policies.c.id).where(s.policies.c.fts_rowid.in_(_ROWIDS))


@lru_cache(maxsize=4)
def _index_rows(index: str) -> TableClause:
    """One handle per FTS5 index, so a filter added to a built statement names the same table."""
    return table(index, column("rowid"))


@lru_cache(maxsize=8)
def _ranked_statement(index: str, columns: tuple[str, ...]) -> Select:
    """Rowids and weighted bm25 of the ``:match`` hits in ``index``, best first, ``:wanted`` at most."""
    rows = _index_rows(index)
    rank = func.bm25(literal_column(index), *(literal_column(str(WEIGHTS[c])) for c in columns))
    return (
        select(rows.c.rowid, rank.label("rank"))
        .where(literal_column(index).op("MATCH")(bindparam("match", type_=String)))
        .order_by(literal_column("rank"))
        .limit(bindparam("wanted", type_=Integer))
    )


def _sqlite_fts(
    conn: Connection, terms: tuple[Term, ...], limit: int, where: ColumnElement[bool] | None
) -> list[tuple[str, float]]:
    """Two FTS5 queries ranked by weighted bm25 and cut inside the index: title tier, then anywhere.

    The title tier asks the brief index (title, number and summary alone, see
    :mod:`cbec_policy.store.search_brief`): its posting lists hold the short columns only, so a
    word found in nearly every full text costs a few hundred title hits, not every document's
    positions; bm25 there measures a hit against the length of the title and summary, which is
    what a title hit should be weighed against. Only rowids and ranks leave the index.

    The hits found anywhere are then put in their tier
    (summary or full text) from the short columns of those few rows, instead of a third index
    query with ``NOT`` (each form of each word is a phrase of many trigrams: every extra index
    pass costs more than reading a handful of summaries). bm25 is close to zero for a word
    found in most documents (its IDF is clamped), which is why the column tiers lead the
    ranking and bm25 orders within one.
    """
    p = s.policies.c

    def ranked(index: str, columns: tuple[str, ...], match: str, wanted: int) -> list[tuple[int, float]]:
        statement = _ranked_statement(index, columns)
        if where is not None:
            statement = statement.where(_index_rows(index).c.rowid.in_(select(p.fts_rowid).where(where)))
        found = conn.execute(statement, {"match": match, "wanted": wanted})
        return [(rowid, -value / (1.0 - value) if value < 0 else 0.0) for rowid, value in found]

    # bm25 is negative, more negative = better; mapped into [0, 1) under the tier.
    title_columns = {c for term in terms for c in _columns(term, _TIER_COLUMNS[0][1])}
    # a word bound to the full text (text:…) needs the full index even in the title tier
    brief_enough = title_columns <= set(BRIEF_COLUMNS)
    title_index = ("policy_brief_fts", BRIEF_COLUMNS) if brief_enough else ("policy_fts", ALL_COLUMNS)
    title_hits = ranked(*title_index, fts5_match(terms, _TIER_COLUMNS[0][1]), limit)
    seen = {rowid for rowid, _ in title_hits}
    found = [(rowid, TIER_TITLE + fraction) for rowid, fraction in title_hits]
    if len(found) < limit and unrankable(conn, terms):
        # bm25 gives every hit below the title tier the same score: newest first (store.search_common)
        rest = newest_tiers(conn, terms, limit - len(found), where, list(seen),
                            fts5_match(terms, BRIEF_COLUMNS), fts5_match(terms, ALL_COLUMNS))  # fmt: skip
        found.extend((rowid, float(TIER_SUMMARY if in_summary else TIER_TEXT)) for rowid, in_summary in rest)
    elif len(found) < limit:
        # Twice the rows still wanted, so summary hits that bm25 ranks below some text-only
        # hits are not cut before they are put in their tier.
        anywhere = ranked("policy_fts", ALL_COLUMNS, fts5_match(terms, ALL_COLUMNS), 2 * limit + len(seen))
        others = [hit for hit in anywhere if hit[0] not in seen]
        if others:
            rows = conn.execute(_SHORT_COLUMNS_BY_ROWID, {"rowids": [r for r, _ in others]}).all()
            brief = {row[0]: " ".join(filter(None, row[1:])).lower() for row in rows}

            def in_brief(rowid: int) -> bool:
                text_ = brief.get(rowid, "")
                return all(
                    any(form.lower() in text_ for form in term.forms) for term in terms if term.field in (None, "short")
                )

            tiered = [(rowid, (TIER_SUMMARY if in_brief(rowid) else TIER_TEXT) + f) for rowid, f in others]
            tiered.sort(key=lambda hit: -hit[1])
            found.extend(tiered[: limit - len(found)])
    if not found:
        return []
    ids = dict(conn.execute(_IDS_BY_ROWID, {"rowids": [r for r, _ in found]}).all())
    return [(ids[rowid], score) for rowid, score in found if rowid in ids]


def _sqlite_like(
    conn: Connection, terms: tuple[Term, ...], limit: int, where: ColumnElement[bool] | None
) -> list[tuple[str, float]]:
    """Words with a form of 1–2 characters (trigrams cannot match them): LIKE, one query per tier.

    Each query walks the policies in publish-date order and stops at the limit, so a common
    short word costs a page of rows; the title/doc-number/summary tiers read a covering index
    instead of the large rows. Words whose forms are all long narrow the candidates through
    the trigram index first.
    """
    params: dict[str, object] = {}
    conditions = [" AND ".join(_like_any(t, _columns(t, cols), params) for t in terms) for _, cols in _TIER_COLUMNS]
    narrow = brief = ""
    long_terms = tuple(t for t in terms if all(len(form) >= _FTS_MIN for form in t.forms))
    if long_terms:
        params["match"] = fts5_match(long_terms, _TIER_COLUMNS[-1][1])
        narrow = " AND fts_rowid IN (SELECT rowid FROM policy_fts WHERE policy_fts MATCH :match)"
    # The title and summary tiers hold every word in the short columns: the long words among
    # those not bound to the full text narrow them through the brief index, whose posting lists
    # are small, instead of the full index, whose lists of a common word span the corpus.
    brief_terms = tuple(t for t in long_terms if set(_columns(t, BRIEF_COLUMNS)) <= set(BRIEF_COLUMNS))
    if brief_terms:
        params["brief"] = fts5_match(brief_terms, BRIEF_COLUMNS)
        brief = " AND fts_rowid IN (SELECT rowid FROM policy_brief_fts WHERE policy_brief_fts MATCH :brief)"
    tiers = ((TIER_TITLE, conditions[0], brief or narrow),
             (TIER_SUMMARY, f"{conditions[1]} AND NOT ({conditions[0]})", brief or narrow),
             (TIER_TEXT, f"{conditions[2]} AND NOT ({conditions[1]})", narrow))  # fmt: skip
    p = s.policies.c
    found: list[tuple[str, float]] = []
    for tier, condition, narrowing in tiers:
        wanted = limit - len(found)
        if wanted <= 0:
            break
        statement = (
            select(p.id).where(text(condition + narrowing)).order_by(p.publish_date.desc(), p.id.desc()).limit(wanted)
        )
        if where is not None:
            statement = statement.where(where)
        rows = conn.execute(statement, params).all()
        found.extend((row[0], float(tier)) for row in rows)
    return found


# The counter's bump as plain SQL, for a writer on the driver's own cursor.
BUMP_SEARCH_VERSION_SQL = BUMP_SQL


def bump_search_version(conn: Connection) -> None:
    """Tell cached rankings that policies were inserted, inside the caller's transaction (both backends)."""
    bump_changes(conn)


def search_version(conn: Connection) -> int | None:
    """The store's change counter (see :mod:`cbec_policy.store.changes`)."""
    return read_changes(conn)


CachedHits = list  # the SearchHit records of one ranking


class SearchCache:
    """The rankings of recent searches in this process, each valid for one database version.

    A web server answers the same popular queries again and again; ranking a word found in
    thousands of documents costs tens of milliseconds, fetching the few winners about one.
    An entry is used only while the database's change counter is what it was when the
    ranking was made, so a policy saved by any process (an ingest, an upload) is seen at once.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, int], tuple[int, CachedHits]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, query: str, limit: int, version: int | None) -> CachedHits | None:
        """The cached hits of ``query`` at ``version``, or None."""
        if version is None:
            return None
        with self._lock:
            entry = self._entries.get((query, limit))
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end((query, limit))
            return entry[1]

    def put(self, query: str, limit: int, version: int | None, hits: CachedHits) -> None:
        """Remember ``hits`` for ``query`` at ``version`` (nothing when the backend has no version)."""
        if version is None:
            return
        with self._lock:
            self._entries[(query, limit)] = (version, hits)
            self._entries.move_to_end((query, limit))
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def make_snippet(forms: list[str], fields: list[str], width: int = 60) -> str:
    """A short excerpt around the first occurrence of any of ``forms``, the hit in 【】."""
    for field_text in fields:
        if not field_text:
            continue
        lowered = field_text.lower()
        found = [(at, form) for form in forms if (at := lowered.find(form.lower())) >= 0]
        if not found:
            continue
        at, form = min(found, key=lambda item: (item[0], -len(item[1])))
        start = max(0, at - width // 3)
        end = min(len(field_text), at + len(form) + width - width // 3)
        hit = field_text[at : at + len(form)]
        excerpt = field_text[start:at] + f"【{hit}】" + field_text[at + len(form) : end]
        excerpt = " ".join(excerpt.split())
        return ("…" if start > 0 else "") + excerpt + ("…" if end < len(field_text) else "")
    first = next((f for f in fields if f), "")
    return " ".join(first[:width].split())

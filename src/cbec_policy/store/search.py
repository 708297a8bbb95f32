"""Full-text search over policies that finds Chinese substrings, ranked, on both backends.

Chinese has no spaces between words, so word tokenisers miss most substrings. Both backends
therefore index character trigrams:

* SQLite: an FTS5 table with the ``trigram`` tokenizer (rowid = ``policies.fts_rowid``).
  Trigrams cannot match a term shorter than three characters, so a query with any 1–2
  character term falls back to ``LIKE`` over the same columns.
* PostgreSQL: a ``policy_search`` table holding title, doc number, summary and full text in
  one ``body`` column with a ``pg_trgm`` GIN index that serves ``ILIKE '%term%'``.

Ranking is the same on every path: hits with every term in the title or document number
first, then in the summary, then in the full text only (the score's whole part); within a
tier bm25 with column weights (SQLite index), title similarity (PostgreSQL) or the newest
first (LIKE fallback). Every path cuts at the limit inside the database, so a word found in
most documents costs one page of hits, not a score for every match.

Every term is a bound parameter; FTS5 terms are double-quoted (quotes doubled) and LIKE
wildcards escaped, so operators such as ``NEAR(``, ``*`` or ``"`` are searched as text.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from sqlalchemy import Connection, Float, and_, case, cast, column, func, or_, select, table, text

from cbec_policy.docnumber import normalise_doc_number
from cbec_policy.store import schema as s

# A lightweight handle on the PostgreSQL-only table (created by ensure_search_index, not by metadata).
_pg_search = table("policy_search", column("policy_id"), column("body"))

# Column weights shared by both backends, so rankings agree in spirit.
WEIGHTS = {"title": 10.0, "doc_number": 8.0, "summary": 3.0, "full_text": 1.0}
_DOC_NUMBER_LIKE = re.compile(r"[\[(（【〔［〖]\s*\d{4}\s*[\])）】〕］〗]")


def ensure_search_index(conn: Connection) -> None:
    """Create the backend's full-text structures if missing (idempotent)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS policy_fts USING fts5("
            "title, doc_number, summary, full_text, tokenize='trigram')"
        )
        # Lets the LIKE fallback walk policies newest first and test the short columns without
        # reading the large rows (full and original text), stopping at the limit.
        conn.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS ix_policies_search_short "
            "ON policies (publish_date, id, title, doc_number, summary, fts_rowid)"
        )
        # A counter that every change to a policy row moves on, whichever process or module
        # writes it, so a cached ranking can tell cheaply whether it is still current. Updates
        # and deletions move it by trigger; inserts move it through bump_search_version, called
        # by every writer once per transaction, because a per-row trigger would rewrite the
        # counter once for every document of a bulk ingest.
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS search_version "
            "(id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
        )
        conn.exec_driver_sql("INSERT OR IGNORE INTO search_version (id, version) VALUES (1, 0)")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS policies_search_version_insert")  # made by older versions
        for event in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS policies_search_version_{event.lower()} AFTER {event} ON policies "
                "BEGIN UPDATE search_version SET version = version + 1 WHERE id = 1; END"
            )
    else:
        # The extension may already exist in another schema on the search path; that is fine.
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS policy_search ("
            "policy_id VARCHAR(200) PRIMARY KEY REFERENCES policies(id) ON DELETE CASCADE, body TEXT NOT NULL)"
        )
        conn.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS ix_policy_search_body ON policy_search USING gin (body gin_trgm_ops)"
        )


def index_policy(
    conn: Connection,
    policy_id: str,
    title: str,
    doc_number: str | None,
    summary: str,
    full_text: str | None,
    *,
    replace: bool,
) -> None:
    """Write (or rewrite) the full-text entry of one policy on ``conn``, inside the caller's transaction."""
    values = {
        "id": policy_id,
        "title": title,
        "doc_number": doc_number or "",
        "summary": summary or "",
        "full_text": full_text or "",
    }
    if conn.dialect.name == "sqlite":
        if replace:
            conn.execute(
                text("DELETE FROM policy_fts WHERE rowid = (SELECT fts_rowid FROM policies WHERE id = :id)"),
                {"id": policy_id},
            )
        conn.execute(
            text(
                "UPDATE policies SET fts_rowid = "
                "coalesce(fts_rowid, (SELECT coalesce(max(fts_rowid), 0) + 1 FROM policies)) WHERE id = :id"
            ),
            {"id": policy_id},
        )
        conn.execute(
            text(
                "INSERT INTO policy_fts (rowid, title, doc_number, summary, full_text) "
                "SELECT fts_rowid, :title, :doc_number, :summary, :full_text FROM policies WHERE id = :id"
            ),
            values,
        )
    else:
        body = "\n".join((values["title"], values["doc_number"], values["summary"], values["full_text"]))
        conn.execute(
            text(
                "INSERT INTO policy_search (policy_id, body) VALUES (:id, :body) "
                "ON CONFLICT (policy_id) DO UPDATE SET body = EXCLUDED.body"
            ),
            {"id": policy_id, "body": body},
        )


def query_terms(query: str) -> list[str]:
    """Split a query into terms on white space; a document number is normalised first (〔〕 brackets)."""
    stripped = query.strip()
    if _DOC_NUMBER_LIKE.search(stripped):
        stripped = normalise_doc_number(stripped)
    return [term for term in stripped.split() if term]


def _fts5_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Ranking tiers, best first, shared by every path and backend: every term in the title or
# document number; else every term in those or the summary; else the terms only in the full text.
TIER_TITLE, TIER_SUMMARY, TIER_TEXT = 2, 1, 0
_SHORT_COLUMNS = ("title", "doc_number")
_BRIEF_COLUMNS = ("title", "doc_number", "summary")
_ALL_COLUMNS = ("title", "doc_number", "summary", "full_text")


def _each_term_in(terms: list[str], columns: tuple[str, ...], params: dict[str, object], table: str = "") -> str:
    """SQL: every term occurs in at least one of ``columns`` (LIKE, wildcards escaped, bound parameters)."""
    prefix = f"{table}." if table else ""
    clauses = []
    for i, term in enumerate(terms):
        params[f"like{i}"] = _like_pattern(term)
        alternatives = " OR ".join(f"coalesce({prefix}{name}, '') LIKE :like{i} ESCAPE '\\'" for name in columns)
        clauses.append(f"({alternatives})")
    return " AND ".join(clauses)


def search_ids(conn: Connection, query: str, limit: int) -> list[tuple[str, float]]:
    """Ids and scores (higher is better) of at most ``limit`` policies that contain every term of ``query``.

    The score is the ranking tier (2 title or doc number, 1 summary, 0 full text only) plus a
    fraction below 1 that orders hits within the tier (bm25 on SQLite's index, title
    similarity on PostgreSQL; 0 on the LIKE fallback, which orders a tier newest first).
    Each backend stops at ``limit`` inside the database instead of scoring every match.
    """
    terms = query_terms(query)
    if not terms or limit <= 0:
        return []
    if conn.dialect.name == "sqlite":
        if all(len(term) >= 3 for term in terms):
            return _sqlite_fts(conn, terms, limit)
        return _sqlite_like(conn, terms, limit)
    return _postgresql(conn, terms, limit)


def _fts5_query(terms: list[str], columns: tuple[str, ...] | None = None) -> str:
    """An FTS5 query: every term as a quoted phrase, optionally only in ``columns``."""
    phrases = " AND ".join(_fts5_phrase(term) for term in terms)
    return f"{{{' '.join(columns)}}} : ({phrases})" if columns else f"({phrases})"


def _sqlite_fts(conn: Connection, terms: list[str], limit: int) -> list[tuple[str, float]]:
    """One FTS5 query per tier, each ranked by weighted bm25 and cut at the limit inside the index.

    Only rowids and ranks leave the index; the policy ids of the (at most ``limit``) winners
    are looked up afterwards. bm25 is close to zero for a term found in most documents (its
    IDF is clamped), which is why the column tiers lead the ranking and bm25 orders within one.
    """
    weights = ", ".join(str(WEIGHTS[name]) for name in _ALL_COLUMNS)
    short, brief, anywhere = _fts5_query(terms, _SHORT_COLUMNS), _fts5_query(terms, _BRIEF_COLUMNS), _fts5_query(terms)
    tiers = (
        (TIER_TITLE, short),
        (TIER_SUMMARY, f"{brief} NOT {short}"),
        (TIER_TEXT, f"{anywhere} NOT {brief}"),
    )
    found: list[tuple[int, float]] = []
    for tier, match in tiers:
        wanted = limit - len(found)
        if wanted <= 0:
            break
        rows = conn.execute(
            text(
                f"SELECT rowid, bm25(policy_fts, {weights}) AS rank FROM policy_fts "
                "WHERE policy_fts MATCH :match ORDER BY rank LIMIT :limit"
            ),
            {"match": match, "limit": wanted},
        ).all()
        # bm25 is negative, more negative = better; map it into [0, 1) under the tier.
        found.extend((rowid, tier + (-rank / (1.0 - rank) if rank < 0 else 0.0)) for rowid, rank in rows)
    if not found:
        return []
    ids = dict(
        conn.execute(
            select(s.policies.c.fts_rowid, s.policies.c.id).where(s.policies.c.fts_rowid.in_([r for r, _ in found]))
        ).all()
    )
    return [(ids[rowid], score) for rowid, score in found if rowid in ids]


def _sqlite_like(conn: Connection, terms: list[str], limit: int) -> list[tuple[str, float]]:
    """Terms of 1–2 characters (trigrams cannot match them): LIKE, one query per tier, newest first.

    Each query walks the policies in publish-date order and stops at the limit, so a common
    short word costs a page of rows, not a scan; the title/doc-number/summary tiers read a
    covering index instead of the large rows. Longer terms in the same query narrow the
    candidates through the trigram index first.
    """
    params: dict[str, object] = {}
    short = _each_term_in(terms, _SHORT_COLUMNS, params)
    brief = _each_term_in(terms, _BRIEF_COLUMNS, params)
    anywhere = _each_term_in(terms, _ALL_COLUMNS, params)
    narrow = ""
    long_terms = [term for term in terms if len(term) >= 3]
    if long_terms:
        params["match"] = _fts5_query(long_terms)
        narrow = " AND fts_rowid IN (SELECT rowid FROM policy_fts WHERE policy_fts MATCH :match)"
    tiers = (
        (TIER_TITLE, short),
        (TIER_SUMMARY, f"{brief} AND NOT ({short})"),
        (TIER_TEXT, f"{anywhere} AND NOT ({brief})"),
    )
    found: list[tuple[str, float]] = []
    for tier, condition in tiers:
        wanted = limit - len(found)
        if wanted <= 0:
            break
        rows = conn.execute(
            text(f"SELECT id FROM policies WHERE {condition}{narrow} ORDER BY publish_date DESC, id DESC LIMIT :limit"),
            {**params, "limit": wanted},
        ).all()
        found.extend((row[0], float(tier)) for row in rows)
    return found


def _postgresql(conn: Connection, terms: list[str], limit: int) -> list[tuple[str, float]]:
    """``ILIKE`` on the pg_trgm-indexed body finds the matches; tier + title similarity ranks, LIMIT cuts.

    The rank reads only the short columns (title, doc number, summary), never the full text,
    so ordering even thousands of matches stays cheap.
    """
    p = s.policies.c
    body = _pg_search.c.body

    def each_term_in(columns: tuple[str, ...]):
        return and_(
            *(
                or_(*(func.coalesce(p[name], "").ilike(_like_pattern(term), escape="\\") for name in columns))
                for term in terms
            )
        )

    tier = case(
        (each_term_in(_SHORT_COLUMNS), float(TIER_TITLE)),
        (each_term_in(_BRIEF_COLUMNS), float(TIER_SUMMARY)),
        else_=float(TIER_TEXT),
    )
    # similarity() is in [0, 1]; halved so a tier's best hit never reaches the next tier.
    score = (tier + cast(func.similarity(p.title, " ".join(terms)), Float) * 0.5).label("score")
    query_ = (
        select(p.id, score)
        .select_from(s.policies.join(_pg_search, _pg_search.c.policy_id == p.id))
        .where(and_(*(body.ilike(_like_pattern(t), escape="\\") for t in terms)))
        .order_by(score.desc(), p.publish_date.desc().nulls_last(), p.id)
        .limit(limit)
    )
    return [(row[0], float(row[1])) for row in conn.execute(query_).all()]


def all_terms_match(terms: list[str]):
    """A portable SQLAlchemy condition: every term occurs in some searchable column (LIKE, escaped)."""
    p = s.policies.c
    return and_(
        *(
            or_(
                *(
                    func.coalesce(c, "").ilike(_like_pattern(t), escape="\\")
                    for c in (p.title, p.doc_number, p.summary, p.full_text)
                )
            )
            for t in terms
        )
    )


# Moves the SQLite change counter on (see ensure_search_index); plain SQL for the driver's own cursor too.
BUMP_SEARCH_VERSION_SQL = "UPDATE search_version SET version = version + 1 WHERE id = 1"


def bump_search_version(conn: Connection) -> None:
    """Tell cached rankings that policies were inserted, inside the caller's transaction (SQLite only)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(BUMP_SEARCH_VERSION_SQL)


def search_version(conn: Connection) -> int | None:
    """The SQLite database's policy-change counter (see ensure_search_index); None where there is none.

    PostgreSQL has none: a counter row there would serialise every writing transaction, and
    the server's own caches serve repeated queries.
    """
    if conn.dialect.name != "sqlite":
        return None
    return conn.exec_driver_sql("SELECT version FROM search_version WHERE id = 1").scalar()


CachedHits = list[tuple[str, float, str]]  # (policy id, score, snippet)


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


def make_snippet(query: str, fields: list[str], width: int = 60) -> str:
    """A short excerpt around the first occurrence of the first term, the term in 【】."""
    terms = query_terms(query)
    for field_text in fields:
        if not field_text:
            continue
        lowered = field_text.lower()
        for term in terms:
            at = lowered.find(term.lower())
            if at < 0:
                continue
            start = max(0, at - width // 3)
            end = min(len(field_text), at + len(term) + width - width // 3)
            hit = field_text[at : at + len(term)]
            excerpt = field_text[start:at] + f"【{hit}】" + field_text[at + len(term) : end]
            excerpt = " ".join(excerpt.split())
            return ("…" if start > 0 else "") + excerpt + ("…" if end < len(field_text) else "")
    first = next((f for f in fields if f), "")
    return " ".join(first[:width].split())

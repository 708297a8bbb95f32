"""Full-text search over policies that finds Chinese substrings, ranked, on both backends.

Chinese has no spaces between words, so word tokenisers miss most substrings. Both backends
therefore index character trigrams:

* SQLite: an FTS5 table with the ``trigram`` tokenizer (rowid = ``policies.fts_rowid``), ranked
  by ``bm25`` with column weights title 10, doc number 8, summary 3, full text 1. Trigrams
  cannot match a term shorter than three characters, so a query with any 1–2 character term
  falls back to ``LIKE`` over the same columns, ranked by the same column weights.
* PostgreSQL: a ``policy_search`` table holding title, doc number, summary and full text in
  one ``body`` column with a ``pg_trgm`` GIN index that serves ``ILIKE '%term%'``; ranked by
  the same column weights plus ``similarity(body, query)`` as a tie-breaker.

Every term is a bound parameter; FTS5 terms are double-quoted (quotes doubled) and LIKE
wildcards escaped, so operators such as ``NEAR(``, ``*`` or ``"`` are searched as text.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Float, and_, case, cast, column, func, literal, or_, select, table, text

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


def _weighted_like_score(terms: list[str]):
    """Sum over terms of the weights of the columns that contain the term (a portable ranking)."""
    p = s.policies.c
    columns = {"title": p.title, "doc_number": p.doc_number, "summary": p.summary, "full_text": p.full_text}
    score = literal(0.0)
    for term in terms:
        pattern = _like_pattern(term)
        for name, col in columns.items():
            score = score + case((func.coalesce(col, "").ilike(pattern, escape="\\"), WEIGHTS[name]), else_=0.0)
    return score


def _all_terms_match(terms: list[str]):
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


def search_ids(conn: Connection, query: str, limit: int) -> list[tuple[str, float]]:
    """Ids and scores (higher is better) of the policies that contain every term of ``query``."""
    terms = query_terms(query)
    if not terms or limit <= 0:
        return []
    p = s.policies.c
    if conn.dialect.name == "sqlite":
        if all(len(term) >= 3 for term in terms):
            return _sqlite_fts(conn, terms, limit)
        score = _weighted_like_score(terms).label("score")
        query_ = select(p.id, score).where(_all_terms_match(terms))
    else:
        body = _pg_search.c.body
        score = (_weighted_like_score(terms) + cast(func.similarity(body, " ".join(terms)), Float)).label("score")
        query_ = (
            select(p.id, score)
            .select_from(s.policies.join(_pg_search, _pg_search.c.policy_id == p.id))
            .where(and_(*(body.ilike(_like_pattern(t), escape="\\") for t in terms)))
        )
    rows = conn.execute(query_.order_by(score.desc(), p.publish_date.desc(), p.id).limit(limit)).all()
    return [(row[0], float(row[1])) for row in rows]


def _sqlite_fts(conn: Connection, terms: list[str], limit: int) -> list[tuple[str, float]]:
    """Trigram MATCH finds the candidates; column weights rank them, bm25 breaks ties.

    bm25 alone is close to zero for terms found in most documents of a small corpus (its
    IDF is clamped), so the same column weights as the LIKE path lead the ranking.
    """
    weights = ", ".join(str(WEIGHTS[name]) for name in ("title", "doc_number", "summary", "full_text"))
    params: dict[str, object] = {"match": " ".join(_fts5_phrase(term) for term in terms), "limit": limit}
    parts = []
    for i, term in enumerate(terms):
        params[f"t{i}"] = term.lower()
        for name, weight in WEIGHTS.items():
            parts.append(f"(CASE WHEN instr(lower(coalesce(p.{name}, '')), :t{i}) > 0 THEN {weight} ELSE 0 END)")
    weighted = " + ".join(parts)
    rows = conn.execute(
        text(
            f"SELECT p.id, {weighted} - bm25(policy_fts, {weights}) AS score FROM policy_fts "
            "JOIN policies AS p ON p.fts_rowid = policy_fts.rowid "
            "WHERE policy_fts MATCH :match ORDER BY score DESC, p.publish_date DESC, p.id LIMIT :limit"
        ),
        params,
    ).all()
    return [(row[0], float(row[1])) for row in rows]


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

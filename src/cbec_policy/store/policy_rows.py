"""Turn ``models.Policy`` records into rows of the policy tables and back.

Writing replaces a policy's main row and all its link rows (issuers, themes, instruments,
evidence, relations) and its full-text entry on the caller's connection, so the caller's
transaction decides whether all of it lands or none of it does.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

from sqlalchemy import (
    CompoundSelect,
    Connection,
    bindparam,
    delete,
    insert,
    literal_column,
    null,
    select,
    union_all,
    update,
)

from cbec_policy.docnumber import doc_number_key
from cbec_policy.models import PaperEntry, Policy, Relation
from cbec_policy.store import schema as s
from cbec_policy.store.search import bump_search_version, index_policy

# Everything that is not a letter or digit (CJK included) is dropped from a title key, so
# 《关于…的通知》 and 关于…的通知 (or full-width vs half-width brackets) compare equal.
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def title_key(title: str) -> str:
    """A comparison key for titles: NFKC, letters and digits only, lower case."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", title)).lower()


# Pure functions of a short string, each asked several times per ingested document (matching,
# deriving its id, writing its row): cached, one cache shared by the store and the pipeline.
cached_doc_key = lru_cache(maxsize=16384)(doc_number_key)
cached_title_key = lru_cache(maxsize=16384)(title_key)


def _doc_key(doc_number: str | None) -> str | None:
    return cached_doc_key(doc_number) if doc_number else None


def department_ids(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    """Ids of the named departments, adding any name not known yet (kind ``unknown``)."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    found = dict(
        conn.execute(select(s.departments.c.name, s.departments.c.id).where(s.departments.c.name.in_(wanted))).all()
    )
    for name in wanted:
        if name not in found:
            result = conn.execute(insert(s.departments).values(name=name, short_forms=[], en="", kind="unknown"))
            found[name] = result.inserted_primary_key[0]
    return found


# The ``policies`` columns that :func:`policy_values` fills, in its order (``bundled_hash`` and
# ``fts_rowid`` are set by the writers that own them).
POLICY_VALUE_COLUMNS = (
    "id", "title", "title_key", "doc_number", "doc_key", "publish_date", "effective_date", "end_date", "status",
    "level", "region", "policy_type", "is_cbec", "source", "summary", "notes", "full_text", "original_text",
    "extraction_evidence", "classification_evidence", "paper_type", "paper_date", "paper_issuers", "paper_title",
    "paper_doc_number", "content_hash",
)  # fmt: skip


def policy_values(policy: Policy, original_text: str | None, content_hash: str) -> tuple[object, ...]:
    """The ``policies`` row for ``policy`` as a tuple in :data:`POLICY_VALUE_COLUMNS` order.

    A plain tuple, because bulk writes hand thousands of rows straight to the driver's
    ``executemany``; :func:`policy_row` is the same row as a mapping for SQLAlchemy statements.
    """
    paper = policy.paper
    return (
        policy.id,
        policy.title,
        cached_title_key(policy.title),
        policy.doc_number,
        _doc_key(policy.doc_number),
        policy.publish_date,
        policy.effective_date,
        policy.end_date,
        policy.status,
        policy.level,
        policy.region,
        policy.policy_type,
        policy.is_cbec,
        policy.source,
        policy.summary,
        policy.notes,
        policy.full_text,
        original_text,
        dict(policy.extraction_evidence),
        dict(policy.classification_evidence),
        paper.policy_type if paper else None,
        paper.date_text if paper else None,
        paper.issuers_text if paper else None,
        paper.title if paper else None,
        paper.doc_number if paper else None,
        content_hash,
    )


def policy_row(policy: Policy, original_text: str | None, content_hash: str) -> dict[str, object]:
    """The ``policies`` row for ``policy`` (link tables are written by :func:`write_policy`)."""
    return dict(zip(POLICY_VALUE_COLUMNS, policy_values(policy, original_text, content_hash), strict=True))


def write_policy(
    conn: Connection,
    policy: Policy,
    *,
    original_text: str | None,
    content_hash: str,
    exists: bool,
    bundled_hash: str | None = None,
    with_relations: bool = True,
) -> None:
    """Insert or replace ``policy`` with its link rows and full-text entry on ``conn``."""
    row = policy_row(policy, original_text, content_hash)
    if bundled_hash is not None:
        row["bundled_hash"] = bundled_hash
    if exists:
        conn.execute(update(s.policies).where(s.policies.c.id == policy.id).values(**row))
        for table, column in (
            (s.policy_issuers, s.policy_issuers.c.policy_id),
            (s.policy_themes, s.policy_themes.c.policy_id),
            (s.policy_instruments, s.policy_instruments.c.policy_id),
            (s.policy_evidence, s.policy_evidence.c.policy_id),
        ):
            conn.execute(delete(table).where(column == policy.id))
        if with_relations:
            conn.execute(delete(s.policy_relations).where(s.policy_relations.c.source_id == policy.id))
    else:
        conn.execute(insert(s.policies).values(**row))
        bump_search_version(conn)
    ids = department_ids(conn, policy.issuers)
    _insert_many(
        conn,
        s.policy_issuers,
        [{"policy_id": policy.id, "position": i, "department_id": ids[name]} for i, name in enumerate(policy.issuers)],
    )
    _insert_many(
        conn,
        s.policy_themes,
        [{"policy_id": policy.id, "position": i, "theme": t} for i, t in enumerate(policy.themes)],
    )
    _insert_many(
        conn,
        s.policy_instruments,
        [{"policy_id": policy.id, "position": i, "instrument": t} for i, t in enumerate(policy.instruments)],
    )
    _insert_many(
        conn,
        s.policy_evidence,
        [{"policy_id": policy.id, "position": i, "url": url} for i, url in enumerate(policy.evidence)],
    )
    if with_relations:
        write_relations(conn, policy)
    index_policy(conn, policy.id, policy.title, policy.doc_number, policy.summary, policy.full_text)


def write_relations(conn: Connection, policy: Policy) -> None:
    """Insert ``policy``'s outgoing relations (the caller has deleted the old ones)."""
    _insert_many(
        conn,
        s.policy_relations,
        [
            {"source_id": policy.id, "position": i, "kind": rel.kind, "target_id": rel.target_id}
            for i, rel in enumerate(policy.relations)
        ],
    )


def _insert_many(conn: Connection, table: s.Table, rows: list[dict[str, object]]) -> None:
    if rows:
        conn.execute(insert(table), rows)


# --------------------------------------------------------------------------- reading

_CHUNK = 500  # stay well under SQLite's bound-parameter limit for IN (…) lists


_LINK_KINDS = ("issuers", "themes", "instruments", "evidence", "relations")


def _link_statement() -> CompoundSelect:
    """Every link row of the ids bound to ``:ids``, tagged with its table, in ONE statement (built once)."""
    ids = bindparam("ids", expanding=True)
    issuers, themes, instruments = s.policy_issuers.c, s.policy_themes.c, s.policy_instruments.c
    evidence, relations, departments = s.policy_evidence.c, s.policy_relations.c, s.departments.c
    return union_all(
        select(literal_column("'issuers'"), issuers.policy_id, issuers.position, departments.name, null())
        .join_from(s.policy_issuers, s.departments, departments.id == issuers.department_id)
        .where(issuers.policy_id.in_(ids)),
        select(literal_column("'themes'"), themes.policy_id, themes.position, themes.theme, null()).where(
            themes.policy_id.in_(ids)
        ),
        select(
            literal_column("'instruments'"), instruments.policy_id, instruments.position, instruments.instrument, null()
        ).where(instruments.policy_id.in_(ids)),
        select(literal_column("'evidence'"), evidence.policy_id, evidence.position, evidence.url, null()).where(
            evidence.policy_id.in_(ids)
        ),
        select(
            literal_column("'relations'"), relations.source_id, relations.position, relations.kind, relations.target_id
        ).where(relations.source_id.in_(ids)),
    )


_LINKS = _link_statement()


def _link_rows(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, list]]:
    """Every link row of ``ids`` (issuers, themes, instruments, evidence, outgoing relations), by table and id.

    One ``UNION ALL`` statement per chunk instead of one per link table: a policy page or a
    page of search hits reads its links in a single round trip.
    """
    grouped: dict[str, dict[str, list]] = {name: defaultdict(list) for name in _LINK_KINDS}
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(_LINKS, {"ids": list(ids[start : start + _CHUNK])}).all()
        for kind, policy_id, _position, a, b in sorted(rows, key=lambda row: row[2]):  # in position order
            grouped[kind][policy_id].append((a, b) if kind == "relations" else a)
    return grouped


def read_policies(conn: Connection, rows: Sequence) -> list[Policy]:
    """Build ``Policy`` records from ``policies`` rows (mappings), loading their link rows in bulk."""
    links = _link_rows(conn, [row["id"] for row in rows])
    return [_policy(row, *(links[kind][row["id"]] for kind in _LINK_KINDS)) for row in rows]


def _policy(row, issuers, themes, instruments, evidence, relations) -> Policy:
    paper = None
    if row["paper_title"] is not None:
        paper = PaperEntry(
            policy_type=row["paper_type"] or "",
            date_text=row["paper_date"] or "",
            issuers_text=row["paper_issuers"] or "",
            title=row["paper_title"],
            doc_number=row["paper_doc_number"] or "",
        )
    return Policy(
        id=row["id"],
        title=row["title"],
        doc_number=row["doc_number"],
        issuers=tuple(issuers),
        publish_date=row["publish_date"],
        effective_date=row["effective_date"],
        end_date=row["end_date"],
        status=row["status"],
        level=row["level"],
        policy_type=row["policy_type"],
        themes=tuple(themes),
        relations=tuple(Relation(kind, target) for kind, target in relations),
        paper=paper,
        summary=row["summary"] or "",
        evidence=tuple(evidence),
        notes=row["notes"] or "",
        region=row["region"],
        source=row["source"],
        full_text=row["full_text"],
        is_cbec=row["is_cbec"],
        instruments=tuple(instruments),
        extraction_evidence=dict(row["extraction_evidence"] or {}),
        classification_evidence=dict(row["classification_evidence"] or {}),
    )

"""``init``: build or upgrade the database from the bundled reference data.

Every bundled row carries a hash of its values (``bundled_hash``). A row that is missing is
inserted (new), a row whose hash differs is rewritten (updated), the rest are left alone
(unchanged) — so a second run changes nothing, and a corrected reference row reaches an
existing database. Data added by ingestion (full text, classification) on a bundled policy
is kept when the bundled row changes. Everything runs in the caller's one transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import Connection, Table, insert, select, tuple_, update

from cbec_policy.docnumber import doc_number_key
from cbec_policy.labels import THEMES
from cbec_policy.models import Policy
from cbec_policy.places import pinyin_of, short_name
from cbec_policy.reference import (
    load_departments,
    load_national_policies,
    load_pilot_batches,
    load_pilot_zones,
    load_positive_list,
    load_trade_stats,
)
from cbec_policy.store import schema as s
from cbec_policy.store.hashing import record_hash
from cbec_policy.store.policy_rows import read_policies, write_policy
from cbec_policy.store.records import InitSummary, TableCounts

Progress = Callable[[str, int, int], None]  # (table, rows done, rows in table)


def _no_progress(table: str, done: int, total: int) -> None:
    return None


def load_bundled(conn: Connection, summary: InitSummary, progress: Progress | None = None) -> None:
    """Load every bundled table into the database on ``conn``, counting outcomes in ``summary``."""
    report = progress or _no_progress
    _upsert(conn, s.departments, ("name",), _department_rows(), summary.tables["departments"], report)
    _upsert(conn, s.themes, ("code",), _theme_rows(), summary.tables["themes"], report)
    _load_policies(conn, summary.tables["policies"], report)
    _upsert(conn, s.pilot_batches, ("batch",), _batch_rows(), summary.tables["pilot_batches"], report)
    _upsert(conn, s.pilot_zones, ("batch", "zone_name"), _zone_rows(), summary.tables["pilot_zones"], report)
    _upsert(conn, s.trade_stats, ("year", "period", "release"), _trade_rows(), summary.tables["trade_stats"], report)
    _upsert(
        conn,
        s.positive_list_versions,
        ("label",),
        _positive_rows(),
        summary.tables["positive_list_versions"],
        report,
    )


def _upsert(
    conn: Connection,
    table: Table,
    keys: tuple[str, ...],
    rows: list[dict[str, object]],
    counts: TableCounts,
    report: Progress,
) -> None:
    """Insert new rows, rewrite rows whose values changed, count the unchanged ones."""
    hash_column = "bundled_hash" if "bundled_hash" in table.c else None
    key_columns = [table.c[name] for name in keys]
    existing: dict[tuple, object] = {}
    compare = [table.c[name] for name in rows[0]] if rows and hash_column is None else []
    selected = [*key_columns, table.c[hash_column]] if hash_column else [*key_columns, *compare]
    for row in conn.execute(select(*selected)):
        key = tuple(row[: len(keys)])
        existing[key] = (
            row[len(keys)] if hash_column else dict(zip([c.name for c in compare], row[len(keys) :], strict=True))
        )
    fresh = []
    for done, row in enumerate(rows, start=1):
        key = tuple(row[name] for name in keys)
        if hash_column:
            row = {**row, hash_column: record_hash(row)}
        if key not in existing:
            fresh.append(row)
            counts.add("new")
        elif (existing[key] == row[hash_column]) if hash_column else (existing[key] == row):
            counts.add("unchanged")
        else:
            where = tuple_(*key_columns) == key if len(keys) > 1 else key_columns[0] == key[0]
            conn.execute(update(table).where(where).values(**row))
            counts.add("updated")
        if done % 50 == 0 or done == len(rows):
            report(table.name, done, len(rows))
    if fresh:
        conn.execute(insert(table), fresh)


def _department_rows() -> list[dict[str, object]]:
    return [
        {"name": d.name, "short_forms": list(d.short_forms), "en": d.en, "kind": d.kind} for d in load_departments()
    ]


def _theme_rows() -> list[dict[str, object]]:
    return [{"code": t.code, "zh": t.zh, "en": t.en, "position": i} for i, t in enumerate(THEMES)]


def _batch_rows() -> list[dict[str, object]]:
    return [
        {
            "batch": b.batch,
            "approval_date": b.approval_date,
            "doc_number": b.doc_number,
            "doc_key": doc_number_key(b.doc_number),
            "title": b.title,
            "zone_count": b.zone_count,
            "cumulative_count": b.cumulative_count,
        }
        for b in load_pilot_batches()
    ]


def _zone_rows() -> list[dict[str, object]]:
    return [
        {
            "batch": z.batch,
            "approval_date": z.approval_date,
            "doc_number": z.doc_number,
            "zone_name": z.zone_name,
            "city": z.city,
            "city_pinyin": pinyin_of(short_name(z.city)),
            "province": z.province,
            "region": z.region,
            "admin_level": z.admin_level,
            "confidence": z.confidence,
            "revoked_date": z.revoked_date,
            "revoked_by": z.revoked_by,
            "evidence": list(z.evidence),
        }
        for z in load_pilot_zones()
    ]


def _trade_rows() -> list[dict[str, object]]:
    rows = []
    for t in load_trade_stats():
        row = dataclasses.asdict(t)
        rows.append(row)
    return rows


def _positive_rows() -> list[dict[str, object]]:
    return [
        {
            "label": v.label,
            "doc_number": v.doc_number,
            "announced": v.announced,
            "effective": v.effective,
            "tariff_lines": v.tariff_lines,
            "status": v.status,
            "url": v.url,
            # JSON columns need plain values: YAML may give dates.
            "extras": _jsonable(v.extras),
        }
        for v in load_positive_list()
    ]


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# Fields that ingestion or classification add to a bundled policy; kept when the bundled row changes.
_INGESTED_FIELDS = ("full_text", "is_cbec", "instruments", "extraction_evidence", "classification_evidence")


def _load_policies(conn: Connection, counts: TableCounts, report: Progress) -> None:
    bundled = load_national_policies()
    stored = {
        row.id: row
        for row in conn.execute(
            select(s.policies.c.id, s.policies.c.bundled_hash, s.policies.c.original_text).where(
                s.policies.c.id.in_([p.id for p in bundled])
            )
        )
    }
    for done, policy in enumerate(bundled, start=1):
        bundled_hash = record_hash(policy)
        previous = stored.get(policy.id)
        if previous is not None and previous.bundled_hash == bundled_hash:
            counts.add("unchanged")
        else:
            original_text = previous.original_text if previous is not None else None
            merged = _merge_ingested(conn, policy) if previous is not None else policy
            write_policy(
                conn,
                merged,
                original_text=original_text,
                content_hash=record_hash(merged, original_text),
                exists=previous is not None,
                bundled_hash=bundled_hash,
            )
            counts.add("updated" if previous is not None else "new")
        if done % 10 == 0 or done == len(bundled):
            report("policies", done, len(bundled))


def _merge_ingested(conn: Connection, policy: Policy) -> Policy:
    """``policy`` with the ingested fields of its stored version where the bundled row has none."""
    row = conn.execute(select(s.policies).where(s.policies.c.id == policy.id)).mappings().one()
    stored = read_policies(conn, [row])[0]
    changes = {
        name: getattr(stored, name)
        for name in _INGESTED_FIELDS
        if getattr(policy, name) in (None, (), {}) and getattr(stored, name) not in (None, (), {})
    }
    return dataclasses.replace(policy, **changes) if changes else policy

"""The ``Store``: one object through which every other part of the system reads and writes the database.

SQLite (the default, a file in the user's data directory) or PostgreSQL (through psycopg 3,
when a ``postgresql://`` URL is given); how each is connected is :mod:`cbec_policy.store.engine`.
Writes take the write lock at the start of their transaction, so two writers queue instead of
failing half-way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, inspect, literal_column, or_, select, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from cbec_policy.docnumber import doc_number_key
from cbec_policy.errors import InputError
from cbec_policy.labels import REGIONS, RELATION_INVERSES, find_label
from cbec_policy.models import PilotBatch, PilotZone, Policy, PositiveListVersion, TradeStat
from cbec_policy.places import find_provinces, lookup_place
from cbec_policy.store import schema as s
from cbec_policy.store.bulk import BulkSession, validate_policy
from cbec_policy.store.changes import counting_changes
from cbec_policy.store.engine import make_engine, opened_file
from cbec_policy.store.filters import PolicyFilters, filter_condition
from cbec_policy.store.hashing import record_hash
from cbec_policy.store.loading import Progress, load_bundled
from cbec_policy.store.policy_rows import read_policies, title_key, write_policy
from cbec_policy.store.reads import PolicyReads
from cbec_policy.store.records import InitSummary, ZoneLookup, zone_lookup_from_answer
from cbec_policy.store.search import SearchCache, ensure_search_index
from cbec_policy.store.search_pg import fold_pending_entries
from cbec_policy.store.url import default_db_url, mask_url, parse_db_url

# Every column a Policy is built from: the large original text is read only by get_original_text.
_POLICY_COLUMNS = [column for column in s.policies.c if column.name != "original_text"]
# The statements of the web's hot reads (search hits, policy pages), built once: SQLAlchemy then
# finds their compiled form by a cache key memoised on the object instead of rebuilding the key
# from a fresh statement on every request. Lists of ids are bound as expanding parameters.
_p = s.policies.c
_r = s.policy_relations.c
_POLICY_BY_ID = select(*_POLICY_COLUMNS).where(_p.id == bindparam("id"))
_POLICY_BY_DOC_KEY = (
    select(*_POLICY_COLUMNS)
    .where(_p.doc_key == bindparam("doc_key"))
    .order_by(_p.publish_date.is_(None), _p.publish_date, _p.id)
    .limit(1)
)
_POLICIES_BY_IDS = select(*_POLICY_COLUMNS).where(_p.id.in_(bindparam("ids", expanding=True)))
# A policy's relations both ways in one statement (a policy page reads them on every view):
# the ones it states first, in its own order, then the ones stated about it, by the stating
# policy. ``source`` is empty on the stated side so that it sorts by position alone.
_RELATIONS_BOTH = union_all(
    select(literal_column("0").label("incoming"), _r.kind, _r.target_id.label("other"),
           literal_column("''").label("source"), _r.position).where(_r.source_id == bindparam("id")),
    select(literal_column("1").label("incoming"), _r.kind, _r.source_id.label("other"),
           _r.source_id.label("source"), _r.position).where(_r.target_id == bindparam("id")),
).order_by("incoming", "source", "position")  # fmt: skip


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open (and create the schema of, if missing) the database at ``url``.

    ``None`` means ``$CBEC_DB_URL`` or the SQLite file in the user data directory. A URL that
    cannot be parsed or a server that cannot be reached raises :class:`InputError` naming
    the URL with its password masked. With ``create=False`` a SQLite file that does not exist
    is an error instead of a new empty database: a server must not quietly start over on an
    empty store when its file has gone (``cbec init`` or an explicit flag creates one).
    """
    raw = url if url is not None and url.strip() else default_db_url()
    parsed = parse_db_url(raw)
    masked = mask_url(raw)
    engine = make_engine(parsed, masked, create=create)
    try:
        with engine.connect() as conn:
            conn.info["immediate"] = True
            with conn.begin():
                _create_schema(conn, masked)
    except DBAPIError as exc:
        engine.dispose()
        raise InputError(f"database URL {masked!r}", _reason(exc)) from None
    except InputError:
        engine.dispose()
        raise
    identity = opened_file(engine)
    if identity is not None:
        identity.remember()  # the file now exists: this is the one every later write must go to
    return Store(engine, masked)


def _reason(exc: BaseException) -> str:
    """The first meaningful line of a driver error."""
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__


def _create_schema(conn: Connection, masked: str) -> None:
    s.metadata.create_all(conn, checkfirst=True)
    _check_columns(conn, masked)
    ensure_search_index(conn)
    version = conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar()
    if version is None:
        conn.execute(insert(s.meta).values(key="schema_version", value=str(s.SCHEMA_VERSION)))
    elif int(version) > s.SCHEMA_VERSION:
        raise InputError(
            f"database URL {masked!r}",
            f"schema version {version} was written by a newer cbec-policy (this one knows {s.SCHEMA_VERSION})",
        )


def _check_columns(conn: Connection, masked: str) -> None:
    """Refuse a database whose tables lack columns this version needs, instead of failing later."""
    inspector = inspect(conn)
    for table in s.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column.name for column in table.columns if column.name not in present]
        if missing:
            raise InputError(
                f"database URL {masked!r}",
                f"table {table.name} lacks columns {', '.join(missing)} (made by an older development version; "
                "use a new database file or drop the old one)",
            )


class Store(PolicyReads):
    """Policies, pilot zones and reference tables in one database (see the module docstring)."""

    def __init__(self, engine: Engine, masked_url: str) -> None:
        self._engine = engine
        self.url = masked_url  # password masked: safe to print
        self._search_cache = SearchCache()

    # ------------------------------------------------------------------ plumbing

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _read_statement(self) -> Iterator[Connection]:
        """A connection for ONE read statement: on PostgreSQL in autocommit, saving BEGIN and COMMIT.

        A single statement sees one snapshot by itself; reads of several statements use
        :meth:`_read`, whose transaction gives them one snapshot together.
        """
        if self.dialect != "postgresql":
            with self._read() as conn:
                yield conn
            return
        with self._engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def _write(self, *, counted: bool = True) -> Iterator[Connection]:
        """One transaction holding the write lock from its start: all of it lands or none of it."""
        with self._engine.connect() as conn:
            conn.info["immediate"] = True
            with conn.begin(), counting_changes(conn) if counted else nullcontext(conn):  # counter moves with data
                yield conn

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """One transaction for a library module that keeps its own table (the buyer ledger; not counted)."""
        with self._write(counted=False) if write else self._read() as conn:
            yield conn

    @contextmanager
    def bulk(self, *, write: bool = True) -> Iterator[BulkSession]:
        """One transaction for a chunk of documents (see :mod:`cbec_policy.store.bulk`).

        With ``write`` the transaction takes the write lock at its start and commits when the
        block ends; without it (a dry run) it only reads and is rolled back.
        """
        with self._engine.connect() as conn:
            conn.info["immediate"] = write
            transaction = conn.begin()
            try:
                with counting_changes(conn):
                    yield BulkSession(conn)
            except BaseException:
                transaction.rollback()
                raise
            transaction.commit() if write else transaction.rollback()

    def fold_search_index(self) -> int:
        """After writing many documents: fold the search index's pending entries in (PostgreSQL; 0 on SQLite).

        See :func:`cbec_policy.store.search_pg.fold_pending_entries`: the searches after a
        large ingest then read the index alone. Returns the index pages folded.
        """
        if self.dialect != "postgresql":
            return 0
        with self._engine.connect() as conn, conn.begin():
            return fold_pending_entries(conn)

    def close(self) -> None:
        """Release every connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ init

    def init(self, progress: Progress | None = None) -> InitSummary:
        """Load or upgrade the bundled reference data in one transaction; idempotent.

        ``progress(table, done, total)`` is called as rows are compared (for a progress bar).
        """
        summary = InitSummary(url=self.url)
        with self._write() as conn:
            load_bundled(conn, summary, progress)
            conn.execute(s.meta.update().where(s.meta.c.key == "schema_version").values(value=str(s.SCHEMA_VERSION)))
        return summary

    # ------------------------------------------------------------------ policies

    def list_policies(
        self,
        *,
        policy_type: str | None = None,
        theme: str | None = None,
        issuer: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        status: str | None = None,
        level: str | None = None,
        in_force_on: date | None = None,
        cbec_only: bool = False,
    ) -> list[Policy]:
        """Policies matching every given filter, ordered by publish date (unknown dates last).

        ``cbec_only`` leaves out the documents judged not CBEC (see :meth:`list_cbec_policies`).

        Vocabulary filters take the code or the Chinese label (``tax`` or ``税收类``); an
        unknown value raises :class:`InputError`. ``issuer`` is alias-aware (税务总局 finds
        国家税务总局). ``date_from``/``date_to`` bound the publish date (inclusive).

        ``in_force_on`` keeps a policy unless its dates and status show it was *not* in force
        that day (``Policy.in_force_on`` is False). Policies whose validity cannot be decided
        (e.g. 已失效 with no known end date) are kept, so nothing is silently dropped; callers
        that must tell them apart call ``policy.in_force_on(day)``, which returns None for them.
        """
        filters = PolicyFilters(
            policy_type=policy_type, theme=theme, issuer=issuer, date_from=date_from, date_to=date_to,
            status=status, level=level, in_force_on=in_force_on,
        ).checked()  # fmt: skip
        p = s.policies.c
        with self._read() as conn:
            query = select(*_POLICY_COLUMNS).where(filter_condition(conn, filters))
            if cbec_only:
                query = query.where(or_(p.is_cbec.is_(None), p.is_cbec.is_(True)))
            query = query.order_by(p.publish_date.is_(None), p.publish_date, p.id)
            rows = conn.execute(query).mappings().all()
            policies = read_policies(conn, rows)
        if in_force_on:
            policies = [policy for policy in policies if policy.in_force_on(in_force_on) is not False]
        return policies

    def list_cbec_policies(self, **filters: Any) -> list[Policy]:
        """What every CBEC statistic counts (dashboard, tables, periods, network, report).

        Documents judged not CBEC stay stored and searchable but are left out until relabelled;
        documents nobody judged yet are kept (nothing is dropped silently).
        """
        return self.list_policies(cbec_only=True, **filters)

    def get_policy(self, id_or_doc_number: str) -> Policy | None:
        """The policy with this id, or else with this document number in any bracket form."""
        with self._read() as conn:
            return _policy_by_key(conn, id_or_doc_number)

    def get_policy_with_relations(self, id_or_doc_number: str) -> tuple[Policy, list[tuple[str, Policy]]] | None:
        """:meth:`get_policy` and :meth:`relations_of` in one read transaction (what a policy page shows).

        One connection and one snapshot instead of two: on PostgreSQL each read transaction
        costs round trips of its own (BEGIN, COMMIT) besides its statements.
        """
        with self._read() as conn:
            policy = _policy_by_key(conn, id_or_doc_number)
            return (policy, _relations_of(conn, policy.id)) if policy is not None else None

    def get_original_text(self, policy_id: str) -> str | None:
        """The original text a policy was ingested from (None when there is none)."""
        with self._read() as conn:
            return conn.execute(select(s.policies.c.original_text).where(s.policies.c.id == policy_id)).scalar()

    def relations_of(self, policy_id: str) -> list[tuple[str, Policy]]:
        """(relation seen from ``policy_id``, other policy), both directions, without duplicates.

        A relation stored as ``A amends B`` appears as ``("amends", B)`` for A and as
        ``("amended_by", A)`` for B; targets that are not stored are left out.
        """
        with self._read() as conn:
            return _relations_of(conn, policy_id)

    def find_matching_policy(self, doc_number: str | None, title: str | None, publish_date: date | None) -> str | None:
        """The id of a stored policy that is the same document, or None.

        A document number decides alone (any bracket form); without one, the title must be
        the same (ignoring spaces and punctuation) and, when both dates are known, the
        publish date too.
        """
        p = s.policies.c
        with self._read() as conn:
            if doc_number and doc_number.strip():
                rows = conn.execute(
                    select(p.id, p.publish_date).where(p.doc_key == doc_number_key(doc_number)).order_by(p.id)
                ).all()
                if rows:
                    same_day = [row.id for row in rows if publish_date and row.publish_date == publish_date]
                    return same_day[0] if same_day else rows[0].id
            if title and title.strip():
                rows = conn.execute(
                    select(p.id, p.publish_date).where(p.title_key == title_key(title)).order_by(p.id)
                ).all()
                for row in rows:
                    if publish_date is None or row.publish_date is None or row.publish_date == publish_date:
                        return row.id
        return None

    def save_policy(self, policy: Policy, *, original_text: str | None = None) -> str:
        """Insert or replace ``policy`` (and its full-text entry) in ONE transaction.

        Returns ``"new"``, ``"updated"`` or ``"unchanged"`` (identical to what is stored).
        Invalid vocabulary values raise :class:`InputError` and nothing is written.
        """
        validate_policy(policy)
        content_hash = record_hash(policy, original_text)
        with self._write() as conn:
            stored = conn.execute(select(s.policies.c.content_hash).where(s.policies.c.id == policy.id)).first()
            if stored is not None and stored.content_hash == content_hash:
                return "unchanged"
            write_policy(
                conn, policy, original_text=original_text, content_hash=content_hash, exists=stored is not None
            )
        return "updated" if stored is not None else "new"

    def delete_policy(self, policy_id: str) -> bool:
        """Remove one policy with its link rows and full-text entry; True when it existed."""
        with self._write() as conn:
            # SQLite's index entries go with the row, by trigger (store.search_fts, store.search_brief).
            result = conn.execute(s.policies.delete().where(s.policies.c.id == policy_id))
        return result.rowcount > 0

    def count_policies(self) -> int:
        """How many policies are stored."""
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(s.policies)).scalar_one())

    # ------------------------------------------------------------------ pilot zones

    def list_batches(self) -> list[PilotBatch]:
        """The approval batches of pilot zones, in order."""
        b = s.pilot_batches.c
        with self._read() as conn:
            rows = conn.execute(select(s.pilot_batches).order_by(b.batch)).mappings().all()
        return [
            PilotBatch(
                batch=row["batch"],
                approval_date=row["approval_date"],
                doc_number=row["doc_number"],
                title=row["title"],
                zone_count=row["zone_count"],
                cumulative_count=row["cumulative_count"],
            )
            for row in rows
        ]

    def list_zones(
        self,
        *,
        batch: int | None = None,
        province: str | None = None,
        region: str | None = None,
        on: date | None = None,
    ) -> list[PilotZone]:
        """Pilot-zone approvals, by batch then name; ``on`` keeps those approved and not revoked that day.

        ``province`` accepts 浙江 or 浙江省; ``region`` the code or label (东部/east …).
        """
        z = s.pilot_zones.c
        query = select(s.pilot_zones).order_by(z.batch, z.id)
        if batch is not None:
            query = query.where(z.batch == batch)
        if region is not None:
            query = query.where(z.region == find_label(REGIONS, region, "region").zh)
        if province is not None and province.strip():
            # 浙江, 浙江省, Zhejiang, 臺灣 …: every province-level unit the name may mean.
            query = query.where(z.province.in_(find_provinces(province)))
        with self._read() as conn:
            zones = [_zone(row) for row in conn.execute(query).mappings()]
        if on is not None:
            zones = [zone for zone in zones if zone.in_force_on(on)]
        return zones

    def lookup_zone(self, name: str, on: date) -> ZoneLookup:
        """Whether the place ``name`` (杭州, 常熟, 浦東, Taizhou …) is inside a pilot zone on ``on``.

        See :class:`ZoneLookup`; the answer comes from the place hierarchy over the stored zones.
        """
        z = s.pilot_zones.c
        with self._read() as conn:
            rows = conn.execute(select(s.pilot_zones).order_by(z.batch, z.id)).mappings().all()
        return zone_lookup_from_answer(lookup_place(name, on, [_zone(row) for row in rows], self.list_batches()))

    # ------------------------------------------------------------------ other reference tables

    def list_trade_stats(self) -> list[TradeStat]:
        """CBEC trade totals by year and period, oldest first."""
        t = s.trade_stats
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.year, t.c.period)).mappings().all()
        names = [f.name for f in dataclasses.fields(TradeStat)]
        return [TradeStat(**{name: row[name] for name in names}) for row in rows]

    def list_positive_list_versions(self) -> list[PositiveListVersion]:
        """Versions of the retail import positive list, oldest first."""
        t = s.positive_list_versions
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.announced, t.c.label)).mappings().all()
        return [
            PositiveListVersion(
                label=row["label"],
                doc_number=row["doc_number"],
                announced=row["announced"],
                effective=row["effective"],
                tariff_lines=row["tariff_lines"],
                status=row["status"],
                url=row["url"],
                extras=dict(row["extras"] or {}),
            )
            for row in rows
        ]


def _policy_by_key(conn: Connection, id_or_doc_number: str) -> Policy | None:
    """The policy with this id, or else with this document number in any bracket form."""
    key = id_or_doc_number.strip()
    if not key:
        return None
    row = conn.execute(_POLICY_BY_ID, {"id": key}).mappings().first()
    if row is None:
        row = conn.execute(_POLICY_BY_DOC_KEY, {"doc_key": doc_number_key(key)}).mappings().first()
    return read_policies(conn, [row])[0] if row is not None else None


def _relations_of(conn: Connection, policy_id: str) -> list[tuple[str, Policy]]:
    """:meth:`Store.relations_of` on the caller's connection."""
    pairs: list[tuple[str, str]] = []
    for incoming, stated, other, _, _ in conn.execute(_RELATIONS_BOTH, {"id": policy_id}):
        # Seen from the other end, "A amends B" is "B amended_by A".
        kind = RELATION_INVERSES.get(stated, stated) if incoming else stated
        if other != policy_id and (kind, other) not in pairs:
            pairs.append((kind, other))
    if not pairs:
        return []
    rows = conn.execute(_POLICIES_BY_IDS, {"ids": sorted({o for _, o in pairs})}).mappings().all()
    by_id = {policy.id: policy for policy in read_policies(conn, rows)}
    return [(kind, by_id[other]) for kind, other in pairs if other in by_id]


def _zone(row: Any) -> PilotZone:
    return PilotZone(
        batch=row["batch"],
        approval_date=row["approval_date"],
        doc_number=row["doc_number"],
        zone_name=row["zone_name"],
        city=row["city"],
        province=row["province"],
        region=row["region"],
        admin_level=row["admin_level"],
        confidence=row["confidence"],
        revoked_date=row["revoked_date"],
        revoked_by=row["revoked_by"],
        evidence=tuple(row["evidence"] or ()),
    )

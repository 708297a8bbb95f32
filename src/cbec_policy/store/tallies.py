"""The counts behind the dashboard and ``/api/stats``, as plain grouped values from the database.

The dashboard counts policies by level, status, type, theme and year, and tells how many are
in force today. Loading ten thousand policies to count them cost about a second on the first
request after every write. The counts are now kept on write (:mod:`cbec_policy.store.tally_upkeep`)
and read in about a millisecond; only whether a policy is in force on the day asked about is
read from the rows, from the few policies whose dates exclude that day. What a group means (which level is national,
which type a row has, whether it is in force) is decided by the caller from these plain
values, in the one place that decides it for every statistic (:mod:`cbec_policy.analysis`).

Every figure counts the policies the statistics count: those not judged "not CBEC"
(``is_cbec`` NULL or true).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, Integer, Select, bindparam, cast, extract, func, or_, select, text, union
from sqlalchemy.sql.elements import ColumnElement

from cbec_policy.store import schema as s
from cbec_policy.store.tally_upkeep import DATED_TOTAL_SQL, TALLY_READ_SQL, THEME_TALLY_READ_SQL

_p = s.policies.c


@dataclass(frozen=True)
class CorpusTallies:
    """Grouped counts of the CBEC policies (see the module docstring); every key is a stored value.

    * ``by_level_status``: (level, status) → policies;
    * ``national_on_day``: national policies by (status, start known, starts after the day,
      end known, ended before the day), the start being the effective date or else the publish
      date: all an in-force verdict for that day looks at;
    * ``national_types``: national dated policies by (year, type code, the paper's type);
    * ``national_themes``: national dated policies by (year, theme), each policy once per theme;
    * ``national_undated``: national policies without a publish date.
    """

    by_level_status: dict[tuple[str, str], int]
    national_on_day: dict[tuple[str, bool, bool, bool, bool], int]
    national_types: dict[tuple[int, str | None, str | None], int]
    national_themes: dict[tuple[int, str], int]
    national_undated: int


@dataclass(frozen=True)
class TimelineRow:
    """One dated national CBEC policy as the timeline lists it."""

    id: str
    title: str
    doc_number: str | None
    publish_date: date
    policy_type: str | None
    paper_type: str | None


def _counted() -> ColumnElement[bool]:
    return or_(_p.is_cbec.is_(None), _p.is_cbec.is_(True))


def _year(dialect: str) -> ColumnElement[int]:
    """The publish year; on SQLite the first four characters of the stored ISO date (cheaper than strftime)."""
    if dialect == "sqlite":
        return cast(func.substr(_p.publish_date, 1, 4), Integer)
    return cast(extract("year", _p.publish_date), Integer)


def _statements(dialect: str) -> tuple[Select[Any], Select[Any]]:
    """The two grouped reads over every counted row, built once per dialect (the day and the national code are bound).

    The reference the kept counts are checked against (:func:`tallies_match_rows`), and what
    the dashboard read before they were kept.
    """
    year = _year(dialect)
    day = bindparam("day", type_=Date)
    # The comparisons, not the dates, are grouped: a handful of groups instead of one per date.
    keys = (_p.level, _p.status, year, _p.policy_type, _p.paper_type, *_day_flags(day))
    groups = select(*keys, func.count()).where(_counted()).group_by(*keys)
    t = s.policy_themes.c
    themes = (
        select(year, t.theme, func.count(func.distinct(t.policy_id)))
        .select_from(s.policies.join(s.policy_themes, _p.id == t.policy_id))
        .where(_counted(), _p.level == bindparam("national"), _p.publish_date.is_not(None))
        .group_by(year, t.theme)
    )
    return groups, themes


def _day_flags(day: Any) -> tuple[ColumnElement[bool], ...]:
    """What an in-force verdict on ``day`` looks at: start known, starts after it, end known, ended before it."""
    start = func.coalesce(_p.effective_date, _p.publish_date)
    return (start.is_not(None), func.coalesce(start > day, False), _p.end_date.is_not(None),
            func.coalesce(_p.end_date < day, False))  # fmt: skip


def _excluded_statement() -> Select[Any]:
    """The national counted policies whose dates exclude the day, grouped as ``national_on_day`` is.

    The only part of the counts that depends on the day, so it is not kept: these are the few
    policies not yet in force or already expired.
    """
    day = bindparam("day", type_=Date)
    start = func.coalesce(_p.effective_date, _p.publish_date)
    keys = (_p.status, *_day_flags(day))
    # Found by the index of the start and the index of the end, one lookup each (a UNION, so a
    # policy both starting after and ended before the day is counted once): written as one OR,
    # both backends read every national policy's entry instead (2 ms at 10,000 policies).
    excluded = union(select(_p.id).where(start > day), select(_p.id).where(_p.end_date < day))
    return (
        select(*keys, func.count())
        .where(_counted(), _p.level == bindparam("national"), _p.id.in_(excluded))
        .group_by(*keys)
    )


_STATEMENTS = {dialect: _statements(dialect) for dialect in ("sqlite", "postgresql")}
_EXCLUDED = _excluded_statement()
_KEPT = text(TALLY_READ_SQL)
_KEPT_THEMES = text(THEME_TALLY_READ_SQL)
_DATED_TOTAL = text(DATED_TOTAL_SQL)


def corpus_tallies(conn: Connection, national: str, day: date) -> CorpusTallies:
    """The counts from the kept tallies (:mod:`cbec_policy.store.tally_upkeep`) and the policies the day excludes.

    ``national`` is the national level's code. Equal to :func:`scanned_corpus_tallies`, at the
    cost of reading some sixty kept counts and the few policies out of force on the day.
    """
    by_level_status: dict[tuple[str, str], int] = {}
    national_known: dict[tuple[str, bool, bool], int] = {}
    types: dict[tuple[int, str | None, str | None], int] = {}
    undated = 0
    for level, status, year, policy_type, paper_type, start_known, end_known, n in conn.execute(_KEPT):
        n = int(n)
        by_level_status[(level, status)] = by_level_status.get((level, status), 0) + n
        if level != national:
            continue
        known = (status, bool(start_known), bool(end_known))
        national_known[known] = national_known.get(known, 0) + n
        if year == 0:
            undated += n
        else:
            key = (int(year), policy_type or None, paper_type or None)
            types[key] = types.get(key, 0) + n
    # Every national policy is in force by its dates unless it is among those the day excludes.
    on_day: dict[tuple[str, bool, bool, bool, bool], int] = {}
    for status, start_known, after, end_known, before, n in conn.execute(_EXCLUDED, {"day": day, "national": national}):
        key = (status, bool(start_known), bool(after), bool(end_known), bool(before))
        on_day[key] = on_day.get(key, 0) + n
        national_known[(status, key[1], key[3])] = national_known.get((status, key[1], key[3]), 0) - n
    for (status, start_known, end_known), n in national_known.items():
        if n:
            on_day[(status, start_known, False, end_known, False)] = n
    return CorpusTallies(
        by_level_status=by_level_status,
        national_on_day=on_day,
        national_types=types,
        national_themes={(int(y), theme): int(n) for y, theme, n in conn.execute(_KEPT_THEMES, {"national": national})},
        national_undated=undated,
    )


def scanned_corpus_tallies(conn: Connection, national: str, day: date) -> CorpusTallies:
    """The same counts grouped from every counted row in two queries (the reference for the kept ones)."""
    groups, themes = _STATEMENTS[conn.dialect.name]
    by_level_status: dict[tuple[str, str], int] = {}
    on_day: dict[tuple[str, bool, bool, bool, bool], int] = {}
    types: dict[tuple[int, str | None, str | None], int] = {}
    undated = 0
    for level, status, year, policy_type, paper_type, *flags, n in conn.execute(groups, {"day": day}):
        by_level_status[(level, status)] = by_level_status.get((level, status), 0) + n
        if level != national:
            continue
        key = (status, *(bool(flag) for flag in flags))
        on_day[key] = on_day.get(key, 0) + n  # type: ignore[index]
        if year is None:
            undated += n
        else:
            types[(int(year), policy_type, paper_type)] = types.get((int(year), policy_type, paper_type), 0) + n
    return CorpusTallies(
        by_level_status=by_level_status,
        national_on_day=on_day,
        national_types=types,
        national_themes={
            (int(y), theme): int(n) for y, theme, n in conn.execute(themes, {"national": national, "day": day})
        },
        national_undated=undated,
    )


def tallies_match_rows(conn: Connection, national: str, day: date) -> bool:
    """Whether the kept counts equal the counts grouped from the rows (a check for tests and operators)."""
    return corpus_tallies(conn, national, day) == scanned_corpus_tallies(conn, national, day)


def timeline_rows(
    conn: Connection, national: str, limit: int, *, complete_only: bool = False
) -> tuple[list[TimelineRow], int]:
    """The newest ``limit`` dated national CBEC policies, oldest first (then by id), and how many there are.

    With ``complete_only`` no rows are read when there are more than ``limit``: a caller that
    draws every policy or none (the dashboard) then reads only the count.
    """
    # How many, from the kept counts: counting the rows grew with the corpus (6 ms at 10,000).
    total = int(conn.execute(_DATED_TOTAL, {"level": national}).scalar() or 0)
    if complete_only and total > limit:
        return [], total
    # Every date here is known; NULLS LAST only lets PostgreSQL walk its newest-first index.
    newest = _p.publish_date.desc() if conn.dialect.name == "sqlite" else _p.publish_date.desc().nulls_last()
    # On SQLite the level is compared through coalesce (the same test: level is never NULL) so
    # that no index of level is used: walking the dates newest first stops after ``limit`` rows,
    # where the level's index made SQLite sort every national policy, titles and all.
    # PostgreSQL's planner walks its newest-first index by itself (and misjudges the coalesce).
    level = func.coalesce(_p.level, "") if conn.dialect.name == "sqlite" else _p.level
    walked = (_counted(), level == national, _p.publish_date.is_not(None))
    statement = (
        select(_p.id, _p.title, _p.doc_number, _p.publish_date, _p.policy_type, _p.paper_type)
        .where(*walked)
        .order_by(newest, _p.id.desc())
        .limit(limit)
    )
    return [TimelineRow(*row) for row in reversed(conn.execute(statement).all())], total


# Covering indexes of the grouped counts (the rows of the large policies table are never read)
# and the orders of policy lists.
TALLY_INDEXES = (
    # Made before the id was in it: the themes' join then read every national policy's row.
    "DROP INDEX IF EXISTS ix_policies_tallies",
    # The id makes it cover the join to the themes as well, not only the grouped counts.
    "CREATE INDEX IF NOT EXISTS ix_policies_counted ON policies "
    "(level, status, is_cbec, publish_date, effective_date, end_date, policy_type, paper_type, id)",
    "CREATE INDEX IF NOT EXISTS ix_policy_themes_policy_theme ON policy_themes (policy_id, theme)",
    # The policies a day excludes (not yet in force, or ended): found by their start and by
    # their end, instead of reading every national policy's entry (see _excluded_statement).
    "CREATE INDEX IF NOT EXISTS ix_policies_start ON policies ((coalesce(effective_date, publish_date)))",
    "CREATE INDEX IF NOT EXISTS ix_policies_end ON policies (end_date)",
    # The default order of policy lists (store.finding, newest first; unknown dates last).
    "CREATE INDEX IF NOT EXISTS ix_policies_list_early ON policies ((coalesce(publish_date, '0001-01-01')), id)",
    # A list of one status (the dashboard's status counts link to it), newest first, common or rare.
    "CREATE INDEX IF NOT EXISTS ix_policies_list_status ON policies "
    "(status, (coalesce(publish_date, '0001-01-01')), id)",
)


def ensure_tally_indexes(conn: Connection) -> None:
    """Create the covering indexes of :func:`corpus_tallies` if missing (idempotent, both backends)."""
    for statement in TALLY_INDEXES:
        conn.exec_driver_sql(statement)

"""The counts behind the dashboard and ``/api/stats``, grouped inside the database.

The dashboard counts policies by level, status, type, theme and year, and tells how many are
in force today. Loading ten thousand policies to count them cost about a second on the first
request after every write; the database groups the same rows in a few milliseconds over
small columns, and only the groups leave it. What a group means (which level is national,
which type a row has, whether it is in force) is decided by the caller from these plain
values, in the one place that decides it for every statistic (:mod:`cbec_policy.analysis`).

Every figure counts the policies the statistics count: those not judged "not CBEC"
(``is_cbec`` NULL or true).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Integer, cast, extract, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from cbec_policy.store import schema as s

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


def _year(conn: Connection) -> ColumnElement[int]:
    """The publish year; on SQLite the first four characters of the stored ISO date (cheaper than strftime)."""
    if conn.dialect.name == "sqlite":
        return cast(func.substr(_p.publish_date, 1, 4), Integer)
    return cast(extract("year", _p.publish_date), Integer)


def corpus_tallies(conn: Connection, national: str, day: date) -> CorpusTallies:
    """The grouped counts, in five small queries over an index; ``national`` is the national level's code."""
    counted = _counted()
    by_level_status = {
        (level, status): int(n)
        for level, status, n in conn.execute(
            select(_p.level, _p.status, func.count()).where(counted).group_by(_p.level, _p.status)
        )
    }
    national_rows = (counted, _p.level == national)
    start = func.coalesce(_p.effective_date, _p.publish_date)
    # The comparisons, not the dates, are grouped: a handful of groups instead of one per date.
    flags = (start.is_not(None), func.coalesce(start > day, False), _p.end_date.is_not(None),
             func.coalesce(_p.end_date < day, False))  # fmt: skip
    on_day = conn.execute(select(_p.status, *flags, func.count()).where(*national_rows).group_by(_p.status, *flags))
    national_on_day = {(status, *(bool(f) for f in rest[:4])): int(rest[4]) for status, *rest in on_day}
    year = _year(conn)
    dated = (*national_rows, _p.publish_date.is_not(None))
    types = conn.execute(
        select(year, _p.policy_type, _p.paper_type, func.count())
        .where(*dated)
        .group_by(year, _p.policy_type, _p.paper_type)
    ).all()
    t = s.policy_themes.c
    themes = conn.execute(
        select(year, t.theme, func.count(func.distinct(t.policy_id)))
        .select_from(s.policies.join(s.policy_themes, _p.id == t.policy_id))
        .where(*dated)
        .group_by(year, t.theme)
    ).all()
    undated = conn.execute(select(func.count()).where(*national_rows, _p.publish_date.is_(None))).scalar()
    return CorpusTallies(
        by_level_status=by_level_status,
        national_on_day=national_on_day,
        national_types={(int(y), policy_type, paper_type): int(n) for y, policy_type, paper_type, n in types},
        national_themes={(int(y), theme): int(n) for y, theme, n in themes},
        national_undated=int(undated or 0),
    )


def timeline_rows(conn: Connection, national: str, limit: int) -> tuple[list[TimelineRow], int]:
    """The newest ``limit`` dated national CBEC policies, oldest first (then by id), and how many there are."""
    dated = (_counted(), _p.level == national, _p.publish_date.is_not(None))
    total = int(conn.execute(select(func.count()).where(*dated)).scalar() or 0)
    statement = (
        select(_p.id, _p.title, _p.doc_number, _p.publish_date, _p.policy_type, _p.paper_type)
        .where(*dated)
        .order_by(_p.publish_date.desc(), _p.id.desc())
        .limit(limit)
    )
    return [TimelineRow(*row) for row in reversed(conn.execute(statement).all())], total


# Covering indexes of the grouped counts: the rows of the large policies table are never read.
TALLY_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_policies_tallies ON policies "
    "(level, status, is_cbec, publish_date, effective_date, end_date, policy_type, paper_type)",
    "CREATE INDEX IF NOT EXISTS ix_policy_themes_policy_theme ON policy_themes (policy_id, theme)",
)


def ensure_tally_indexes(conn: Connection) -> None:
    """Create the covering indexes of :func:`corpus_tallies` if missing (idempotent, both backends)."""
    for statement in TALLY_INDEXES:
        conn.exec_driver_sql(statement)

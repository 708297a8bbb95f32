"""The filters of policy lists and searches as one SQL condition, shared by every read path.

A list, a search and an export take the same filters (type, theme, status, level, issuer,
publish-date window, in force on a date, region); building them in one place keeps the CLI,
the API and the browser answering alike. Vocabulary values are given as codes or labels and
checked against the vocabularies, so a typo fails with the accepted values listed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import Connection, and_, exists, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from cbec_policy.departments import normalise_issuer
from cbec_policy.errors import InputError
from cbec_policy.labels import LEVELS, POLICY_TYPES, STATUSES, THEMES, find_label
from cbec_policy.store import schema as s


def like_pattern(term: str) -> str:
    """``%term%`` with LIKE's wildcards and escape character escaped (use with ``ESCAPE '\\'``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class PolicyFilters:
    """Every filter a list or search takes; ``None`` means "any"."""

    policy_type: str | None = None
    theme: str | None = None
    issuer: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None
    level: str | None = None
    in_force_on: date | None = None
    region: str | None = None

    def checked(self) -> PolicyFilters:
        """The same filters with vocabulary values turned into codes; InputError for an unknown one."""
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InputError("date_from", f"{self.date_from} is after date_to {self.date_to}")

        def code(vocabulary, value, what):
            return None if value is None else find_label(vocabulary, value, what).code

        return PolicyFilters(
            policy_type=code(POLICY_TYPES, self.policy_type, "policy type"),
            theme=code(THEMES, self.theme, "theme"),
            issuer=self.issuer.strip() or None if self.issuer else None,
            date_from=self.date_from,
            date_to=self.date_to,
            status=code(STATUSES, self.status, "status"),
            level=code(LEVELS, self.level, "level"),
            in_force_on=self.in_force_on,
            region=self.region.strip() or None if self.region else None,
        )

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


def issuer_names(conn: Connection, issuer: str) -> list[str]:
    """Every stored department name that means the same department as ``issuer`` (税务总局 → 国家税务总局)."""
    wanted = normalise_issuer(issuer)
    names = conn.execute(select(s.departments.c.name)).scalars().all()
    return [name for name in names if normalise_issuer(name) == wanted] or [issuer.strip()]


def _issued_by(names: list[str]) -> ColumnElement[bool]:
    p, link = s.policies.c, s.policy_issuers.c
    return (
        exists()
        .where(link.policy_id == p.id)
        .where(link.department_id == s.departments.c.id)
        .where(s.departments.c.name.in_(names))
    )


def filter_condition(conn: Connection, filters: PolicyFilters, issuers: tuple[str, ...] = ()) -> ColumnElement[bool]:
    """One condition on ``policies`` for ``filters`` (already :meth:`~PolicyFilters.checked`) and issuers.

    ``in_force_on`` keeps a policy unless its dates show it was *not* in force that day; an
    undecidable one (已失效 without an end date) is kept, so nothing is silently dropped.
    """
    p = s.policies.c
    clauses: list[ColumnElement[bool]] = []
    if filters.policy_type:
        clauses.append(p.policy_type == filters.policy_type)
    if filters.theme:
        clauses.append(exists().where(s.policy_themes.c.policy_id == p.id, s.policy_themes.c.theme == filters.theme))
    if filters.status:
        clauses.append(p.status == filters.status)
    if filters.level:
        clauses.append(p.level == filters.level)
    if filters.date_from:
        clauses.append(p.publish_date >= filters.date_from)
    if filters.date_to:
        clauses.append(p.publish_date <= filters.date_to)
    if filters.in_force_on:
        start = func.coalesce(p.effective_date, p.publish_date)
        day = filters.in_force_on
        clauses.append(or_(start.is_(None), start <= day))
        clauses.append(or_(p.end_date.is_(None), p.end_date >= day))
    if filters.region:
        clauses.append(func.coalesce(p.region, "").like(like_pattern(filters.region), escape="\\"))
    for name in ((filters.issuer,) if filters.issuer else ()) + tuple(issuers):
        clauses.append(_issued_by(issuer_names(conn, name)))
    return and_(true(), *clauses)

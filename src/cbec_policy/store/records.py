"""Small result records the store returns: init summaries, search hits and zone look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cbec_policy.models import PilotZone, in_force_verdict
from cbec_policy.places import PlaceAnswer

# Tables that ``Store.init`` fills from the bundled reference data, in load order.
INIT_TABLES = (
    "departments",
    "themes",
    "policies",
    "pilot_batches",
    "pilot_zones",
    "trade_stats",
    "positive_list_versions",
)

# Chinese names of the tables, for the summary printed to people.
TABLE_ZH = {
    "departments": "部门",
    "themes": "主题",
    "policies": "政策",
    "pilot_batches": "综试区批次",
    "pilot_zones": "综试区",
    "trade_stats": "贸易统计",
    "positive_list_versions": "正面清单版本",
}


@dataclass
class TableCounts:
    """How many rows of one table ``init`` added, rewrote or found unchanged."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def add(self, kind: str, count: int = 1) -> None:
        """Count ``count`` rows as ``kind`` (new / updated / unchanged / removed)."""
        setattr(self, kind, getattr(self, kind) + count)

    @property
    def changed(self) -> bool:
        """True when any row was added, rewritten or removed."""
        return bool(self.new or self.updated or self.removed)


@dataclass
class InitSummary:
    """What one ``init`` changed, table by table; ``changed`` is False on a repeated run."""

    url: str = ""
    tables: dict[str, TableCounts] = field(default_factory=lambda: {name: TableCounts() for name in INIT_TABLES})

    @property
    def changed(self) -> bool:
        """True when any table changed."""
        return any(counts.changed for counts in self.tables.values())

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly view: ``{"url":…, "changed":…, "tables": {name: {new, updated, unchanged, removed}}}``."""
        return {
            "url": self.url,
            "changed": self.changed,
            "tables": {name: vars(counts).copy() for name, counts in self.tables.items()},
        }

    def lines(self) -> list[str]:
        """The database, one line per table in Chinese and English, then an overall verdict."""
        out = [f"数据库 database: {self.url}"] if self.url else []
        out += [
            f"  {TABLE_ZH.get(name, name)} {name}: "
            f"新增 new {c.new}, 更新 updated {c.updated}, 未变 unchanged {c.unchanged}"
            + (f", 删除 removed {c.removed}" if c.removed else "")
            for name, c in self.tables.items()
        ]
        if self.changed:
            out.append("已建库/升级 database built or upgraded.")
        else:
            out.append("无变化：数据库已是最新 nothing changed: the database is already up to date.")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True)
class PolicyBrief:
    """What a result list shows of a policy (no full text, evidence or relations; see the policy page)."""

    id: str
    title: str
    doc_number: str | None
    issuers: tuple[str, ...]
    publish_date: date | None
    effective_date: date | None
    end_date: date | None
    status: str
    level: str
    region: str | None
    policy_type: str | None
    themes: tuple[str, ...]
    is_cbec: bool | None = None
    summary: str = ""

    def in_force_on(self, day: date) -> bool | None:
        """True/False when the dates and status decide it; None when they cannot."""
        return in_force_verdict(self.effective_date or self.publish_date, self.end_date, self.status, day)


@dataclass(frozen=True)
class SearchHit:
    """One search result: the policy's brief record, its rank score (higher is better) and a snippet."""

    policy: PolicyBrief
    score: float
    snippet: str


@dataclass(frozen=True)
class ZoneLookup:
    """The answer to "is NAME inside a CBEC comprehensive pilot zone on DATE?".

    ``is_pilot_zone`` is True when a zone in force that day covers the place (常熟 through the
    苏州 zone, 三亚 through 海南全岛 after its own zone was revoked); ``zone`` is the covering
    zone, else the zone the answer rests on (revoked, or approved later). ``answer`` holds the
    full answer of :func:`cbec_policy.places.coverage.lookup_place`: covered_by, via, history,
    candidates for an ambiguous name (Taizhou → 台州市 / 泰州市). ``known_place`` is False when
    the name is neither a zone nor a division of the hierarchy (most likely a typo), so a front
    end can treat it as bad input rather than as "no".
    """

    query: str
    is_pilot_zone: bool
    zone: PilotZone | None
    revoked: bool
    suggestions: list[str] = field(default_factory=list)
    on: date | None = None
    known_place: bool = True
    answer: PlaceAnswer | None = None

    @property
    def unverified(self) -> bool:
        """True when the row the answer rests on is only a candidate, not confirmed by an official list."""
        return self.zone is not None and self.zone.confidence != "verified"

    @property
    def ambiguous(self) -> bool:
        """Whether the name fits several places (see ``answer.candidates``)."""
        return self.answer is not None and self.answer.ambiguous


def zone_lookup_from_answer(answer: PlaceAnswer) -> ZoneLookup:
    """The store's look-up record for a places answer."""
    covers = answer.covered_by
    zone = covers[0].zone if covers else None
    revoked = False
    if zone is None and answer.history:
        ended = [p for p in answer.history if p.end is not None and p.end < answer.on]
        later = [p for p in answer.history if p.start > answer.on]
        if ended and not later:
            zone, revoked = ended[-1].zone, True
        elif later:
            zone = later[0].zone
    return ZoneLookup(
        query=answer.query,
        is_pilot_zone=bool(answer.covered),
        zone=zone,
        revoked=revoked,
        suggestions=list(answer.suggestions),
        on=answer.on,
        known_place=answer.known,
        answer=answer,
    )

"""The nouns of the system as plain, immutable records.

These are what the bundled reference data loads into and what analysis functions take;
the database schema (``store``) mirrors them. Nothing here touches files or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Relation:
    """A directed link between two policies, e.g. ``amends`` → the amended policy's id."""

    kind: str
    target_id: str


@dataclass(frozen=True)
class PaperEntry:
    """A Table 1 row exactly as the paper prints it (kept to reproduce the table cell for cell)."""

    policy_type: str  # Chinese label, e.g. 税收类
    date_text: str  # e.g. 2013.12.30
    issuers_text: str  # e.g. 财政部、国家税务局
    title: str
    doc_number: str  # empty when the paper gives none


def in_force_verdict(start: date | None, end: date | None, status: str, day: date) -> bool | None:
    """Whether a document that applies from ``start`` to ``end`` with ``status`` was in force on ``day``.

    False when the dates exclude the day; None (unknown) when they do not but nothing shows it
    applied: no known start, a repeal (已失效) without an end date, or a status nobody has
    checked (unknown) with no end date. Otherwise True (an amended or partly repealed document
    still applies in its remaining parts).
    """
    if start is not None and day < start:
        return False
    if end is not None and day > end:
        return False
    if start is None or (end is None and status in ("已失效", "unknown")):
        return None
    return True


@dataclass(frozen=True)
class Policy:
    """One policy document with verified metadata, and the paper's values where it is in Table 1."""

    id: str
    title: str
    doc_number: str | None
    issuers: tuple[str, ...]
    publish_date: date | None
    effective_date: date | None
    end_date: date | None
    status: str
    level: str
    policy_type: str | None  # code from labels.POLICY_TYPES
    themes: tuple[str, ...]
    relations: tuple[Relation, ...] = ()
    paper: PaperEntry | None = None
    summary: str = ""
    evidence: tuple[str, ...] = ()
    notes: str = ""
    region: str | None = None  # province (and city) for local documents
    source: str = "bundled"  # "bundled", or the path/URL a document was ingested from
    full_text: str | None = None
    is_cbec: bool | None = None  # set by the classifier; None until classified
    instruments: tuple[str, ...] = ()  # policy instruments (supply/demand/environment side), classifier codes
    # Where each value came from: {"field": {"span": [start, end], "confidence": 0.9, "method": "..."}, ...}
    extraction_evidence: dict[str, object] = field(default_factory=dict)
    classification_evidence: dict[str, object] = field(default_factory=dict)

    def in_force_on(self, day: date) -> bool | None:
        """True/False when the dates and status decide it; None when they cannot (see :func:`in_force_verdict`)."""
        return in_force_verdict(self.effective_date or self.publish_date, self.end_date, self.status, day)


@dataclass(frozen=True)
class Province:
    """One provincial-level division of the mainland: region, coast, tile-grid cell, abbreviation."""

    name: str
    short: str
    en: str
    region: str  # 东部/中部/西部/东北
    row: int
    col: int
    coastal: bool = False
    abbr: str = ""  # one-character abbreviation (浙, 鄂), the first character of provincial document numbers


@dataclass(frozen=True)
class PilotBatch:
    """One State Council reply approving a batch of CBEC comprehensive pilot zones."""

    batch: int
    approval_date: date
    doc_number: str
    title: str
    zone_count: int
    cumulative_count: int


@dataclass(frozen=True)
class PilotZone:
    """One approval of a CBEC comprehensive pilot zone (跨境电子商务综合试验区)."""

    batch: int
    approval_date: date
    doc_number: str
    zone_name: str
    city: str
    province: str
    region: str  # 东部/中部/西部/东北, from the zone's province in provinces.csv
    admin_level: str
    confidence: str  # verified / candidate
    revoked_date: date | None
    revoked_by: str | None
    evidence: tuple[str, ...] = ()

    def in_force_on(self, day: date) -> bool:
        """Whether the zone was approved and not yet revoked on ``day``."""
        if day < self.approval_date:
            return False
        return self.revoked_date is None or day < self.revoked_date


@dataclass(frozen=True)
class ZoneSuccession:
    """A pilot zone ended by a later reply and the zone that took its area over (海口 → 海南全岛)."""

    batch: int
    zone_name: str
    relation: str  # replaced_by / merged_into
    successor_batch: int
    successor: str
    ended_by_batch: int  # the batch whose reply ended the zone: its date and number live in pilot_batches.csv
    note: str


@dataclass(frozen=True)
class ZoneArea:
    """The area of a pilot zone that is not one administrative division named like the zone."""

    batch: int
    zone_name: str
    area_codes: tuple[str, ...]  # GB/T 2260 codes whose union is the zone's area
    doubtful_codes: tuple[str, ...]  # divisions inside those codes that the zone may not cover (not verified)
    confidence: str  # verified / unverified
    note: str


@dataclass(frozen=True)
class RetailImportPeriod:
    """Where 网购保税进口 (customs code 1210) was allowed in one period, and the policy that said so."""

    start: date | None
    end: date | None  # inclusive; None: still in force
    scope: str  # none / listed_cities / zone_or_special_area
    policy_id: str
    note: str

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls in this period."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class TradeStat:
    """A published CBEC trade total (100 million yuan) for a year or half-year."""

    year: int
    period: str  # full-year / H1
    total: float | None
    export: float | None
    import_: float | None
    total_yoy_pct: float | None
    export_yoy_pct: float | None
    import_yoy_pct: float | None
    release: str  # preliminary / survey / backcast / narrow-series / unknown
    comparable_series: bool  # False for the narrow pre-2020 series
    source_url: str
    notes: str


@dataclass(frozen=True)
class PositiveListVersion:
    """One version of the CBEC retail import positive list (零售进口商品清单)."""

    label: str
    doc_number: str
    announced: date
    effective: date
    tariff_lines: int
    status: str
    url: str
    extras: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Department:
    """A government department with its official full name and the short forms in use."""

    name: str
    short_forms: tuple[str, ...]
    en: str
    kind: str


@dataclass(frozen=True)
class LocalPolicy:
    """A local (provincial, municipal or district) CBEC document, kept apart from national policies.

    ``focus`` holds the focus keywords recorded with the document; ``confidence`` says how it is
    known (high: the document itself was seen; medium: a citation, news report or translation;
    low: uncertain). ``source`` is ``bundled`` for the reference list, else where it was ingested
    from, in which case ``full_text`` may be set. Empty values are unknown, not absent.
    """

    id: str
    title: str
    doc_number: str | None
    issuers: tuple[str, ...]
    publish_date: date | None  # only when the day is known
    date_text: str  # the date as recorded, which may be a month only (2023-05); empty when unknown
    province: str
    cities: tuple[str, ...]
    level: str  # provincial / municipal / district / unknown
    kind: str  # 实施方案 / 若干措施 / 管理办法 ... as the document calls itself
    focus: tuple[str, ...]
    evidence: tuple[str, ...]
    confidence: str  # high / medium / low
    notes: str = ""
    source: str = "bundled"
    full_text: str | None = None

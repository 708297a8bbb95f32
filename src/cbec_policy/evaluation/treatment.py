"""The city treatment table of the pilot zones, for a staggered difference-in-differences.

One row per State Council approval (every zone of every batch), then one row per prefecture-level
division that never had a zone of its own: those are the never-treated controls, except where a
province-wide zone (海南全岛) covers them from its approval on. A researcher joins the table
to a city-year panel on the city (or the GB/T 2260 code, once the reference data holds codes).

Stated rules:

* **first treated year** — the approval year when the reply is dated in or before
  ``cutoff_month``, else the next year (a reply of 2018-07-24 with cut-off 6 treats from 2019:
  half a year of exposure is not counted as a treated year). ``cutoff_month=12`` always uses
  the approval year.
* **revocations** (海口, 三亚, 阿拉山口 by 国函〔2025〕40号) — intention to treat by default: the
  zone stays treated from its first year, because the approval is what the design identifies
  and the revocation replaced the zone rather than undid it. ``drop_revoked`` removes those
  rows; panel rows of those cities are then rejected by the estimator.
* **merges** — the successor of each revoked zone is named (``successor``; 海南全岛 replaced
  海口 and 三亚, 博尔塔拉蒙古自治州 contains 阿拉山口), from the reference ``zone_succession.csv``.
* **candidates** — the five batch-7 rows not seen in any source are kept and flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cbec_policy.errors import InputError
from cbec_policy.ingest import divisions
from cbec_policy.models import PilotZone
from cbec_policy.reference import load_zone_succession

# Prefecture-level kinds of the division list: what a city-year panel is made of.
_CITY_KINDS = ("municipality", "city", "autonomous_prefecture", "prefecture", "league")
CODE_UNKNOWN = "未知 unknown: no GB/T 2260 code in the reference data yet"
DEFAULT_CUTOFF_MONTH = 6

TREATMENT_COLUMNS = (
    "city_code",
    "city_code_status",
    "city",
    "city_std",
    "province",
    "region",
    "admin_level",
    "row_kind",
    "batch",
    "approval_date",
    "doc_number",
    "first_treated_year",
    "never_treated",
    "treated_via",
    "confidence",
    "candidate",
    "revoked_date",
    "revoked_by",
    "successor",
    "coding",
)


@dataclass(frozen=True)
class TreatmentRow:
    """One unit of the treatment table."""

    city_code: str | None
    city: str
    city_std: str
    province: str
    region: str
    admin_level: str
    row_kind: str  # approval / covered (by a province-wide zone) / never_treated
    batch: int | None
    approval_date: date | None
    doc_number: str | None
    first_treated_year: int | None
    treated_via: str | None
    confidence: str
    revoked_date: date | None
    revoked_by: str | None
    successor: str | None
    coding: str  # itt / never_treated

    @property
    def never_treated(self) -> bool:
        """True for units with no zone at all."""
        return self.first_treated_year is None

    @property
    def candidate(self) -> bool:
        """True for the rows not confirmed by any source."""
        return self.confidence == "candidate"

    def as_dict(self) -> dict[str, object]:
        """The row with every column of :data:`TREATMENT_COLUMNS`."""
        values = dict(self.__dict__)
        # 0/1 rather than words: the flags are joined into panels and used as regressors
        values["never_treated"] = int(self.never_treated)
        values["candidate"] = int(self.candidate)
        values["city_code_status"] = "" if self.city_code else CODE_UNKNOWN
        return {key: values[key] for key in TREATMENT_COLUMNS}


def first_treated_year(approved: date, cutoff_month: int = DEFAULT_CUTOFF_MONTH) -> int:
    """The first treated year under the cut-off rule (see the module notes)."""
    if not 1 <= cutoff_month <= 12:
        raise InputError("--cutoff-month", f"{cutoff_month} is not a month (1–12)")
    return approved.year if approved.month <= cutoff_month else approved.year + 1


def successions() -> dict[tuple[int, str], str]:
    """(batch, zone) → the zone that took its area over, for the zones a later reply ended."""
    return {(item.batch, item.zone_name): item.successor for item in load_zone_succession()}


def treatment_table(
    zones: Sequence[PilotZone], cutoff_month: int = DEFAULT_CUTOFF_MONTH, *, drop_revoked: bool = False
) -> list[TreatmentRow]:
    """Every approval, then the prefecture-level divisions without a zone of their own."""
    first_treated_year(date(2000, 1, 1), cutoff_month)  # checks the cut-off once, before any row
    merged = successions()
    rows: list[TreatmentRow] = []
    for zone in sorted(zones, key=lambda z: (z.approval_date, z.batch, z.province, z.zone_name)):
        if drop_revoked and zone.revoked_date is not None:
            continue
        rows.append(
            TreatmentRow(
                city_code=None,
                city=zone.zone_name,
                city_std=zone.city,
                province=zone.province,
                region=zone.region,
                admin_level=zone.admin_level,
                row_kind="approval",
                batch=zone.batch,
                approval_date=zone.approval_date,
                doc_number=zone.doc_number,
                first_treated_year=first_treated_year(zone.approval_date, cutoff_month),
                treated_via=None,
                confidence=zone.confidence,
                revoked_date=zone.revoked_date,
                revoked_by=zone.revoked_by,
                successor=merged.get((zone.batch, zone.zone_name)),
                coding="itt",
            )
        )
    approved = {(z.zone_name, z.province) for z in zones}
    province_wide = {z.province: z for z in zones if z.admin_level == "province-wide"}
    for division in sorted(divisions().values(), key=lambda d: (d.province, d.name)):
        if division.kind not in _CITY_KINDS or (division.name, division.province) in approved:
            continue
        cover = province_wide.get(division.province)
        rows.append(
            TreatmentRow(
                city_code=None,
                city=division.name,
                city_std=_short(division.name),
                province=division.province,
                region=division.region,
                admin_level=division.kind,
                row_kind="covered" if cover else "never_treated",
                batch=cover.batch if cover else None,
                approval_date=cover.approval_date if cover else None,
                doc_number=cover.doc_number if cover else None,
                first_treated_year=first_treated_year(cover.approval_date, cutoff_month) if cover else None,
                treated_via=cover.zone_name if cover else None,
                confidence="verified",
                revoked_date=None,
                revoked_by=None,
                successor=None,
                coding="itt" if cover else "never_treated",
            )
        )
    return rows


def _short(name: str) -> str:
    """The pilot-zone data's short form: 市 dropped from city names, other names kept whole."""
    return name[:-1] if name.endswith("市") and len(name) > 2 else name


def unit_index(rows: Sequence[TreatmentRow]) -> dict[str, TreatmentRow]:
    """Every way a panel may name a unit (code, full name, short name) → its row.

    A name two rows share (a county-level zone inside a prefecture of the same short name) is
    left out, so it can only be joined unambiguously by its full name or code.
    """
    index: dict[str, TreatmentRow] = {}
    clashes: set[str] = set()
    for row in rows:
        for key in {row.city_code, row.city, row.city_std} - {None, ""}:
            if key in index and index[key] is not row:
                clashes.add(key)
            index[key] = row
    for key in clashes:
        index.pop(key, None)
    return index

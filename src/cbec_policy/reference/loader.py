"""Load and validate the bundled reference data.

Each loader reads one file, checks every row (required columns, dates, vocabularies,
cross-references) and raises :class:`~cbec_policy.errors.ReferenceDataError` naming the
file, line and column of the first problem. Passing ``path`` loads a user-supplied file of
the same shape instead of the bundled one, e.g. a researcher's updated pilot-zone list;
``$CBEC_REFERENCE_DIR`` names a whole folder of reference files read instead of the bundled
folder (a copy with a new pilot batch, say), for every loader at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from cbec_policy.dates import parse_date
from cbec_policy.docnumber import normalise_doc_number
from cbec_policy.errors import ReferenceDataError
from cbec_policy.labels import (
    LEVELS,
    POLICY_TYPES,
    REGIONS,
    RELATION_INVERSES,
    STATUSES,
    THEMES,
)
from cbec_policy.models import (
    Department,
    PaperEntry,
    PilotBatch,
    PilotZone,
    Policy,
    PositiveListVersion,
    Province,
    Relation,
    RetailImportPeriod,
    TradeStat,
    ZoneArea,
    ZoneSuccession,
)
from cbec_policy.reference.files import Row, load_rows, read_rows, reference_path

T = TypeVar("T")


# --------------------------------------------------------------------------- policies

_POLICY_COLUMNS = {
    "id", "in_seed_table", "seed_type", "proposed_type", "themes", "title", "doc_number", "issuers",
    "publish_date", "effective_date", "end_date", "status", "relations", "paper_title", "paper_date",
    "paper_issuers", "paper_doc_number", "summary_en", "evidence", "notes",
}  # fmt: skip
_TYPE_BY_ZH = {label.zh: label.code for label in POLICY_TYPES}
_THEME_CODES = {label.code for label in THEMES}
_STATUS_CODES = {label.code for label in STATUSES}


def _parse_policy(row: Row) -> Policy:
    in_table = row.choice("in_seed_table", {"yes", "no"}) == "yes"
    proposed = row.choice("proposed_type", set(_TYPE_BY_ZH))
    themes = row.items("themes")
    for theme in themes:
        if theme not in _THEME_CODES:
            raise row.error("themes", f"unknown theme {theme!r}; allowed: {', '.join(sorted(_THEME_CODES))}")
    relations = []
    for item in row.items("relations"):
        kind, _, target = item.partition(":")
        if kind.strip() not in RELATION_INVERSES or not target.strip():
            raise row.error("relations", f"malformed relation {item!r} (expected verb:target_id)")
        relations.append(Relation(kind.strip(), target.strip()))
    paper = None
    if in_table:
        seed_type = row.choice("seed_type", set(_TYPE_BY_ZH))
        paper = PaperEntry(
            policy_type=seed_type,
            date_text=row.text("paper_date"),
            issuers_text=row.text("paper_issuers"),
            title=row.text("paper_title"),
            doc_number=row.text("paper_doc_number", required=False),
        )
    doc_number = row.text("doc_number", required=False)
    return Policy(
        id=row.text("id"),
        title=row.text("title"),
        doc_number=normalise_doc_number(doc_number) if doc_number else None,
        issuers=row.items("issuers"),
        publish_date=row.date("publish_date"),
        effective_date=row.date("effective_date", required=False),
        end_date=row.date("end_date", required=False),
        status=row.choice("status", _STATUS_CODES),
        level="national",
        policy_type=_TYPE_BY_ZH[proposed],
        themes=themes,
        relations=tuple(relations),
        paper=paper,
        summary=row.text("summary_en", required=False),
        evidence=row.items("evidence", sep=" ; "),
        notes=row.text("notes", required=False),
    )


@cache
def _bundled_policies() -> tuple[Policy, ...]:
    return tuple(_check_policies(load_rows(None, "national_policies.csv", _POLICY_COLUMNS, _parse_policy)))


def _check_policies(policies: list[Policy]) -> list[Policy]:
    ids = [policy.id for policy in policies]
    seen: set[str] = set()
    for policy in policies:
        if policy.id in seen:
            raise ReferenceDataError("national_policies.csv", None, "id", f"duplicate id {policy.id!r}")
        seen.add(policy.id)
    known = set(ids)
    for policy in policies:
        for relation in policy.relations:
            if relation.target_id not in known:
                raise ReferenceDataError(
                    "national_policies.csv", None, "relations", f"{policy.id}: unknown target {relation.target_id!r}"
                )
    return policies


def load_national_policies(path: Path | None = None) -> list[Policy]:
    """The national CBEC policies: verified values plus the paper's Table 1 values."""
    if path is None:
        return list(_bundled_policies())
    return _check_policies(load_rows(path, path.name, _POLICY_COLUMNS, _parse_policy))


# --------------------------------------------------------------------------- pilot zones

_REGION_ZH = {label.zh for label in REGIONS}
_PROVINCE_COLUMNS = {"province", "short", "en", "region", "row", "col", "abbr", "coastal"}


def _parse_province(row: Row) -> Province:
    return Province(
        name=row.text("province"),
        short=row.text("short"),
        en=row.text("en"),
        region=row.choice("region", _REGION_ZH),
        row=row.integer("row"),
        col=row.integer("col"),
        coastal=row.choice("coastal", {"yes", "no"}) == "yes",
        abbr=row.text("abbr", required=False),
    )


def load_provinces(path: Path | None = None) -> list[Province]:
    """The one province table (``provinces.csv``): each mainland province's region, coast and map cell.

    The four-region split is the National Bureau of Statistics' convention; ``coastal`` marks
    the 11 coastal provincial-level regions (沿海地区) of the China Marine Statistical Yearbook;
    the grid places each province as one square roughly where it lies. Names and cells are unique.
    """
    provinces = load_rows(path, "provinces.csv", _PROVINCE_COLUMNS, _parse_province)
    name = (path or reference_path("provinces.csv")).name
    names: set[str] = set()
    cells: dict[tuple[int, int], str] = {}
    for line, province in enumerate(provinces, start=2):
        if province.name in names:
            raise ReferenceDataError(name, line, "province", f"duplicate province {province.name!r}")
        names.add(province.name)
        cell = (province.row, province.col)
        if cell in cells:
            raise ReferenceDataError(name, line, "row/col", f"cell {cell} already holds {cells[cell]}")
        cells[cell] = province.name
    return provinces


_ZONE_COLUMNS = {"batch", "zone_name", "city_std", "province", "admin_level", "confidence", "evidence"}


def _zone_parser(
    batches: dict[int, PilotBatch], endings: dict[tuple[int, str], PilotBatch], regions: dict[str, str]
) -> Callable[[Row], PilotZone]:
    """Parse a zone row; its approval comes from its batch, a revocation from zone_succession.csv,
    its region from its province in provinces.csv."""

    def parse(row: Row) -> PilotZone:
        number = row.integer("batch")
        batch = batches.get(number)
        if batch is None:
            raise row.error("batch", f"unknown batch {number} (not in pilot_batches.csv)")
        name = row.text("zone_name")
        ended = endings.get((number, name))
        province = row.text("province")
        if province not in regions:
            raise row.error("province", f"unknown province {province!r} (not in provinces.csv)")
        return PilotZone(
            batch=number,
            approval_date=batch.approval_date,
            doc_number=batch.doc_number,
            zone_name=name,
            city=row.text("city_std"),
            province=province,
            region=regions[province],
            admin_level=row.text("admin_level"),
            confidence=row.choice("confidence", {"verified", "candidate"}),
            revoked_date=ended.approval_date if ended else None,
            revoked_by=ended.doc_number if ended else None,
            evidence=row.items("evidence", sep=" | "),
        )

    return parse


def load_pilot_zones(path: Path | None = None) -> list[PilotZone]:
    """Every approval of a CBEC comprehensive pilot zone, batch by batch.

    Each fact lives once: a zone names its batch, whose date and reply number are in
    ``pilot_batches.csv``; a revocation is a row of ``zone_succession.csv`` naming the batch
    whose reply ended the zone; its region is its province's, in ``provinces.csv``.
    """
    batches = {b.batch: b for b in load_pilot_batches()}
    endings = {(s.batch, s.zone_name): batches[s.ended_by_batch] for s in _successions(None, batches)}
    regions = {p.name: p.region for p in load_provinces()}
    return load_rows(path, "pilot_zones.csv", _ZONE_COLUMNS, _zone_parser(batches, endings, regions))


_BATCH_COLUMNS = {"batch", "approval_date", "doc_number", "title", "zone_count", "cumulative_count"}


def _parse_batch(row: Row) -> PilotBatch:
    return PilotBatch(
        batch=row.integer("batch"),
        approval_date=row.date("approval_date"),
        doc_number=normalise_doc_number(row.text("doc_number")),
        title=row.text("title"),
        zone_count=row.integer("zone_count"),
        cumulative_count=row.integer("cumulative_count"),
    )


def load_pilot_batches(path: Path | None = None) -> list[PilotBatch]:
    """The State Council replies that approved each batch of pilot zones."""
    return load_rows(path, "pilot_batches.csv", _BATCH_COLUMNS, _parse_batch)


_SUCCESSION_COLUMNS = {"batch", "zone_name", "relation", "successor_batch", "successor", "ended_by_batch", "note"}


def _parse_succession(row: Row) -> ZoneSuccession:
    return ZoneSuccession(
        batch=row.integer("batch"),
        zone_name=row.text("zone_name"),
        relation=row.choice("relation", {"replaced_by", "merged_into"}),
        successor_batch=row.integer("successor_batch"),
        successor=row.text("successor"),
        ended_by_batch=row.integer("ended_by_batch"),
        note=row.text("note", required=False),
    )


def _successions(path: Path | None, batches: dict[int, PilotBatch]) -> list[ZoneSuccession]:
    rows = load_rows(path, "zone_succession.csv", _SUCCESSION_COLUMNS, _parse_succession)
    name = (path or reference_path("zone_succession.csv")).name
    for number, item in enumerate(rows, start=2):
        if item.ended_by_batch not in batches:
            raise ReferenceDataError(name, number, "ended_by_batch", f"unknown batch {item.ended_by_batch}")
    return rows


def load_zone_succession(path: Path | None = None) -> list[ZoneSuccession]:
    """Zones ended by a later reply, each with the zone that took its area over.

    Every row must name zones of ``pilot_zones.csv`` (the ended zone and its successor) and a
    batch of ``pilot_batches.csv`` (whose reply ended the zone).
    """
    batches = {b.batch: b for b in load_pilot_batches()}
    rows = _successions(path, batches)
    zones = {(z.batch, z.zone_name) for z in load_pilot_zones()}
    name = (path or reference_path("zone_succession.csv")).name
    for number, item in enumerate(rows, start=2):
        if (item.batch, item.zone_name) not in zones or (item.successor_batch, item.successor) not in zones:
            raise ReferenceDataError(name, number, "zone_name", f"{item.zone_name} → {item.successor}: unknown zone")
    return rows


_AREA_COLUMNS = {"batch", "zone_name", "area_codes", "doubtful_codes", "confidence", "note"}


def _parse_area(row: Row) -> ZoneArea:
    codes = row.items("area_codes")
    doubtful = row.items("doubtful_codes")
    for code in codes + doubtful:
        if not (len(code) == 6 and code.isdigit()):
            raise row.error("area_codes", f"{code!r} is not a six-digit GB/T 2260 code")
    return ZoneArea(
        batch=row.integer("batch"),
        zone_name=row.text("zone_name"),
        area_codes=codes,
        doubtful_codes=doubtful,
        confidence=row.choice("confidence", {"verified", "unverified"}),
        note=row.text("note", required=False),
    )


def load_zone_areas(path: Path | None = None) -> list[ZoneArea]:
    """Areas of the zones that are not one division named like the zone (海南全岛, 雄安新区)."""
    return load_rows(path, "zone_areas.csv", _AREA_COLUMNS, _parse_area)


_RETAIL_COLUMNS = {"start", "end", "scope", "policy_id", "note"}


def _parse_retail(row: Row) -> RetailImportPeriod:
    return RetailImportPeriod(
        start=row.date("start", required=False),
        end=row.date("end", required=False),
        scope=row.choice("scope", {"none", "listed_cities", "zone_or_special_area"}),
        policy_id=row.text("policy_id"),
        note=row.text("note", required=False),
    )


def load_retail_import_periods(path: Path | None = None) -> list[RetailImportPeriod]:
    """Where 1210 retail imports were allowed, period by period, each citing a corpus policy."""
    periods = load_rows(path, "retail_import_pilot.csv", _RETAIL_COLUMNS, _parse_retail)
    known = {policy.id for policy in _bundled_policies()}
    name = (path or reference_path("retail_import_pilot.csv")).name
    for number, period in enumerate(periods, start=2):
        if period.policy_id not in known:
            raise ReferenceDataError(name, number, "policy_id", f"unknown policy {period.policy_id!r}")
    return periods


# --------------------------------------------------------------------------- trade statistics

_TRADE_COLUMNS = {
    "year", "total_cny_100m", "export_cny_100m", "import_cny_100m", "total_yoy_pct", "export_yoy_pct",
    "import_yoy_pct", "period", "release", "series", "source_url", "notes",
}  # fmt: skip


def _parse_trade(row: Row) -> TradeStat:
    return TradeStat(
        year=row.integer("year"),
        period=row.choice("period", {"full-year", "H1"}),
        total=row.number("total_cny_100m"),
        export=row.number("export_cny_100m"),
        import_=row.number("import_cny_100m"),
        total_yoy_pct=row.number("total_yoy_pct"),
        export_yoy_pct=row.number("export_yoy_pct"),
        import_yoy_pct=row.number("import_yoy_pct"),
        release=row.choice("release", {"preliminary", "survey", "backcast", "unknown"}),
        comparable_series=row.choice("series", {"narrow", "full_scope"}) == "full_scope",
        source_url=row.text("source_url"),
        notes=row.text("notes", required=False),
    )


def load_trade_stats(path: Path | None = None) -> list[TradeStat]:
    """CBEC import/export totals (100 million yuan) with release type and series marker."""
    return load_rows(path, "cbec_trade_stats.csv", _TRADE_COLUMNS, _parse_trade)


# --------------------------------------------------------------------------- departments


def _parse_department(row: Row) -> Department:
    return Department(
        name=row.text("name"), short_forms=row.items("short_forms"), en=row.text("en"), kind=row.text("kind")
    )


def load_departments(path: Path | None = None) -> list[Department]:
    """Departments with official full names and the short forms found in documents."""
    return load_rows(path, "departments.csv", {"name", "short_forms", "en", "kind"}, _parse_department)


def load_doc_number_prefixes(path: Path | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Document-number prefixes and the issuers they imply (财关税 → 财政部, 海关总署, 国家税务总局)."""
    return load_rows(
        path,
        "doc_number_prefixes.csv",
        {"prefix", "issuers", "note"},
        lambda row: (row.text("prefix"), row.items("issuers")),
    )


@cache
def load_table1_summaries() -> dict[str, str]:
    """Per policy id: the short Chinese summary of Table 1 written for this project (``table1_zh.csv``)."""
    summaries: dict[str, str] = {}
    for row in read_rows(reference_path("table1_zh.csv"), {"id", "summary_zh"}):
        policy_id = row.text("id")
        if policy_id in summaries:
            raise row.error("id", f"duplicate id {policy_id!r}")
        summaries[policy_id] = row.text("summary_zh")
    return summaries


# --------------------------------------------------------------------------- YAML parameters


@cache
def load_rule_parameters() -> dict[str, Any]:
    """The raw dated tax and customs parameters (validated by ``cbec_policy.rules``)."""
    path = reference_path("rule_parameters.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ReferenceDataError(path.name, line, None, f"malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ReferenceDataError(path.name, None, None, "expected a mapping at the top level")
    return data


def load_positive_list() -> list[PositiveListVersion]:
    """The versions of the retail import positive list, oldest first, with cumulative item counts."""
    data = load_rule_parameters()
    versions = []
    for index, entry in enumerate(data.get("positive_list", {}).get("versions", []), start=1):
        where = f"positive_list.versions[{index}]"
        try:
            lines = entry.get("tariff_lines", entry.get("cumulative"))
            versions.append(
                PositiveListVersion(
                    label=str(entry["label"]),
                    doc_number=normalise_doc_number(str(entry["doc"])),
                    announced=_yaml_date(entry["announced"], where),
                    effective=_yaml_date(entry["effective"], where),
                    tariff_lines=int(lines),
                    status=str(entry.get("status", "unknown")),
                    url=str(entry.get("url", "")),
                    extras={k: v for k, v in entry.items() if k not in {"label", "doc", "announced", "effective"}},
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ReferenceDataError("rule_parameters.yaml", None, where, f"malformed entry: {exc}") from None
    return versions


def _yaml_date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    return parse_date(str(value), where)


LEVEL_CODES = {label.code for label in LEVELS}

"""The numbers behind the dashboard and ``/api/stats``, as one JSON-ready mapping.

Two ways to the same figures. :func:`dashboard_stats` counts plain lists of models with the
functions of :mod:`cbec_policy.analysis` (the same functions feed the report).
:func:`store_dashboard_stats` takes the counts the database grouped over small indexed
columns (:meth:`~cbec_policy.store.Store.corpus_tallies`) and decides what each group means
with the same rules (national or local, type code, in force on the day), so the first request
after a write costs milliseconds, not a read of every policy. The timeline lists at most
:data:`TIMELINE_LIMIT` policies (the newest), with how many there are in all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from cbec_policy.analysis import (
    LOCAL_LEVELS,
    NATIONAL,
    UNCLASSIFIED,
    batch_progress,
    bundled_frameworks,
    cbec_policies,
    policy_type_of,
    theme_rows,
    trade_series,
    type_code,
    type_rows,
    year_by_theme,
    year_by_type,
    zones_in_force,
    zones_per_province,
)
from cbec_policy.i18n import type_label
from cbec_policy.labels import POLICY_TYPES, STATUSES
from cbec_policy.models import PilotBatch, PilotZone, Policy, TradeStat, in_force_verdict
from cbec_policy.reference import load_trade_stats
from cbec_policy.web.charts import Segment

# The framework drawn as bands on the timeline: the paper's own nodes after 2013 (§2.2).
TIMELINE_FRAMEWORK = "d"
# Policies listed on the timeline: beyond this the dashboard draws each year's count by type,
# and /api/stats lists the newest ones (a corpus of ten thousand made a 2 MB page of dots).
TIMELINE_LIMIT = 500
_TYPE_INDEX = {lab.code: index for index, lab in enumerate(POLICY_TYPES)}


def dashboard_stats(
    policies: Sequence[Policy],
    zones: Sequence[PilotZone],
    batches: Sequence[PilotBatch],
    trade: Sequence[TradeStat],
    today: date,
) -> dict[str, Any]:
    """Every figure the dashboard shows, as plain JSON-ready values.

    National and local documents are kept apart, as in every statistic: the counts and tables
    are of national CBEC documents; local ones are counted on their own (``local_policies``)
    and analysed on the local-policies page; documents whose level
    is unknown are counted apart too.
    """
    everything = cbec_policies(policies, level="all")
    local = cbec_policies(policies, level="local")
    policies = cbec_policies(policies)
    dated = sorted((p for p in policies if p.publish_date is not None), key=lambda p: (p.publish_date, p.id))
    counts = {
        "policies": len(policies),
        "local_policies": len(local),
        # neither national nor local as far as the text tells: counted, never guessed into a layer
        "policies_level_unknown": len(everything) - len(policies) - len(local),
        # Each validity status on its own (现行有效 is not "in force by our dates"), and the
        # in-force verdict for today as yes / no / unknown.
        "policies_by_status": {status.code: sum(1 for p in policies if p.status == status.code) for status in STATUSES},
        "policies_in_force_today": {
            "true": sum(1 for p in policies if p.in_force_on(today) is True),
            "false": sum(1 for p in policies if p.in_force_on(today) is False),
            "null": sum(1 for p in policies if p.in_force_on(today) is None),
        },
        "policies_undated": sum(1 for p in policies if p.publish_date is None),
    }
    timeline = [
        {"id": p.id, "title": p.title, "doc_number": p.doc_number, "publish_date": p.publish_date,
         "policy_type": policy_type_of(p)}
        for p in dated[-TIMELINE_LIMIT:]
    ]  # fmt: skip
    return _assemble(counts, timeline, len(dated), year_by_type(policies), year_by_theme(policies), zones, batches,
                     trade, today)  # fmt: skip


def store_dashboard_stats(
    store: Any,
    zones: Sequence[PilotZone],
    batches: Sequence[PilotBatch],
    trade: Sequence[TradeStat],
    today: date,
    *,
    timeline_complete_only: bool = False,
) -> dict[str, Any]:
    """The figures of :func:`dashboard_stats` from the counts the store groups (see the module docstring).

    With ``timeline_complete_only`` the timeline is listed only when it holds every dated
    policy (else it is empty, and ``timeline_total`` says how many there are): the dashboard
    then draws yearly columns and needs no list.
    """
    tallies = store.corpus_tallies(NATIONAL, today)
    by_level: dict[str, int] = {}
    national_status: dict[str, int] = {}
    for (level, status), n in tallies.by_level_status.items():
        by_level[level] = by_level.get(level, 0) + n
        if level == NATIONAL:
            national_status[status] = national_status.get(status, 0) + n
    national = by_level.get(NATIONAL, 0)
    local = sum(n for level, n in by_level.items() if level in LOCAL_LEVELS)
    in_force = {"true": 0, "false": 0, "null": 0}
    for (status, start_known, after, end_known, before), n in tallies.national_on_day.items():
        # A start after the day stands for any such date, an end before it likewise: the verdict
        # looks at nothing else (see models.in_force_verdict).
        start = (today + timedelta(days=1) if after else today) if start_known else None
        end = (today - timedelta(days=1) if before else today) if end_known else None
        in_force[{True: "true", False: "false", None: "null"}[in_force_verdict(start, end, status, today)]] += n
    counts = {
        "policies": national,
        "local_policies": local,
        "policies_level_unknown": sum(by_level.values()) - national - local,
        "policies_by_status": {status.code: national_status.get(status.code, 0) for status in STATUSES},
        "policies_in_force_today": in_force,
        "policies_undated": tallies.national_undated,
    }
    rows, total = store.timeline_rows(NATIONAL, TIMELINE_LIMIT, complete_only=timeline_complete_only)
    timeline = [
        {"id": r.id, "title": r.title, "doc_number": r.doc_number, "publish_date": r.publish_date,
         "policy_type": type_code(r.policy_type, r.paper_type)}
        for r in rows
    ]  # fmt: skip
    types: dict[tuple[int, str], int] = {}
    for (year, policy_type, paper_type), n in tallies.national_types.items():
        key = (year, type_code(policy_type, paper_type))
        types[key] = types.get(key, 0) + n
    per_year: dict[int, int] = {}
    for (year, _), n in types.items():
        per_year[year] = per_year.get(year, 0) + n
    return _assemble(counts, timeline, total, type_rows(types), theme_rows(per_year, tallies.national_themes), zones,
                     batches, trade, today)  # fmt: skip


def _assemble(
    counts: dict[str, Any],
    timeline: list[dict[str, Any]],
    timeline_total: int,
    type_by_year: list[dict[str, object]],
    theme_by_year: list[dict[str, object]],
    zones: Sequence[PilotZone],
    batches: Sequence[PilotBatch],
    trade: Sequence[TradeStat],
    today: date,
) -> dict[str, Any]:
    in_force = zones_in_force(zones, today)
    frameworks = bundled_frameworks()
    framework = next((f for f in frameworks if f.key == TIMELINE_FRAMEWORK), frameworks[0] if frameworks else None)
    return {
        "as_of": today,
        "counts": {
            **counts,
            "zones_approved": len(zones),
            "zones_in_force": len(in_force),
            "batches": len(batches),
            "provinces_covered": len({z.province for z in in_force}),
        },
        "timeline": timeline,
        # Dated national policies in all; the timeline lists the newest TIMELINE_LIMIT of them.
        "timeline_total": timeline_total,
        "periods": {
            "framework": framework.key if framework else None,
            "framework_zh": framework.zh if framework else None,
            "framework_en": framework.en if framework else None,
            "bands": [
                {"key": period.key, "zh": period.zh, "en": period.en, "start": period.start, "end": period.end}
                for period in (framework.periods if framework else ())
            ],
        },
        "type_by_year": type_by_year,
        "theme_by_year": theme_by_year,
        "batches": batch_progress(batches, zones),
        "provinces": zones_per_province(zones, today),
        "trade": trade_series(trade),
    }


def type_columns(type_by_year: list[dict[str, Any]], lang: str) -> dict[int, list[Segment]]:
    """Each year's policies by type, for the timeline of a corpus too large for one dot per policy."""
    codes = [lab.code for lab in POLICY_TYPES] + (
        [UNCLASSIFIED] if any(UNCLASSIFIED in r for r in type_by_year) else []
    )
    return {
        row["year"]: [
            Segment(
                colour_index=_TYPE_INDEX.get(code, len(POLICY_TYPES)),
                count=int(row[code]),
                label=type_label(code, lang),
                href=f"/policies?{urlencode(_year_filter(code, row['year']))}",
            )
            for code in codes
            if row.get(code)
        ]
        for row in type_by_year
    }


def _year_filter(code: str, year: int) -> dict[str, str]:
    wanted = {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}
    return ({"type": code} | wanted) if code != UNCLASSIFIED else wanted


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON-ready: {type(value).__name__}")


def stats_answer(stats: dict[str, Any]) -> Response:
    """``stats`` as the JSON answer FastAPI would give (ISO dates, compact, UTF-8), encoded in one pass.

    FastAPI's own encoder walks every value in Python first: for the figures of a large corpus
    that was most of the first request after a write.
    """
    body = json.dumps(stats, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_iso)
    return Response(body.encode("utf-8"), media_type="application/json")


def trade_stats(store: Any) -> list[TradeStat]:
    """Trade figures from the store when it keeps them, else from the bundled reference data."""
    reader = getattr(store, "list_trade_stats", None)
    return list(reader()) if reader is not None else load_trade_stats()

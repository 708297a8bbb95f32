"""The local layer (§3.2 ④): what local CBEC documents focus on, by region and by coastal/inland
province, how long after a zone's approval its implementation plan appeared, and which
provinces have no local document in the data.

Local documents come from the bundled reference list (``local_policies.csv``) and from the
store (ingested documents of provincial or municipal level); an ingested document that is also
in the list joins its row (its full text then adds focus terms). Local documents never enter a
national statistic. Focus categories are data (``local_focus.yaml``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from cbec_policy.analysis._data import data_path, read_yaml
from cbec_policy.analysis.corpus import cbec_policies
from cbec_policy.analysis.provinces import bundled_provinces, find_province, is_coastal, region_of
from cbec_policy.docnumber import doc_number_key
from cbec_policy.errors import ReferenceDataError
from cbec_policy.models import LocalPolicy, PilotZone, Policy

UNKNOWN_PROVINCE = "未知"
PLAN_KIND = "实施方案"  # a zone's implementation plan calls itself so


@dataclass(frozen=True)
class FocusCategory:
    """One focus category and the terms that place a document in it."""

    code: str
    zh: str
    en: str
    terms: tuple[str, ...]


def load_focus_categories(path: Path | None = None) -> list[FocusCategory]:
    """The focus categories of ``local_focus.yaml`` (or a file of the same shape)."""
    source = path or data_path("local_focus.yaml")
    data = read_yaml(source)
    out = []
    for index, entry in enumerate(data.get("categories") or [], start=1):
        try:
            out.append(
                FocusCategory(str(entry["code"]), str(entry["zh"]), str(entry["en"]), tuple(map(str, entry["terms"])))
            )
        except (KeyError, TypeError) as exc:
            raise ReferenceDataError(source.name, None, f"categories[{index}]", f"malformed: missing {exc}") from None
    if not out:
        raise ReferenceDataError(source.name, None, "categories", "no category defined")
    return out


@cache
def bundled_focus_categories() -> tuple[FocusCategory, ...]:
    """The bundled focus categories, loaded once."""
    return tuple(load_focus_categories())


def focus_of(document: LocalPolicy, categories: Sequence[FocusCategory] | None = None) -> tuple[str, ...]:
    """Focus category codes of a document: terms found in its title, focus keywords or full text."""
    text = " ".join((document.title, *document.focus, document.full_text or ""))
    return tuple(c.code for c in (categories or bundled_focus_categories()) if any(t in text for t in c.terms))


def _from_policy(policy: Policy) -> LocalPolicy:
    """An ingested local policy as a local document (province and cities from its ``region``)."""
    region = (policy.region or "").strip()
    province = find_province(region)
    rest = region[len(province.name) :] if province and region.startswith(province.name) else ""
    # ingestion writes the region as "甘肃省 兰州市"; a list of cities may use ; or 、
    cities = tuple(part for part in re.split(r"[\s;；、,，]+", rest) if part)
    return LocalPolicy(
        id=policy.id,
        title=policy.title,
        doc_number=policy.doc_number,
        issuers=policy.issuers,
        publish_date=policy.publish_date,
        date_text=policy.publish_date.isoformat() if policy.publish_date else "",
        province=province.name if province else (region or UNKNOWN_PROVINCE),
        cities=cities,
        level=policy.level,
        kind=_kind_of(policy.title),
        focus=(),
        evidence=policy.evidence,
        confidence="high",  # the document itself was read
        notes=policy.notes,
        source=policy.source,
        full_text=policy.full_text,
    )


def _kind_of(title: str) -> str:
    for kind in (PLAN_KIND, "行动计划", "实施意见", "若干措施", "管理办法", "实施细则", "工作方案", "指导意见"):
        if kind in title:
            return kind
    return ""


def local_documents(bundled: Iterable[LocalPolicy], policies: Iterable[Policy] = ()) -> list[LocalPolicy]:
    """The bundled local list joined with ingested local CBEC policies of the store.

    An ingested document with the same number (or, without one, the same title) as a bundled row
    keeps the row's recorded facts and adds its full text and source; others are added.
    """
    rows = list(bundled)
    by_number = {doc_number_key(d.doc_number): i for i, d in enumerate(rows) if d.doc_number}
    by_title = {d.title: i for i, d in enumerate(rows)}
    for policy in cbec_policies(policies, level="local"):
        found = by_number.get(doc_number_key(policy.doc_number)) if policy.doc_number else None
        if found is None:
            found = by_title.get(policy.title)
        if found is not None:
            rows[found] = replace(rows[found], full_text=policy.full_text, source=policy.source)
        else:
            rows.append(_from_policy(policy))
    return rows


def group_of(document: LocalPolicy, by: str) -> str:
    """The group a document falls in: its ``region``, ``coastal``/``inland``, or ``province``."""
    if by == "region":
        return region_of(document.province) or UNKNOWN_PROVINCE
    if by == "coastal":
        return "coastal" if is_coastal(document.province) else "inland"
    return document.province


def focus_table(documents: Sequence[LocalPolicy], by: str = "region") -> list[dict[str, Any]]:
    """Per group: documents and the share of them in each focus category (one row per group)."""
    categories = bundled_focus_categories()
    groups: dict[str, list[LocalPolicy]] = {}
    for document in documents:
        groups.setdefault(group_of(document, by), []).append(document)
    order = _group_order(by, list(groups))
    rows = []
    for name in order:
        items = groups[name]
        counts = Counter(code for d in items for code in focus_of(d, categories))
        row: dict[str, Any] = {"group": name, "documents": len(items)}
        for category in categories:
            row[category.code] = counts.get(category.code, 0)
            row[f"{category.code}_share"] = round(counts.get(category.code, 0) / len(items), 4)
        rows.append(row)
    return rows


def _group_order(by: str, present: list[str]) -> list[str]:
    if by == "region":
        fixed = [label for label in ("东部", "中部", "西部", "东北") if label in present]
    elif by == "coastal":
        fixed = [label for label in ("coastal", "inland") if label in present]
    else:
        fixed = [p.name for p in bundled_provinces() if p.name in present]
    return fixed + sorted(set(present) - set(fixed))


def provinces_without_documents(documents: Sequence[LocalPolicy]) -> list[str]:
    """Provinces with no local document in the data (absent from the data, not shown to have none)."""
    present = {d.province for d in documents}
    return [p.name for p in bundled_provinces() if p.name not in present]


def _zone_in_title(zone: PilotZone, document: LocalPolicy) -> bool:
    short = zone.city.removesuffix("市")
    return any(mark in document.title for mark in (f"（{short}）", f"({short})", f"{short}、", f"、{short}")) or any(
        city.removesuffix("市") == short for city in document.cities
    )


def plan_lags(zones: Sequence[PilotZone], documents: Sequence[LocalPolicy]) -> list[dict[str, Any]]:
    """Per zone: its implementation plan (earliest dated on or after approval) and the lag in days.

    ``plan`` is None when the data has no plan for the zone; ``lag_days`` is None when the plan's
    day is unknown. A plan dated before the approval (a city's own plan before it became a zone)
    is counted in ``earlier_plans``, not as a negative lag.
    """
    plans = [d for d in documents if PLAN_KIND in d.kind or PLAN_KIND in d.title]
    rows = []
    for zone in sorted(zones, key=lambda z: (z.batch, z.zone_name)):
        mine = [d for d in plans if d.province == zone.province and _zone_in_title(zone, d)]
        dated = sorted((d for d in mine if d.publish_date and d.publish_date >= zone.approval_date), key=_day)
        earlier = [d for d in mine if d.publish_date and d.publish_date < zone.approval_date]
        undated = [d for d in mine if d.publish_date is None]
        plan = dated[0] if dated else (undated[0] if undated else None)
        lag = (plan.publish_date - zone.approval_date).days if plan and plan.publish_date else None
        rows.append(
            {
                "zone": zone.zone_name,
                "province": zone.province,
                "batch": zone.batch,
                "approval_date": zone.approval_date,
                "confidence": zone.confidence,
                "plan_id": plan.id if plan else None,
                "plan_title": plan.title if plan else None,
                "plan_date": plan.date_text if plan else None,
                "plan_confidence": plan.confidence if plan else None,
                "lag_days": lag,
                "earlier_plans": len(earlier),
            }
        )
    return rows


def _day(document: LocalPolicy) -> date:
    return document.publish_date or date.max


def lag_summary(lags: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per batch: zones, zones with a dated plan, median and range of the lag in days."""
    import numpy as np  # start-up: numpy only here, the rest of the local layer is plain Python

    rows = []
    for batch in sorted({int(r["batch"]) for r in lags}):
        mine = [r for r in lags if int(r["batch"]) == batch]
        days = [int(r["lag_days"]) for r in mine if r["lag_days"] is not None]
        rows.append(
            {
                "batch": batch,
                "zones": len(mine),
                "with_plan": sum(1 for r in mine if r["plan_id"]),
                "with_dated_plan": len(days),
                "median_lag_days": float(np.median(days)) if days else None,
                "min_lag_days": min(days) if days else None,
                "max_lag_days": max(days) if days else None,
            }
        )
    return rows


def document_row(document: LocalPolicy) -> dict[str, Any]:
    """A local document as a plain row (codes, not labels) for tables, JSON and pages."""
    return {
        "id": document.id,
        "title": document.title,
        "doc_number": document.doc_number,
        "issuers": list(document.issuers),
        "date": document.date_text or None,
        "province": document.province,
        "region": region_of(document.province),
        "coastal": is_coastal(document.province),
        "cities": list(document.cities),
        "level": document.level,
        "kind": document.kind,
        "focus_terms": list(document.focus),
        "focus": list(focus_of(document)),
        "confidence": document.confidence,
        "evidence": list(document.evidence),
        "notes": document.notes,
        "source": document.source,
    }


def find_local(documents: Sequence[LocalPolicy], key: str) -> LocalPolicy | None:
    """A local document by id, document number or exact title."""
    wanted = key.strip()
    for document in documents:
        if wanted in (document.id, document.title) or (
            document.doc_number and doc_number_key(document.doc_number) == doc_number_key(wanted)
        ):
            return document
    return None


__all__ = [
    "FocusCategory",
    "bundled_focus_categories",
    "document_row",
    "find_local",
    "focus_of",
    "focus_table",
    "group_of",
    "lag_summary",
    "local_documents",
    "plan_lags",
    "provinces_without_documents",
]

"""The local-policies page: local CBEC documents (claim ④) kept apart from national policies.

A province tile map of local documents (the offline tile-grid map of the dashboard), focus by
region and by coastal/inland province with the χ² test, the lag from zone approval to its
implementation plan, the provinces with no document in the data, and the documents themselves.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cbec_policy.analysis import (
    bundled_focus_categories,
    bundled_provinces,
    document_row,
    find_province,
    focus_table,
    focus_test,
    lag_summary,
    local_documents,
    plan_lags,
    provinces_without_documents,
)
from cbec_policy.errors import InputError
from cbec_policy.i18n import code_label, local_confidence_label, local_level_label, pick
from cbec_policy.reference import load_local_policies
from cbec_policy.web import charts
from cbec_policy.web.deps import get_lang, get_store
from cbec_policy.web.read_lane import reads_store
from cbec_policy.web.render import render

router = APIRouter(include_in_schema=False)

# Page strings live with the page (zh, en) so this page needs nothing from the shared string table
# but its nav label.
TEXT: dict[str, tuple[str, str]] = {
    "title": ("地方政策", "Local policies"),
    "intro": (
        "省、市、区县层面的跨境电商政策文件（内置参考清单与已导入文件），与国家层面政策分开统计。",
        "Provincial, municipal and district CBEC documents (the bundled list plus ingested ones), counted apart "
        "from national policies.",
    ),
    "map": ("各省地方文件数（方格示意图）", "Local documents per province (tile map)"),
    "map_note": (
        "位置近似地理位置；0 表示数据中没有，不表示该省没有出台文件。",
        "Positions approximate geography; 0 means none in the data, not that the province issued none.",
    ),
    "missing": ("数据中没有地方文件的省份", "Provinces with no local document in the data"),
    "by_region": ("侧重点：按区域", "Focus by region"),
    "by_coastal": ("侧重点：沿海与内陆", "Focus: coastal vs inland"),
    "group": ("分组", "group"),
    "documents": ("文件数", "documents"),
    "test": ("检验", "test"),
    "lag": ("综试区获批到实施方案印发的滞后（天）", "Days from zone approval to its implementation plan"),
    "batch": ("批次", "batch"),
    "zones": ("综试区", "zones"),
    "with_plan": ("有方案", "with a plan"),
    "median": ("中位数", "median"),
    "range": ("范围", "range"),
    "list": ("文件", "Documents"),
    "province": ("省份", "province"),
    "level": ("级别", "level"),
    "kind": ("类别", "kind"),
    "date": ("日期", "date"),
    "doc_title": ("标题", "title"),
    "number": ("文号", "number"),
    "confidence": ("可信度", "confidence"),
    "all": ("全部省份", "all provinces"),
    "unknown": ("未知", "unknown"),
    "none": ("无", "none"),
    "perm_p": ("置换 p", "permutation p"),
}


def _focus_rows(rows: list[dict[str, Any]], lang: str, text: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        group = str(row["group"])
        name = code_label("focus_groups", group, lang)
        cells = [
            f"{row[c.code]} ({100 * row[c.code] / row['documents']:.0f}%)" if row["documents"] else "—"
            for c in bundled_focus_categories()
        ]
        out.append({"group": name, "documents": row["documents"], "cells": cells})
    return out


def _test_line(test: Any) -> str | None:
    if test.chi2 is None:
        return None
    return (
        f"χ²({test.dof}) = {test.chi2:.1f}, p = {test.p_permutation:.4f}, "
        f"Cramér's V = {test.cramers_v:.2f}, n = {test.n}"
    )


@router.get("/local", response_class=HTMLResponse)
@reads_store
def local_page(request: Request) -> HTMLResponse:
    """Local documents: tile map, focus by region and coastal/inland, plan lags, the list."""
    store = get_store(request)
    lang = get_lang(request)
    text = pick(TEXT, lang)
    documents = local_documents(load_local_policies(), store.list_policies())
    wanted = request.query_params.get("province", "").strip()
    shown = documents
    if wanted:
        province = find_province(wanted)
        if province is None:
            raise InputError("province", f"unknown province {wanted!r}")
        shown = [d for d in documents if d.province == province.name]
    counts: dict[str, int] = {}
    for document in documents:
        counts[document.province] = counts.get(document.province, 0) + 1
    tiles = [
        charts.Tile(
            label=p.short if lang == "zh" else p.en,
            full_name=p.name,
            row=p.row,
            col=p.col,
            value=counts.get(p.name, 0),
            href=f"/local?province={p.name}",
        )
        for p in bundled_provinces()
    ]
    rows = []
    for row in (document_row(d) for d in sorted(shown, key=lambda d: (d.province, d.date_text or "9999"))):
        rows.append(
            {
                **row,
                "level": local_level_label(row["level"], lang),
                "confidence": local_confidence_label(row["confidence"], lang),
            }
        )
    lags = lag_summary(plan_lags(store.list_zones(), documents))
    return render(
        request,
        "local.html",
        {
            "text": text,
            "tile_map": charts.tile_map_svg(tiles, text["map"]),
            "total": len(documents),
            "missing": provinces_without_documents(documents),
            "categories": [c.zh if lang == "zh" else c.en for c in bundled_focus_categories()],
            "by_region": _focus_rows(focus_table(documents, "region"), lang, text),
            "by_coastal": _focus_rows(focus_table(documents, "coastal"), lang, text),
            "region_test": _test_line(focus_test(documents, "region")),
            "coastal_test": _test_line(focus_test(documents, "coastal")),
            "lags": lags,
            "documents": rows,
            "province": wanted,
        },
    )

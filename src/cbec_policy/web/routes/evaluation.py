"""Policy evaluation pages and API: the PMC league and each policy's PMC with its evidence, the
pilot-zone treatment timing, and how to bring a panel for the difference-in-differences.

No outcome data lives in the system, so the pages never show a DID estimate of their own: they
say which panel is needed and give the command that estimates it.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from cbec_policy.evaluation import (
    DEFAULT_CUTOFF_MONTH,
    bundled_schemes,
    load_scheme,
    pmc_comparison,
    pmc_from_store,
    pmc_surface,
    png_bytes,
    stored_treatment,
    treatment_timing,
)
from cbec_policy.i18n import code_label
from cbec_policy.web.deps import get_lang, get_store
from cbec_policy.web.read_lane import reads_store
from cbec_policy.web.render import render

router = APIRouter()
SchemeName = Literal[tuple(bundled_schemes())]  # type: ignore[valid-type]
pages = APIRouter(include_in_schema=False)

# What a researcher's panel must hold, shown on the page and in the report.
PANEL_COLUMNS = (
    ("city", "城市（全称或简称，如 杭州市/杭州；或 GB/T 2260 代码）", "city (full or short name, or GB/T 2260 code)"),
    ("year", "年份", "year"),
    ("exports", "结果变量（如出口额、GDP 或跨境电商指数）", "outcome (exports, GDP or a CBEC index)"),
)
EXAMPLE_COMMAND = "cbec did estimate panel.csv --unit city --time year --outcome exports --format json"


def _words(lang: str) -> Any:
    """``word(code)``: the reader's word for a coding method, field or text source."""
    return lambda code: code_label("coding_words", code, lang)


def _font() -> str:
    from cbec_policy.report import find_cjk_font  # start-up: matplotlib loads with the first chart

    return find_cjk_font()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _scheme(name: str | None) -> Any:
    if name and name not in bundled_schemes():  # the web takes bundled names only, never a server path
        raise HTTPException(404, f"unknown scheme {name!r}; bundled: {', '.join(bundled_schemes())}")
    return load_scheme(name)


@router.get(
    "/api/evaluation/pmc",
    tags=["evaluation"],
    summary="PMC index of policies with evidence",
    responses={404: {"description": "an id names no stored policy"}},
)
@reads_store
def api_pmc(
    request: Request,
    ids: Annotated[str, Query(max_length=2000, description="comma-separated policy ids (default: all CBEC)")] = "",
    scheme: Annotated[SchemeName | None, Query(description="bundled scheme name")] = None,
) -> dict[str, Any]:
    """Scores, grades, ranks, surfaces and the evidence of every secondary coded 1."""
    store = get_store(request)
    chosen = [item.strip() for item in ids.split(",") if item.strip()]
    unknown = [pid for pid in chosen if store.get_policy(pid) is None]
    if unknown:
        raise HTTPException(404, f"ids: no policy {', '.join(unknown[:10])}")
    return pmc_from_store(store, chosen, _scheme(scheme)).to_dict()


@router.get("/api/evaluation/treatment", tags=["evaluation"], summary="Pilot-zone city treatment table")
@reads_store
def api_treatment(
    request: Request,
    cutoff_month: Annotated[int, Query(ge=1, le=12)] = DEFAULT_CUTOFF_MONTH,
    drop_revoked: bool = False,
) -> list[dict[str, Any]]:
    """Every approval and every never-treated city with its first treated year."""
    rows = stored_treatment(get_store(request), cutoff_month, drop_revoked=drop_revoked)
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.as_dict().items()} for r in rows]


@pages.get("/evaluation", response_class=HTMLResponse)
@reads_store
def evaluation_page(request: Request) -> HTMLResponse:
    """The PMC league with its comparison chart, the treatment timing, and the panel a DID needs."""
    store = get_store(request)
    scheme = _scheme(request.query_params.get("scheme") or None)
    result = pmc_from_store(store, [], scheme)
    rows = stored_treatment(store)
    font = _font()
    batches: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row.row_kind == "approval" and row.batch is not None:
            entry = batches.setdefault(
                row.batch, {"batch": row.batch, "date": row.approval_date, "year": row.first_treated_year, "n": 0}
            )
            entry["n"] += 1
    return render(
        request,
        "evaluation.html",
        {
            "result": result,
            "scheme": scheme,
            "comparison": _data_uri(png_bytes(pmc_comparison(result, font))) if result.policies else None,
            "timing": _data_uri(png_bytes(treatment_timing(rows, font))),
            "batches": [batches[key] for key in sorted(batches)],
            "never_treated": sum(r.never_treated for r in rows),
            "candidates": sum(r.candidate for r in rows),
            "revoked": [r for r in rows if r.revoked_date is not None],
            "cutoff_month": DEFAULT_CUTOFF_MONTH,
            "panel_columns": PANEL_COLUMNS,
            "word": _words(get_lang(request)),
            "example_command": EXAMPLE_COMMAND,
        },
    )


@pages.get("/evaluation/pmc/{policy_id}", response_class=HTMLResponse)
@reads_store
def pmc_policy_page(request: Request, policy_id: str) -> HTMLResponse:
    """One policy's PMC: its surface, primary scores and each secondary with value, confidence, evidence."""
    store = get_store(request)
    if store.get_policy(policy_id) is None:
        raise HTTPException(404, f"no policy {policy_id!r}")
    scheme = _scheme(request.query_params.get("scheme") or None)
    # ranked within the whole league when the policy is in it, else scored on its own
    result = pmc_from_store(store, [], scheme)
    item = next((p for p in result.policies if p.policy_id == policy_id), None)
    if item is None:
        result = pmc_from_store(store, [policy_id], scheme)
        item = result.policies[0]
    return render(
        request,
        "evaluation_policy.html",
        {
            "item": item,
            "scheme": scheme,
            "league_size": len(result.policies),
            "word": _words(get_lang(request)),
            "surface": _data_uri(png_bytes(pmc_surface(result, item, _font()))),
        },
    )

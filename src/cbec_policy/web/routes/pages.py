"""HTML pages over the store: dashboard, policy browser, policy page, pilot-zone explorer.

Query parameters arrive as text and are parsed here, so a bad value shows a readable
message on the page (422) instead of a JSON error.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cbec_policy.analysis import bundled_provinces
from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError
from cbec_policy.i18n import label, text_language
from cbec_policy.labels import POLICY_TYPES, THEMES
from cbec_policy.places import answer_fields, retail_import_1210
from cbec_policy.query import parse_query
from cbec_policy.web import charts
from cbec_policy.web.browse import BrowseQuery, browse
from cbec_policy.web.deps import get_lang, get_store
from cbec_policy.web.highlight import highlight, strip_hit_brackets
from cbec_policy.web.i18n import translator
from cbec_policy.web.policy_view import policy_view
from cbec_policy.web.read_lane import reads_store
from cbec_policy.web.render import palette_css, render
from cbec_policy.web.stats import store_dashboard_stats, trade_stats, type_columns
from cbec_policy.web.zones import ZoneQuery, list_zones, lookup_zone

router = APIRouter(include_in_schema=False)
ZONES_PER_PAGE = 30
_TYPE_INDEX = {label.code: index for index, label in enumerate(POLICY_TYPES)}


def _param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


def _date_param(request: Request, name: str) -> date | None:
    value = _param(request, name)
    return parse_date(value, name) if value else None


def _int_param(request: Request, name: str, default: int) -> int:
    value = _param(request, name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise InputError(name, f"not a whole number: {value!r}") from None


@router.get("/", response_class=HTMLResponse)
@reads_store
def dashboard(request: Request) -> HTMLResponse:
    """Counts, timeline with period bands, type/theme × year, pilot-zone growth and map, trade."""
    store = get_store(request)
    lang = get_lang(request)
    t = translator(lang)
    zones, batches = store.list_zones(), store.list_batches()
    stats = store_dashboard_stats(store, zones, batches, trade_stats(store), date.today(), timeline_complete_only=True)
    years = [row["year"] for row in stats["type_by_year"]]
    first, last = (min(years), max(years)) if years else (2013, date.today().year)
    bands = [
        charts.Band(
            label=band["en" if lang == "en" else "zh"],
            start=band["start"] if band["start"] is not None else first,
            end=(band["end"] + 1) if band["end"] is not None else None,
        )
        for band in stats["periods"]["bands"]
    ]
    t_title = "Policy timeline" if lang == "en" else "政策时间线"
    if stats["timeline_total"] > len(stats["timeline"]):
        timeline = charts.timeline_columns_svg(type_columns(stats["type_by_year"], lang), bands, first, last, t_title)
    else:
        points = [
            charts.TimelinePoint(
                year_fraction=item["publish_date"].year + (item["publish_date"].timetuple().tm_yday - 1) / 366,
                colour_index=_TYPE_INDEX.get(item["policy_type"], len(POLICY_TYPES)),
                label=f"{item['publish_date'].isoformat()} {item['doc_number'] or ''} {item['title']}",
                href=charts.policy_href(item["id"]),
            )
            for item in stats["timeline"]
        ]
        timeline = charts.timeline_svg(points, bands, first, last, t_title)
    batch_labels = [
        f"{'Batch ' if lang == 'en' else '第'}{row['batch']}{'' if lang == 'en' else '批'}" for row in stats["batches"]
    ]
    batch_chart = charts.bar_chart_svg(
        batch_labels,
        [row["cumulative_approved"] for row in stats["batches"]],
        t("chart_batches"),
        notes=[row["approval_date"].isoformat() for row in stats["batches"]],
    )
    tiles = []
    counts = {row["province"]: int(row["zones"]) for row in stats["provinces"]}
    for province in bundled_provinces():
        tiles.append(
            charts.Tile(
                label=province.short if lang == "zh" else province.en,
                full_name=province.name,
                row=province.row,
                col=province.col,
                value=counts.get(province.name, 0),
                href=f"/zones?province={province.name}",
            )
        )
    tile_map = charts.tile_map_svg(tiles, t("chart_provinces"))
    trade_rows = stats["trade"]
    trade_chart = charts.bar_chart_svg(
        [str(row["year"]) for row in trade_rows],
        [row["total"] for row in trade_rows],
        t("chart_trade"),
        value_format="{:,.0f}",
        highlight=[bool(row["comparable_series"]) for row in trade_rows],
        notes=[label("release_types", row["release"], lang) for row in trade_rows],
    )
    return render(
        request,
        "dashboard.html",
        {
            "stats": stats,
            "timeline": timeline,
            "batch_chart": batch_chart,
            "tile_map": tile_map,
            "trade_chart": trade_chart,
            "type_colours": charts.TYPE_COLOURS,
            "heat_class": charts.heat_class,
            "type_peak": max((int(r[lab.code]) for r in stats["type_by_year"] for lab in POLICY_TYPES), default=0),
            "theme_peak": max((int(r[lab.code]) for r in stats["theme_by_year"] for lab in THEMES), default=0),
        },
    )


def browse_query(request: Request) -> BrowseQuery:
    """The browser's query from the query string (shared by the page and the export link)."""
    return BrowseQuery(
        q=_param(request, "q") or "",
        policy_type=_param(request, "type"),
        theme=_param(request, "theme"),
        issuer=_param(request, "issuer"),
        date_from=_date_param(request, "date_from"),
        date_to=_date_param(request, "date_to"),
        status=_param(request, "status"),
        level=_param(request, "level"),
        in_force_on=_date_param(request, "in_force_on"),
        region=_param(request, "region"),
        sort=_param(request, "sort"),
        page=_int_param(request, "page", 1),
        per_page=_int_param(request, "per_page", 20),
        after=_param(request, "after"),
    )


@router.get("/policies", response_class=HTMLResponse)
@reads_store
def policies(request: Request) -> HTMLResponse:
    """The policy browser: filters, field search with highlighted hits, status counts, pages, export."""
    store = get_store(request)
    query = browse_query(request)
    result = browse(store, query)
    forms = parse_query(query.q).highlight_forms if query.q.strip() else []
    rows = []
    for row in result.rows:
        snippet_text = strip_hit_brackets(row.snippet, forms) if row.snippet else None
        rows.append(
            {
                "policy": row.policy,
                "type_code": row.policy.policy_type,
                "title_html": highlight(row.policy.title, forms),
                "snippet_html": highlight(snippet_text, forms) if snippet_text else None,
                "snippet_lang": text_language(snippet_text or ""),
                "score": row.score,
            }
        )
    export_query = urlencode(
        [(key, value) for key, value in request.query_params.items() if key not in ("page", "after", "per_page")]
    )
    return render(
        request, "policies.html", {"result": result, "rows": rows, "query": query, "export_query": export_query}
    )


@router.get("/palette.css")
def palette() -> Response:
    """The colours of the vocabularies as CSS classes (from the one vocabulary file)."""
    return Response(palette_css(), media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/policies/{policy_ref:path}", response_class=HTMLResponse)
@reads_store
def policy_page(request: Request, policy_ref: str) -> HTMLResponse:
    """One policy: metadata, 法规沿革 timeline, classification with evidence, sources, full text."""
    store = get_store(request)
    found = store.get_policy_with_relations(policy_ref)  # one read transaction for both
    if found is None:
        return render(request, "not_found.html", {"query": policy_ref}, status_code=404)
    on = _date_param(request, "on")
    days = [date.today()] + ([on] if on else [])
    return render(request, "policy.html", policy_view(*found, get_lang(request), days))


@router.get("/zones", response_class=HTMLResponse)
@reads_store
def zones(request: Request) -> HTMLResponse:
    """Pilot zones by batch, province and region, and the 'is my city a pilot zone' form."""
    store = get_store(request)
    city = _param(request, "city")
    on = _date_param(request, "on")
    lookup: Any = None
    retail: Any = None
    if city:
        lookup = lookup_zone(store, city, on or date.today())
        if lookup.known_place and not lookup.ambiguous:
            retail = retail_import_1210(city.strip(), on or date.today(), store.list_zones(), store.list_batches())
    query = ZoneQuery(
        batch=_int_param(request, "batch", 0) if _param(request, "batch") else None,
        province=_param(request, "province"),
        region=_param(request, "region"),
        on=_date_param(request, "list_on"),
    )
    items = list_zones(store, query)
    # One page of the table at a time: 181 rows make a phone page thousands of pixels long.
    page = _int_param(request, "page", 1)
    pages = max(1, -(-len(items) // ZONES_PER_PAGE))
    if not 1 <= page <= pages:
        raise InputError("page", f"must be between 1 and {pages}")
    return render(
        request,
        "zones.html",
        {
            "zones": items[(page - 1) * ZONES_PER_PAGE : page * ZONES_PER_PAGE],
            "total": len(items),
            "page": page,
            "pages": pages,
            "batches": store.list_batches(),
            "query": query,
            "lookup": lookup,
            "details": answer_fields(lookup.answer) if lookup is not None else None,
            "retail": retail,
            "city": city or "",
            "on": (on or date.today()).isoformat(),
            "provinces": sorted({zone.province for zone in store.list_zones()}),
            "THEMES": THEMES,
        },
    )

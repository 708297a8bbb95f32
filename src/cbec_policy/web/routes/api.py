"""Read-only REST API: policies (filter, search, one), pilot zones (list, lookup), dashboard stats."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response

from cbec_policy.citation_export import EXPORT_FORMATS, EXTENSIONS, MEDIA_TYPES, export
from cbec_policy.labels import LEVELS, POLICY_TYPES, REGIONS, STATUSES, THEMES
from cbec_policy.places import answer_fields, retail_import_1210
from cbec_policy.web.browse import (
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    SORTS,
    BrowseQuery,
    BrowseResult,
    browse,
    export_briefs,
)
from cbec_policy.web.contract import CURSOR_PATTERN, SEARCH_WORDS_PATTERN, IsoDate, province_words, vocabulary_words
from cbec_policy.web.deps import store_dependency
from cbec_policy.web.read_lane import reads_store
from cbec_policy.web.serializers import batch_dict, policy_detail, policy_summary, zone_dict
from cbec_policy.web.stats import stats_answer, store_dashboard_stats, trade_stats
from cbec_policy.web.zones import MAX_CITY_LENGTH, ZoneQuery, list_zones, lookup_zone

router = APIRouter(prefix="/api", tags=["read"])
SEARCH_HELP = (
    "search words (all must match; Chinese substrings; synonyms and traditional/full-width forms too); "
    "fields: title:, number:, issuer:, text:"
)
Store = Annotated[Any, Depends(store_dependency)]
# Filter values the server understands: each vocabulary's codes, Chinese and English labels.
PolicyType = Literal[vocabulary_words(POLICY_TYPES)]  # type: ignore[valid-type]
Theme = Literal[vocabulary_words(THEMES)]  # type: ignore[valid-type]
Status = Literal[vocabulary_words(STATUSES)]  # type: ignore[valid-type]
Level = Literal[vocabulary_words(LEVELS)]  # type: ignore[valid-type]
Region = Literal[vocabulary_words(REGIONS)]  # type: ignore[valid-type]
Province = Literal[province_words()]  # type: ignore[valid-type]
Sort = Literal[SORTS]  # type: ignore[valid-type]
NOT_FOUND = {404: {"description": "no such policy"}}


def _browse_query(
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, pattern=SEARCH_WORDS_PATTERN, description=SEARCH_HELP)] = "",
    type: Annotated[PolicyType | None, Query(description="policy type: code (tax) or label (税收类)")] = None,
    theme: Annotated[Theme | None, Query(description="theme code or label")] = None,
    issuer: Annotated[str | None, Query(max_length=60, description="issuing department (full or short name)")] = None,
    date_from: Annotated[IsoDate | None, Query(description="published on or after (YYYY-MM-DD)")] = None,
    date_to: Annotated[
        IsoDate | None, Query(description="published on or before (YYYY-MM-DD); before date_from: nothing matches")
    ] = None,
    status: Annotated[Status | None, Query(description="现行有效 / 已失效 / 已被修改 / 部分失效 / unknown")] = None,
    level: Annotated[Level | None, Query(description="national / provincial / municipal / unknown")] = None,
    in_force_on: Annotated[IsoDate | None, Query(description="in force on this date (YYYY-MM-DD)")] = None,
    region: Annotated[str | None, Query(max_length=40, description="province or city of a local document")] = None,
    sort: Annotated[
        Sort | None, Query(description="relevance and title order a search; a list (no q) is ordered by date")
    ] = None,
    page: Annotated[int, Query(ge=1, le=10_000, description="page number of a search")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
    after: Annotated[
        str | None,
        Query(max_length=240, pattern=CURSOR_PATTERN, description="list cursor: `next` of the previous page"),
    ] = None,
) -> BrowseQuery:
    """The query parameters shared by the list and the export."""
    if not q.strip() and sort == "title":
        sort = None  # a list pages by date; like relevance, title order applies to a search only
    return BrowseQuery(
        q=q, policy_type=type, theme=theme, issuer=issuer, date_from=date_from, date_to=date_to, status=status,
        level=level, in_force_on=in_force_on, region=region, sort=sort, page=page, per_page=per_page, after=after,
    )  # fmt: skip


def _empty_window(query: BrowseQuery) -> bool:
    """A publication window that ends before it starts: no policy can match it."""
    return query.date_from is not None and query.date_to is not None and query.date_from > query.date_to


Browse = Annotated[BrowseQuery, Depends(_browse_query)]


@router.get("/policies", summary="List, filter and search policies")
@reads_store
def api_policies(request: Request, store: Store, query: Browse) -> dict[str, Any]:
    """Policies matching every filter; with ``q``, ranked search hits with a snippet.

    A list (no ``q``) pages by key: pass the ``next`` value back as ``after``. A search pages
    by ``page``. ``status_counts`` counts each validity status on its own.
    """
    if _empty_window(query):
        sort = query.sort or ("relevance" if query.q.strip() else "date_desc")
        result = BrowseResult(rows=[], total=0, page=query.page, per_page=query.per_page, sort=sort, query=query)
    else:
        result = browse(store, query)
    today = date.today()
    items = []
    for row in result.rows:
        item = policy_summary(row.policy, today)
        if query.q.strip():
            item["score"] = row.score
            item["snippet"] = row.snippet
        items.append(item)
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "sort": result.sort,
        "truncated": result.truncated,
        "next": result.next_cursor,
        "status_counts": result.status_counts,
        "items": items,
    }


@router.get(
    "/policies/export",
    summary="Export a result list as CSV, XLSX, RIS or BibTeX",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[f].split(";")[0]: {} for f in EXPORT_FORMATS}}},
)
@reads_store
def api_export(
    store: Store,
    query: Browse,
    request: Request,
    format: Annotated[str, Query(pattern="^(csv|xlsx|ris|bibtex)$", description="csv, xlsx, ris or bibtex")] = "csv",
    lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh",
) -> Response:
    """Every policy the same query lists (up to 5,000), as a file: citations with 发文字号, issuers, dates, status."""
    briefs = [] if _empty_window(query) else export_briefs(store, query)
    body = export(briefs, format, lang, base_url=str(request.base_url).rstrip("/"))
    name = f"cbec-policies.{EXTENSIONS[format]}"
    return Response(
        body, media_type=MEDIA_TYPES[format], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get(
    "/policies/{policy_ref:path}",
    summary="One policy by id or document number",
    responses=NOT_FOUND,
)
@reads_store
def api_policy(
    store: Store,
    policy_ref: Annotated[
        str, Path(min_length=1, max_length=200, description="policy id or 发文字号 in any bracket form")
    ],
) -> dict[str, Any]:
    """Everything stored about one policy, with its relations seen from it."""
    found = store.get_policy_with_relations(policy_ref)
    if found is None:
        raise HTTPException(status_code=404, detail=f"policy_ref: no policy {policy_ref!r}")
    return policy_detail(*found)


@router.get("/zones", summary="Pilot zones by batch, province, region or date")
@reads_store
def api_zones(
    store: Store,
    batch: Annotated[int | None, Query(ge=1, le=1000, description="approval batch number")] = None,
    province: Annotated[Province | None, Query(description="浙江省, 浙江 or zhejiang")] = None,
    region: Annotated[Region | None, Query(description="东部/中部/西部/东北 or east/central/west/northeast")] = None,
    on: Annotated[IsoDate | None, Query(description="in force on this date (YYYY-MM-DD)")] = None,
) -> dict[str, Any]:
    """CBEC comprehensive pilot zones matching the filters."""
    zones = list_zones(store, ZoneQuery(batch=batch, province=province, region=region, on=on))
    return {"total": len(zones), "items": [zone_dict(zone) for zone in zones]}


@router.get("/zones/lookup", summary="Is this city a pilot zone on this date?")
@reads_store
def api_zone_lookup(
    store: Store,
    city: Annotated[
        str, Query(min_length=1, max_length=MAX_CITY_LENGTH, description="a place: 杭州, 常熟, 浦東, Taizhou …")
    ],
    on: Annotated[IsoDate | None, Query(description="the date asked about (default: today)")] = None,
) -> dict[str, Any]:
    """Whether the place ``city`` (常熟, 浦東, Taizhou …) was inside a pilot zone on ``on``.

    Adds ``covered_by`` (zones covering it, with the containing area ``via``), ``candidates`` for
    an ambiguous name, ``history`` and, for an unknown name, ``known_place: false`` with suggestions.
    """
    day = on or date.today()
    found = lookup_zone(store, city, day)
    extra = answer_fields(found.answer)
    return {
        "query": found.query,
        "on": day,
        "is_pilot_zone": None if found.ambiguous else found.is_pilot_zone,
        "zone": zone_dict(found.zone) if found.zone else None,
        "revoked": found.revoked,
        "suggestions": list(found.suggestions),
        "known_place": found.known_place,
        "answer": found.answer.sentence() if found.answer else None,
    } | extra


@router.get("/zones/retail-import", summary="Can 1210 bonded retail imports be used in this place on this date?")
@reads_store
def api_zone_retail_import(
    store: Store,
    city: Annotated[str, Query(min_length=1, max_length=MAX_CITY_LENGTH, description="a place: 杭州, 常熟, Taizhou …")],
    on: Annotated[IsoDate | None, Query(description="the date asked about (default: today)")] = None,
) -> dict[str, Any]:
    """yes / no / conditional ("only if the city has one of these zones — not in our data"), cited."""
    found = retail_import_1210(city.strip(), on or date.today(), store.list_zones(), store.list_batches())
    return found.to_dict() | {"known_place": found.place.known, "suggestions": list(found.place.suggestions)}


@router.get("/batches", summary="Approval batches of pilot zones")
@reads_store
def api_batches(store: Store) -> dict[str, Any]:
    """Every State Council batch approving pilot zones, oldest first."""
    batches = store.list_batches()
    return {"total": len(batches), "items": [batch_dict(batch) for batch in batches]}


@router.get("/stats", summary="Figures behind the dashboard", response_model=dict[str, Any])
@reads_store
def api_stats(
    store: Store, on: Annotated[IsoDate | None, Query(description="reference date (default: today)")] = None
) -> Response:
    """Counts, timeline, type × year, theme × year, batch growth, zones per province, trade series."""
    return stats_answer(
        store_dashboard_stats(store, store.list_zones(), store.list_batches(), trade_stats(store), on or date.today())
    )

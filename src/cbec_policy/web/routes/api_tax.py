"""Tax API: retail import, postal articles, export returns (JSON), and order files."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse

from cbec_policy.rules import BuyerLedger, LedgerConflict, OrderError, UnknownLedgerOrder, load_parameters
from cbec_policy.web import tax
from cbec_policy.web.contract import IsoDate
from cbec_policy.web.deps import get_config, get_store
from cbec_policy.web.order_upload import ORDER_UPLOAD_REQUEST_ENCODING, ORDER_UPLOAD_RESPONSES, run_order_upload

router = APIRouter(prefix="/api/tax", tags=["tax"])
# Answers that depend on what the buyer ledger holds, not on the request's shape.
LEDGER_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such order recorded for the buyer"},
    409: {"description": "refused by the recorded orders: outside the return windows, already returned, "
                         "recorded on another date, or dated before an order already recorded"},
}  # fmt: skip
BuyerId = Annotated[str, Query(min_length=1, max_length=200, description="the buyer as the ledger knows them")]


def _ledger_refusal(exc: OrderError) -> HTTPException:
    """A ledger's refusal as HTTP: an order it does not hold is 404, a conflict with what it holds 409."""
    return HTTPException(404 if isinstance(exc, UnknownLedgerOrder) else 409, str(exc))


# The calculators are pure functions that take well under a millisecond and touch no file or
# database, so their endpoints are ``async``: FastAPI runs them on the event loop instead of
# handing each request to the thread pool and back. The order-file upload reads a file: it stays ``def``.


@router.post("/import", summary="CBEC retail import tax for one order")
async def api_import_tax(body: tax.ImportTaxRequest) -> dict[str, Any]:
    """Path taken (within limits / full tax / general trade), amounts, explanation and citations."""
    return tax.import_tax(body)


@router.post(
    "/order", summary="CBEC retail import tax of a whole order (lines)", responses={409: LEDGER_RESPONSES[409]}
)
def api_order_tax(request: Request, body: tax.OrderTaxRequest, record: bool = False) -> dict[str, Any]:
    """Limits on the order and the buyer's year, taxes per line; ``record=true`` (with buyer_id) uses the ledger."""
    if record and body.buyer_id is not None:
        try:
            return tax.order_tax(body, BuyerLedger(get_store(request)))
        except LedgerConflict as exc:
            raise _ledger_refusal(exc) from None
    return tax.order_tax(body)


@router.get("/quota", summary="A buyer's annual CBEC quota left on a date")
def api_quota(request: Request, buyer_id: BuyerId, date: Annotated[tax.CbecDay, Query()]) -> dict[str, Any]:
    """From the buyer ledger: the annual limit, used, left (returns within the windows give quota back)."""
    return BuyerLedger(get_store(request)).quota_left(buyer_id, date).to_dict()


@router.post("/import-return", summary="Return of imported CBEC goods within 30/45 days", responses=LEDGER_RESPONSES)
def api_import_return(request: Request, body: tax.ReturnRequest) -> dict[str, Any]:
    """Reverses the order's tax and quota in the ledger; refused outside the windows."""
    try:
        return tax.import_return(body, BuyerLedger(get_store(request)))
    except OrderError as exc:
        raise _ledger_refusal(exc) from None


@router.post("/export-income", summary="Invoice-free exemption and deemed CIT of a pilot-zone exporter")
async def api_export_income(body: tax.ExportIncomeRequest) -> dict[str, Any]:
    """Conditions and, only when they hold, the deemed corporate income tax."""
    return tax.export_income(body)


@router.post("/postal", summary="Postal articles tax (行邮税) for comparison")
async def api_postal_tax(body: tax.PostalTaxRequest) -> dict[str, Any]:
    """Assessed and payable postal tax with the 50-yuan exemption."""
    return tax.postal(body)


@router.post("/returns", summary="Export return-goods tax exemption")
async def api_returns(body: tax.ReturnsRequest) -> dict[str, Any]:
    """Eligibility, the return deadline, exempt taxes and citations."""
    return tax.returns(body)


@router.post(
    "/batch",
    summary="File of orders (CSV or Parquet) → results file",
    response_class=FileResponse,
    responses=ORDER_UPLOAD_RESPONSES,
    openapi_extra=ORDER_UPLOAD_REQUEST_ENCODING,
)
# Named after its URL, which is kept: FastAPI builds the OpenAPI operation id and body schema name
# (api_batch_api_tax_batch_post) from it, and API clients know the route by them.
def api_batch(request: Request, file: Annotated[UploadFile, File(description="orders file")]) -> FileResponse:
    """One result row per order line (errors in an ``error`` column); the file comes back in the same format."""
    return run_order_upload(file, get_config(request))


parameters_router = APIRouter(prefix="/api/parameters", tags=["parameters"])
# A parameter's name or a top folder of the tables (retail_import, consumption_tax …): one path segment.
_PARAMETERS = load_parameters()
_NAMES = {*_PARAMETERS, *(p.node.split("/")[0] for p in _PARAMETERS.values() if p.node)}
ParameterName = Literal[tuple(sorted(name for name in _NAMES if "/" not in name))]  # type: ignore[valid-type]


@parameters_router.get("", summary="Every rule parameter with its dated values and sources")
async def api_parameters(on: IsoDate | None = None) -> dict[str, Any]:
    """One file per parameter, values keyed by start date, each with its source policy."""
    return tax.parameters(None, on)


@parameters_router.get("/{name}", summary="One parameter (or a node such as consumption_tax)")
async def api_parameter(name: Annotated[ParameterName, Path()], on: IsoDate | None = None) -> dict[str, Any]:
    """Its dated values and sources; with ``on`` also the value in force that day."""
    return tax.parameters(name, on)

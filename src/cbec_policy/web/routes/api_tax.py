"""Tax API: retail import, postal articles, export returns (JSON), and batch files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import FileResponse

from cbec_policy.web import tax
from cbec_policy.web.batch import run_batch_upload
from cbec_policy.web.deps import get_config

router = APIRouter(prefix="/api/tax", tags=["tax"])

# The calculators are pure functions that take well under a millisecond and touch no file or
# database, so their endpoints are ``async``: FastAPI runs them on the event loop instead of
# handing each request to the thread pool and back. The batch upload reads a file: it stays ``def``.


@router.post("/import", summary="CBEC retail import tax for one order")
async def api_import_tax(body: tax.ImportTaxRequest) -> dict[str, Any]:
    """Path taken (within limits / full tax / general trade), amounts, explanation and citations."""
    return tax.import_tax(body)


@router.post("/postal", summary="Postal articles tax (行邮税) for comparison")
async def api_postal_tax(body: tax.PostalTaxRequest) -> dict[str, Any]:
    """Assessed and payable postal tax with the 50-yuan exemption."""
    return tax.postal(body)


@router.post("/returns", summary="Export return-goods tax exemption")
async def api_returns(body: tax.ReturnsRequest) -> dict[str, Any]:
    """Eligibility, the return deadline, exempt taxes and citations."""
    return tax.returns(body)


@router.post("/batch", summary="Batch of orders (CSV or Parquet) → results file")
def api_batch(request: Request, file: Annotated[UploadFile, File(description="orders file")]) -> FileResponse:
    """One result row per order (errors in an ``error`` column); the file comes back in the same format."""
    return run_batch_upload(file, get_config(request))

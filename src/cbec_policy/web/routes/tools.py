"""HTML tools: tax calculator (one order, batch file), report download, document upload form."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, ValidationError
from starlette.background import BackgroundTask

from cbec_policy.errors import CbecError
from cbec_policy.rules.retail_import import CATEGORIES
from cbec_policy.web import tax
from cbec_policy.web.batch import batch_available, run_batch_upload
from cbec_policy.web.deps import get_config, get_store
from cbec_policy.web.render import render
from cbec_policy.web.report_zip import build_report_zip, remove_job, report_available

router = APIRouter(include_in_schema=False)

CALCULATORS: dict[str, tuple[type[BaseModel], Any, tuple[str, ...]]] = {
    "import": (
        tax.ImportTaxRequest,
        tax.import_tax,
        (
            "date",
            "price",
            "freight",
            "insurance",
            "items",
            "vat_rate",
            "ct_rate",
            "category",
            "tariff_rate",
            "annual_before",
        ),
    ),
    "postal": (tax.PostalTaxRequest, tax.postal, ("date", "value", "item", "rate")),
    "returns": (tax.ReturnsRequest, tax.returns, ("export_date", "code", "return_date", "reason", "value")),
}


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error.get("loc", ())) or "form"
        parts.append(f"{field}: {error.get('msg')}")
    return "; ".join(parts)


@router.get("/tax", response_class=HTMLResponse)
def tax_page(request: Request) -> HTMLResponse:
    """The calculator form; with inputs in the query string it also shows the result."""
    calc = request.query_params.get("calc", "import")
    if calc not in CALCULATORS:
        calc = "import"
    model, run, fields = CALCULATORS[calc]
    values = {name: request.query_params.get(name, "").strip() for name in fields}
    submitted = any(values.values())
    result: dict[str, Any] | None = None
    error: str | None = None
    status = 200
    if submitted:
        try:
            result = run(model.model_validate({k: v for k, v in values.items() if v}))
        except ValidationError as exc:
            error, status = _validation_message(exc), 422
        except CbecError as exc:
            error, status = str(exc), 422
    return render(
        request,
        "tax.html",
        {
            "calc": calc,
            "values": values,
            "result": result,
            "error": error,
            "today": date.today().isoformat(),
            "categories": list(CATEGORIES),
            "batch_ready": batch_available(),
        },
        status_code=status,
    )


@router.post("/tax/batch")
def tax_batch_page(request: Request, file: Annotated[UploadFile, File()]) -> FileResponse:
    """The batch form posts here; the answer is the results file."""
    return run_batch_upload(file, get_config(request))


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request) -> HTMLResponse:
    """Explains the report and offers the generate-and-download button."""
    return render(request, "report.html", {"available": report_available()})


@router.post("/report")
def report_download(request: Request, lang: Annotated[str, Form()] = "zh") -> FileResponse:
    """Build the report from the store and send it as a zip (the temporary files are removed after)."""
    archive = build_report_zip(get_store(request), get_config(request).work_dir, lang)
    return FileResponse(
        archive, media_type="application/zip", filename=archive.name, background=BackgroundTask(remove_job, archive)
    )


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> HTMLResponse:
    """Form to upload documents for ingestion (needs the write token)."""
    return render(request, "upload.html", {"max_mb": get_config(request).max_upload_bytes // (1024 * 1024)})

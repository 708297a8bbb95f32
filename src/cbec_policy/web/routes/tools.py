"""HTML tools: tax calculator (one order, order file), report download, document upload form."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, ValidationError
from starlette.background import BackgroundTask

from cbec_policy.errors import CbecError
from cbec_policy.rules import category_label, category_names, describe, load_parameters
from cbec_policy.web import tax
from cbec_policy.web.deps import get_config, get_store
from cbec_policy.web.order_upload import run_order_upload
from cbec_policy.web.param_chart import step_chart_svg
from cbec_policy.web.render import render
from cbec_policy.web.report_zip import build_report_zip, remove_job

router = APIRouter(include_in_schema=False)

CALCULATORS: dict[str, tuple[type[BaseModel], Any, tuple[str, ...]]] = {
    "postal": (tax.PostalTaxRequest, tax.postal, ("date", "value", "item", "rate")),
    "returns": (tax.ReturnsRequest, tax.returns, ("export_date", "code", "return_date", "reason", "value")),
    "export": (tax.ExportIncomeRequest, tax.export_income, ("date", "zone", "revenue", "has_purchase_invoices")),
}
ORDER_FIELDS = ("order_id", "declaration_date", "annual_before")
LINE_FIELDS = ("description", "category", "quantity", "price", "freight", "insurance", "net_content", "pieces",
               "vat_rate", "ct_rate", "tariff_rate")  # fmt: skip
MAX_FORM_LINES = 20


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error.get("loc", ())) or "form"
        parts.append(f"{field}: {error.get('msg')}")
    return "; ".join(parts)


def _order_form(request: Request) -> tuple[dict[str, Any], list[dict[str, str]], bool]:
    """The order form's values, its lines (blank ones dropped on submit) and whether to calculate."""
    query = request.query_params
    values = {name: query.get(name, "").strip() for name in ORDER_FIELDS}
    try:
        count = min(max(int(query.get("lines", "2")), 1), MAX_FORM_LINES)
    except ValueError:
        count = 2
    lines = [{name: query.get(f"l{n}_{name}", "").strip() for name in LINE_FIELDS} for n in range(1, count + 1)]
    if query.get("price") and not lines[0]["price"]:  # a link of the one-kind-of-goods form: its first line
        values["declaration_date"] = values["declaration_date"] or query.get("date", "").strip()
        lines[0].update({name: query.get(name, "").strip() for name in LINE_FIELDS if query.get(name)})
        lines[0]["quantity"] = query.get("items", "").strip() or lines[0]["quantity"]
    if "add_line" in query and count < MAX_FORM_LINES:
        lines.append(dict.fromkeys(LINE_FIELDS, ""))
        return values, lines, False
    return values, lines, any(line["price"] for line in lines)


def _run_order(values: dict[str, Any], lines: list[dict[str, str]]) -> dict[str, Any]:
    body = {k: v for k, v in values.items() if v}
    # A row is a line once it names goods or a price (the quantity field starts at 1 on blank rows).
    filled = [line for line in lines if any(line[name] for name in LINE_FIELDS if name != "quantity")]
    body["lines"] = [{k: v for k, v in line.items() if v} for line in filled]
    return tax.order_tax(tax.OrderTaxRequest.model_validate(body))


@router.get("/tax", response_class=HTMLResponse)
def tax_page(request: Request) -> HTMLResponse:
    """The calculator forms; with inputs in the query string they also show the result."""
    calc = request.query_params.get("calc", "import")
    if calc not in CALCULATORS:
        calc = "import"
    result: dict[str, Any] | None = None
    error: str | None = None
    status = 200
    lines: list[dict[str, str]] = []
    try:
        if calc == "import":
            values, lines, submitted = _order_form(request)
            if submitted:
                result = _run_order(values, lines)
        else:
            model, run, fields = CALCULATORS[calc]
            values = {name: request.query_params.get(name, "").strip() for name in fields}
            if any(values.values()):
                result = run(model.model_validate({k: v for k, v in values.items() if v}))
    except ValidationError as exc:
        error, status = _validation_message(exc), 422
    except CbecError as exc:
        error, status = str(exc), 422
    params = load_parameters()
    return render(
        request,
        "tax.html",
        {
            "calc": calc,
            "values": values,
            "lines": lines,
            "result": result,
            "error": error,
            "today": date.today().isoformat(),
            "categories": [(name, category_label(params, name)) for name in category_names(params)],
        },
        status_code=status,
    )


@router.get("/parameters", response_class=HTMLResponse)
def parameters_page(request: Request) -> HTMLResponse:
    """The legislation explorer: every parameter, its dated values and sources, and a step chart over time."""
    params = load_parameters()
    records = describe(params)
    for record in records:
        record["chart"] = step_chart_svg(record)
    return render(request, "parameters.html", {"records": records, "compiled": params.compiled})


@router.post("/tax/batch")
def tax_order_file_page(request: Request, file: Annotated[UploadFile, File()]) -> FileResponse:
    """The order-file form posts here; the answer is the results file."""
    return run_order_upload(file, get_config(request))


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request) -> HTMLResponse:
    """Explains the report and offers the generate-and-download button."""
    return render(request, "report.html", {})


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

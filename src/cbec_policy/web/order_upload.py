"""Order files taxed over the web: save the upload safely, run the rules' order-file engine, send the result.

The engine (:mod:`cbec_policy.rules.order_file`) reads and writes CSV or Parquet in chunks; the
upload goes to the app's work directory under a sanitised name and the job folder is
deleted once the result has been sent. The file's format is its name's suffix, or else the
media type its form part declares. An error about the file names it as the client sent it:
the job folder on the server never appears in an answer.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from fastapi import UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from cbec_policy.errors import CbecError, InputError
from cbec_policy.rules import run_order_file
from cbec_policy.web.config import WebConfig
from cbec_policy.web.uploads import save_upload

ORDER_FILE_SUFFIXES = (".csv", ".parquet")
_MEDIA = {".csv": "text/csv; charset=utf-8", ".parquet": "application/vnd.apache.parquet"}
_SUFFIX_OF_MEDIA = {"text/csv": ".csv", "application/vnd.apache.parquet": ".parquet"}
# The contract of the order-upload routes (``/tax/batch``, ``/api/tax/batch``): the file part's
# media types, and every answer.
ORDER_UPLOAD_REQUEST_ENCODING: dict[str, Any] = {
    "requestBody": {
        "content": {"multipart/form-data": {"encoding": {"file": {"contentType": ", ".join(_SUFFIX_OF_MEDIA)}}}}
    }
}
ORDER_UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the results file, in the orders file's format (X-Batch-Rows, X-Batch-Errors headers)",
        "content": {media.split(";")[0]: {} for media in _MEDIA.values()},
    },
    413: {"description": "the file is larger than the upload limit"},
    422: {"description": "not an orders file: type not accepted, unreadable, or required columns missing"},
    429: {"description": "as many report or order-file jobs as allowed are running; retry after Retry-After seconds"},
}


def run_saved_order_file(orders: Path, results: Path) -> dict[str, Any]:
    """Compute every order of ``orders`` into ``results`` (same format); return the run's summary."""
    return run_order_file(orders, results).to_dict()


def upload_name(upload: UploadFile) -> str:
    """The file name to store the upload under: a recognised suffix, else the one its media type implies."""
    name = upload.filename or "orders"
    if Path(name).suffix.lower() in ORDER_FILE_SUFFIXES:
        return name
    media = (upload.content_type or "").split(";")[0].strip().lower()
    return name + _SUFFIX_OF_MEDIA[media] if media in _SUFFIX_OF_MEDIA else name


def _without_server_paths(exc: CbecError, job: Path, client_name: str) -> CbecError:
    """The same error with the job folder and the stored file replaced by the client's file name."""
    text = str(exc)
    places = sorted({str(job.resolve()), str(job)}, key=len, reverse=True)
    if not any(place in text for place in places):
        return exc

    def scrub(value: str) -> str:
        for place in places:
            # the stored file (folder, unique prefix, name) first, then the bare folder
            value = re.sub(re.escape(place) + r"[/\\][^\s'\",:;)]*", lambda _: client_name, value)
            value = value.replace(place, client_name)
        return value

    if isinstance(exc, InputError):
        return InputError(scrub(exc.source), scrub(exc.reason))
    return CbecError(scrub(text))


def run_order_upload(upload: UploadFile, config: WebConfig) -> FileResponse:
    """Run one uploaded orders file and answer with the results file (job folder removed afterwards)."""
    job = config.work_dir / f"order-upload-{uuid.uuid4().hex[:12]}"
    client_name = upload.filename or "orders"
    try:
        orders = save_upload(
            upload.file, upload_name(upload), job, config.max_upload_bytes, allowed=ORDER_FILE_SUFFIXES
        )
        suffix = orders.suffix.lower()
        results = job / f"results{suffix}"
        summary = run_saved_order_file(orders, results)
    except CbecError as exc:
        shutil.rmtree(job, ignore_errors=True)
        raise _without_server_paths(exc, job, client_name) from None
    except BaseException:
        shutil.rmtree(job, ignore_errors=True)
        raise
    stem = Path(orders.name.split("-", 1)[-1]).stem
    return FileResponse(
        results,
        media_type=_MEDIA[suffix],
        filename=f"{stem}-results{suffix}",
        background=BackgroundTask(shutil.rmtree, job, ignore_errors=True),
        headers={"X-Batch-Rows": str(summary["lines"]), "X-Batch-Errors": str(summary["error_lines"])},
    )

"""Batch tax files over the web: save the upload safely, run the rules batch engine, send the result.

The engine (:mod:`cbec_policy.rules.batch`) reads and writes CSV or Parquet in chunks; the
upload goes to the app's work directory under a sanitised name and the job folder is
deleted once the result has been sent.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from fastapi import UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from cbec_policy.errors import CbecError
from cbec_policy.web.config import WebConfig
from cbec_policy.web.uploads import save_upload

BATCH_SUFFIXES = (".csv", ".parquet")
_MEDIA = {".csv": "text/csv; charset=utf-8", ".parquet": "application/vnd.apache.parquet"}


def batch_available() -> bool:
    """Whether the rules batch engine is installed."""
    try:
        from cbec_policy.rules import batch  # noqa: F401
    except ImportError:
        return False
    return True


def run_batch_file(orders: Path, results: Path) -> dict[str, Any]:
    """Compute every order of ``orders`` into ``results`` (same format); return the run's summary."""
    try:
        from cbec_policy.rules.batch import run_batch
    except ImportError:
        raise CbecError("the batch tax engine (cbec_policy.rules.batch) is not installed") from None
    return run_batch(orders, results).to_dict()


def run_batch_upload(upload: UploadFile, config: WebConfig) -> FileResponse:
    """Run one uploaded orders file and answer with the results file (job folder removed afterwards)."""
    job = config.work_dir / f"batch-{uuid.uuid4().hex[:12]}"
    try:
        orders = save_upload(upload.file, upload.filename, job, config.max_upload_bytes, allowed=BATCH_SUFFIXES)
        suffix = orders.suffix.lower()
        results = job / f"results{suffix}"
        summary = run_batch_file(orders, results)
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

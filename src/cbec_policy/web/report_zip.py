"""Generate the offline report (the same as ``cbec report``) from the app's store and zip it.

The report package does the work; this module only feeds it the records the app's store
holds, writes into the app's work directory and packs the folder for download. One report
is built at a time: figure rendering is CPU-heavy and not meant to run in parallel.
"""

from __future__ import annotations

import shutil
import threading
import uuid
import zipfile
from pathlib import Path
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.reference import load_positive_list, load_trade_stats
from cbec_policy.report import ReportInputs

_LOCK = threading.Lock()


def _inputs(store: Any) -> ReportInputs:
    return ReportInputs(
        policies=tuple(store.list_cbec_policies()),
        zones=tuple(store.list_zones()),
        batches=tuple(store.list_batches()),
        trade=tuple(load_trade_stats()),
        positive_list=tuple(load_positive_list()),
        source_zh="网页服务所用政策库（政策、综试区）与内置参考数据（贸易、正面清单）",
        source_en="the web server's store (policies, pilot zones) and bundled reference data (trade, positive list)",
    )


def build_report_zip(store: Any, work_dir: Path, lang: str) -> Path:
    """Build the report for ``lang`` into ``work_dir`` and return the path of its zip file."""
    # start-up: the report builder (figures, charts, HTML) adds about 0.4 s to the app's start; it loads
    # with the first report asked for
    from cbec_policy.report import build_report

    if lang not in ("zh", "en"):
        raise InputError("lang", f"unknown language {lang!r}; accepted: zh, en")
    job = work_dir / f"report-{uuid.uuid4().hex[:12]}"
    folder = job / "cbec-report"
    job.mkdir(parents=True, exist_ok=True)
    try:
        with _LOCK:
            build_report(folder, lang=lang, inputs=_inputs(store), progress=False)
        archive = job / f"cbec-report-{lang}.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    bundle.write(path, Path("cbec-report") / path.relative_to(folder))
        shutil.rmtree(folder, ignore_errors=True)
        return archive
    except BaseException:
        shutil.rmtree(job, ignore_errors=True)
        raise


def remove_job(archive: Path) -> None:
    """Delete a finished job folder once its file has been sent."""
    shutil.rmtree(archive.parent, ignore_errors=True)

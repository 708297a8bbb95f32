"""Build the whole offline report: analysis → figures → tables (CSV, XLSX) → report.md → index.html.

Each stage is timed (the benchmark prints the timings) and shown on a rich progress bar; the
bar is redrawn by the stages themselves, not by a timer thread, because figures are drawn in
forked worker processes and forking while another thread runs is unsafe.
Files are written into a temporary folder next to the target and moved into place at the
end, so a failed build never leaves a half-written report behind.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cbec_policy.errors import InputError
from cbec_policy.i18n import LANGS
from cbec_policy.report.computed_tables import all_computed_tables
from cbec_policy.report.document import build_document
from cbec_policy.report.evaluation_section import evaluation_section, insert_section
from cbec_policy.report.figures import FIGURES, find_cjk_font, render_figures
from cbec_policy.report.html import write_html
from cbec_policy.report.inputs import ReportInputs, load_inputs
from cbec_policy.report.markdown import write_markdown
from cbec_policy.report.results import run_analysis
from cbec_policy.report.table_writers import TableData, to_csv
from cbec_policy.report.workbook import write_workbook

STAGES: tuple[tuple[str, str], ...] = (
    ("load", "读取数据 load data"),
    ("analysis", "计算 analyse"),
    ("figures", "绘图 figures"),
    ("tables", "表格 tables (CSV, XLSX)"),
    ("markdown", "report.md"),
    ("html", "index.html"),
)


@dataclass
class ReportResult:
    """Where the report was written and how long each stage took (seconds)."""

    out_dir: Path
    index_html: Path
    timings: dict[str, float] = field(default_factory=dict)


def paper_tables() -> dict[str, TableData]:
    """The paper's Table 1 (as printed, and verified) and Table 2 (through the latest batch)."""
    from cbec_policy import tables as paper  # start-up: the paper's tables are needed only here

    return {
        "table1_paper": paper.table1(),
        "table1_verified": paper.table1(verified=True),
        "table2_batches": paper.table2(verified=True, through_latest=True),
    }


class _Stages:
    """Run named stages in order, timing each and advancing a progress bar when one is shown."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.task = progress.add_task("report", total=len(STAGES)) if progress else None

    def note(self, text: str) -> None:
        """Show progress inside a long stage (e.g. 'figures 3/11')."""
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=text)
            self.progress.refresh()

    def run(self, key: str, work: Callable[[], Any]) -> Any:
        label = dict(STAGES)[key]
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=label)
            self.progress.refresh()
        start = time.perf_counter()
        value = work()
        self.timings[key] = time.perf_counter() - start
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)
            self.progress.refresh()
        return value


@contextmanager
def _maybe_progress(show: bool) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),  # stdout is kept for the path of index.html
        auto_refresh=False,  # no refresh thread: the figure workers are forked (see the module doc)
    )
    with progress:
        yield progress


def _write_tables(tables: dict[str, TableData], directory: Path, workbook: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for key, table in tables.items():
        # utf-8-sig: Excel opens a UTF-8 CSV with Chinese text correctly only with the BOM
        (directory / f"{key}.csv").write_text(to_csv(table), encoding="utf-8-sig")
    write_workbook(tables, workbook)


def build_report(
    out_dir: Path | str,
    *,
    lang: str = "zh",
    db_url: str | None = None,
    inputs: ReportInputs | None = None,
    progress: bool = True,
    workers: int | None = None,
    evaluation: bool = False,
    did_result: Mapping[str, Any] | None = None,
) -> ReportResult:
    """Write the full report into ``out_dir`` and return where ``index.html`` is.

    ``inputs`` skips the store (tests and benchmarks pass bundled inputs); otherwise policies,
    zones and batches are read from the store at ``db_url``. ``workers`` processes draw the
    figures (default: one per usable CPU, or $CBEC_REPORT_WORKERS). ``evaluation`` adds the
    policy-evaluation section (PMC league, treatment timing); ``did_result``, a saved
    ``cbec did estimate --format json`` answer, adds it with the DID results.
    """
    if lang not in LANGS:
        raise InputError("--lang", f"unknown language {lang!r}; accepted: {', '.join(LANGS)}")
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise InputError(str(target), "exists and is not a folder")
    find_cjk_font()  # fail before any work when figures could not show Chinese
    target.parent.mkdir(parents=True, exist_ok=True)
    generated = datetime.now().strftime("%Y-%m-%d %H:%M")
    staging = Path(tempfile.mkdtemp(prefix=".report-", dir=target.parent))
    try:
        with _maybe_progress(progress) as bar:
            stages = _Stages(bar)
            data = stages.run("load", lambda: inputs if inputs is not None else load_inputs(db_url))
            results = stages.run("analysis", lambda: run_analysis(data))
            done: list[str] = []

            def figure_done(key: str) -> None:
                done.append(key)
                stages.note(f"{dict(STAGES)['figures']} {len(done)}/{len(FIGURES)}")

            figures = stages.run(
                "figures",
                lambda: render_figures(results, staging / "figures", lang, workers=workers, on_figure=figure_done),
            )

            def tables_stage() -> tuple[dict[str, TableData], dict[str, TableData]]:
                computed = all_computed_tables(results, lang)
                originals = paper_tables()
                _write_tables({**originals, **computed}, staging / "tables", staging / "cbec_report.xlsx")
                return computed, originals

            computed, originals = stages.run("tables", tables_stage)
            sections = build_document(results, computed, originals, figures, lang)
            if evaluation or did_result is not None:
                part = evaluation_section(data, staging / "figures", lang, did_result)
                for key, table in part.tables:
                    (staging / "tables" / f"{key}.csv").write_text(to_csv(table), encoding="utf-8-sig")
                sections = insert_section(sections, part)
            stages.run("markdown", lambda: write_markdown(sections, staging, lang, generated))
            stages.run("html", lambda: write_html(sections, staging, lang, generated))
        _replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return ReportResult(target, target / "index.html", stages.timings)


# Only what a report writes is replaced in an existing folder; anything else the user keeps there stays.
_OUTPUTS = ("index.html", "report.md", "cbec_report.xlsx", "figures", "tables")


def _replace(staging: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in _OUTPUTS:
        old = target / name
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
        shutil.move(str(staging / name), str(old))

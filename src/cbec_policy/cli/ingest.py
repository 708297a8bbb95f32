"""``cbec extract`` and ``cbec ingest``: read policy documents, show or store their metadata.

Both take files, folders (recursive) and glob patterns. A file that cannot be read gets one line
naming it and the reason; the others go on and the summary is printed. Exit codes: 0 every
file stored (or extracted), 1 some files failed, 2 usage or setup error, 3 internal error.
"""

from __future__ import annotations

import json
import math
import sys
import time
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cbec_policy.cli.exits import EXIT_SOME_FAILED
from cbec_policy.cli.options import db_option
from cbec_policy.cli.output import emit_rows, format_option
from cbec_policy.i18n import bilingual
from cbec_policy.ingest import DEFAULT_MAX_BYTES, EXTRACT_KEYS, expand_paths, extract_paths

if TYPE_CHECKING:
    from cbec_policy.store import IngestOutcome

_EXTRACT_LABELS = {
    "path": "文件 file",
    "title": "标题 title",
    "doc_number": "发文字号 doc number",
    "issuers": "发文机关 issuers",
    "publish_date": "发布日期 date",
    "level": "层级 level",
    "region": "地区 region",
    "effective_date": "施行日期 effective",
    "end_date": "失效日期 end date",
    "is_cbec": "跨境电商 CBEC",
    "policy_type": "类型 type",
    "matched_policy_id": "已存政策 matched",
    "error": "错误 error",
}
_SUMMARY_LABELS = {"status": "结果 status", "count": "数量 count"}
_FAILED_LABELS = {"path": "文件 file", "reason": "原因 reason"}


def _max_bytes(megabytes: float) -> int:
    if not math.isfinite(megabytes) or megabytes <= 0:  # nan and inf are floats click accepts
        raise click.BadParameter(f"{megabytes} is not a positive finite size in MB", param_hint="--max-size-mb")
    return int(megabytes * 1024 * 1024)


def _open_store_or_none(db: str | None):  # type: ignore[no-untyped-def]
    """The store for matching, or None when the store package is not installed."""
    try:
        # start-up: imported only when this command runs, so other commands and --help stay light
        from cbec_policy.store import open_store
    except ImportError:
        return None
    return open_store(db)


def register(cli: click.Group) -> None:
    """Add ``extract`` and ``ingest`` to the ``cbec`` command."""

    @cli.command("extract")
    @click.argument("paths", nargs=-1, required=True)
    @format_option(default="table")
    @db_option
    @click.option("--no-match", is_flag=True, help="不与数据库比对 do not look up stored policies")
    @click.option("--max-size-mb", type=float, default=DEFAULT_MAX_BYTES / 1024 / 1024, show_default=True,
                  help="单个文件大小上限 size limit per file (MB)")  # fmt: skip
    def extract_command(
        paths: tuple[str, ...], output_format: str, db_url: str | None, no_match: bool, max_size_mb: float
    ) -> None:
        """抽取元数据（不入库） Read documents and print their metadata without storing them.

        \b
        --format json prints JSON Lines, one object per file, with keys:
          path, title, doc_number, issuers, publish_date, level, region, effective_date,
          end_date, legal_force, is_cbec, policy_type, themes, matched_policy_id, evidence,
          warnings, error
        Files: .txt .html .pdf .docx .doc .wps .ofd (folders and globs expand).
        """
        max_bytes = _max_bytes(max_size_mb)
        store = None if no_match else _open_store_or_none(db_url)
        failed = False
        rows = []
        try:
            for result in extract_paths(paths, max_bytes=max_bytes, store=store):
                record = result.as_record()
                failed = failed or record["error"] is not None
                if record["error"]:
                    click.echo(f"错误 error: {record['path']}: {record['error']}", err=True)
                if output_format == "json":
                    click.echo(json.dumps({key: record[key] for key in EXTRACT_KEYS}, ensure_ascii=False))
                else:
                    rows.append(record)
        finally:
            if store is not None:
                store.close()
        if output_format != "json":
            emit_rows(rows, _EXTRACT_LABELS, output_format, title="抽取结果 extracted metadata")
        if failed:
            sys.exit(EXIT_SOME_FAILED)

    @cli.command("ingest")
    @click.argument("paths", nargs=-1, required=True)
    @click.option("--update", is_flag=True, help="用文件内容覆盖已存政策的元数据 overwrite a matched policy's metadata")
    @click.option("--dry-run", is_flag=True, help="只显示将会发生什么 show what would happen, store nothing")
    @db_option
    @click.option("--max-size-mb", type=float, default=DEFAULT_MAX_BYTES / 1024 / 1024, show_default=True,
                  help="单个文件大小上限 size limit per file (MB)")  # fmt: skip
    def ingest_command(
        paths: tuple[str, ...], update: bool, dry_run: bool, db_url: str | None, max_size_mb: float
    ) -> None:
        """入库 Store documents (each atomic; committed in chunks); a stored policy is updated, never duplicated.

        \b
        Without --update a document that matches a stored policy (same number, or same title
        and date) only adds what the policy lacks (its full text, evidence, classification).
        """
        # start-up: imported only when this command runs, so other commands and --help stay light
        from cbec_policy.store import ingest_paths, open_store

        max_bytes = _max_bytes(max_size_mb)
        files = list(expand_paths(list(paths)))
        console = Console(stderr=True)
        with open_store(db_url) as store:
            if store.count_policies() == 0:
                # A fresh database: load the reference data first, so matches and theme codes resolve.
                console.print("数据库为空，先载入内置数据 empty database: loading the bundled reference data first")
                store.init()
            with Progress(
                TextColumn("[bold]入库 ingest"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.description}"),
                console=console,
                transient=True,
                # No refresh thread: with only one thread running, ingest may fork its reader
                # process (cbec_policy.ingest.reader_process); the bar is redrawn as documents are stored.
                auto_refresh=False,
            ) as bar:
                task = bar.add_task("", total=len(files))
                drawn = [0.0]  # when the bar was last redrawn (monotonic seconds)

                def report(done: int, total: int, outcome: IngestOutcome) -> None:
                    if outcome.status == "failed":
                        bar.console.print(f"错误 error: {outcome.path}: {outcome.reason}", markup=False)
                    bar.update(task, completed=done, description=outcome.path[-40:])
                    # A batch's outcomes arrive together: redraw ten times a second at most.
                    if done == total or time.monotonic() - drawn[0] >= 0.1:
                        bar.refresh()
                        drawn[0] = time.monotonic()

                summary = ingest_paths(
                    files, store, update=update, dry_run=dry_run, max_bytes=max_bytes, progress=report
                )
        counts = [
            {"status": bilingual("ingest_outcomes", status), "count": summary.count(status)}
            for status in ("new", "updated", "unchanged", "failed")
        ]
        title = "入库结果 ingest summary" + ("（试运行 dry run: nothing stored）" if dry_run else "")
        emit_rows(counts, _SUMMARY_LABELS, "table", title=title)
        if summary.failed:
            emit_rows(
                [{"path": o.path, "reason": o.reason} for o in summary.failed],
                _FAILED_LABELS,
                "table",
                title="失败 failed",
            )
            sys.exit(EXIT_SOME_FAILED)

"""``cbec tables table1|table2``: the paper's Tables 1 and 2 as Markdown, CSV, Excel or LaTeX."""

from __future__ import annotations

import os
from pathlib import Path

import click

from cbec_policy import tables
from cbec_policy.cli.options import date_value, db_option, open_ready_store
from cbec_policy.cli.output import format_option, to_json
from cbec_policy.errors import InputError
from cbec_policy.report import FORMATS, TableData, rows_as_dicts, write

_EXTENSIONS = {"md": ".md", "csv": ".csv", "xlsx": ".xlsx", "latex": ".tex", "json": ".json"}


def _write_file(path: Path, content: str | bytes) -> None:
    """Write via a temporary file in the same folder, so a failed write leaves no half file behind."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"--out {path}", "folder does not exist")
    data = content.encode("utf-8") if isinstance(content, str) else content
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"--out {path}", f"cannot write: {exc.strerror or exc}") from None


def _emit(table: TableData, output_format: str, out: str | None, default_name: str) -> None:
    """Print the table, or write it to ``out``; Excel always goes to a file and prints its path."""
    if output_format == "json":
        content: str | bytes = to_json(rows_as_dicts(table)) + "\n"
    else:
        content = write(table, output_format)
    if out is None and output_format == "xlsx":
        out = default_name + _EXTENSIONS["xlsx"]
    if out is None:
        click.echo(content, nl=False)
        return
    path = Path(out)
    _write_file(path, content)
    click.echo(f"已写入 written: {path}")


def _out_option(f: object) -> object:
    return click.option(
        "--out",
        "out",
        type=click.Path(dir_okay=False),
        default=None,
        help="写入文件 write to FILE (xlsx 默认 defaults to tableN.xlsx)",
    )(f)  # type: ignore[arg-type]


_VERIFIED = click.option(
    "--verified", is_flag=True, help="用核对后的值并标出与论文不同的单元格 verified values, differing cells marked"
)
_FORMAT = format_option(default="md", choices=(*FORMATS, "json"))


@click.group("tables")
def tables_group() -> None:
    """论文表1、表2 — the paper's Table 1 (policies by type) and Table 2 (pilot-zone batches)."""


@tables_group.command("table1")
@_VERIFIED
@click.option(
    "--from-store", "from_store", is_flag=True, help="据政策库重建（含已导入文件）rebuild from the store, ingested too"
)
@click.option("--from", "date_from", default=None, metavar="DATE", help="起始日期 from DATE (with --from-store)")
@click.option("--to", "date_to", default=None, metavar="DATE", help="截止日期 to DATE (with --from-store)")
@click.option(
    "--level",
    type=click.Choice(["national", "provincial", "municipal"]),
    default="national",
    show_default=True,
    help="层级 level (with --from-store)",
)
@_FORMAT
@_out_option
@db_option
def table1_command(
    verified: bool,
    from_store: bool,
    date_from: str | None,
    date_to: str | None,
    level: str,
    output_format: str,
    out: str | None,
    db_url: str | None,
) -> None:
    """表1 国家层面跨境电商政策（按类型分组）Table 1: national policies grouped by type.

    \b
    例 Example:
      cbec tables table1 --from-store --from 2024-01-01
    """
    if not from_store:
        if date_from or date_to or level != "national":
            raise InputError("--from/--to/--level", "only with --from-store (the paper's table is fixed)")
        name = "table1_verified" if verified else "table1"
        _emit(tables.table1(verified=verified), output_format, out, name)
        return
    if verified:
        raise InputError("--verified", "not with --from-store (stored values are the verified ones)")
    start, end = date_value(date_from, "--from"), date_value(date_to, "--to")
    store = open_ready_store(db_url)
    try:
        policies = store.list_policies(date_from=start, date_to=end)
    finally:
        store.close()
    table = tables.table1_from_policies(policies, date_from=start, date_to=end, level=level)
    _emit(table, output_format, out, "table1_store")


@tables_group.command("table2")
@_VERIFIED
@click.option("--through-latest", is_flag=True, help="加上论文之后的批次（第8批）add later batches (batch 8)")
@_FORMAT
@_out_option
def table2_command(verified: bool, through_latest: bool, output_format: str, out: str | None) -> None:
    """表2 跨境电商综合试验区批次（7批）Table 2: the 7 pilot-zone batches."""
    name = "table2" + ("_latest" if through_latest else "") + ("_verified" if verified else "")
    _emit(tables.table2(verified=verified, through_latest=through_latest), output_format, out, name)


def register(cli: click.Group) -> None:
    """Add ``cbec tables`` to the main command group."""
    cli.add_command(tables_group)

"""Shared output for every command: ``--format table|json|csv`` with Chinese column labels.

Commands build a list of row dicts keyed by stable ASCII names and pass a mapping of those
keys to readable labels; JSON and CSV keep the ASCII keys (stable for programs), the table
shows the labels (readable for people).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from cbec_policy.cells import spreadsheet_safe

FORMATS = ("table", "json", "csv")
# Columns whose cells never wrap inside a token (a date split over two lines reads as two values).
_NO_WRAP = frozenset({"publish_date", "effective_date", "end_date", "date", "rank", "score", "status",
                      "status_label", "type_label", "in_force", "in_force_today_label", "approval_date"})  # fmt: skip
# Long free text takes the width that is left, but never less than a readable few characters.
_FLEXIBLE = frozenset({"title", "snippet", "doc_number", "id", "issuers"})


def format_option(default: str = "table", choices: Sequence[str] = FORMATS) -> Callable[[Any], Any]:
    """The ``--format`` option shared by every listing command."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="输出格式 output format",
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Amounts are already rounded (cents, six-place rates): the number's shortest form is exact.
        return int(value) if value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "；".join(_cell(item) for item in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def to_json(value: Any) -> str:
    """JSON with Chinese kept readable (no \\u escapes) and dates as ISO strings."""
    return json.dumps(_plain(value), ensure_ascii=False, indent=2)


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """CSV with the ASCII keys as header; list values joined with ';'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                spreadsheet_safe(
                    ";".join(map(_cell, row.get(c))) if isinstance(row.get(c), list | tuple) else _cell(row.get(c))
                )
                for c in columns
            ]
        )
    return buffer.getvalue()


def emit_rows(
    rows: Sequence[Mapping[str, Any]],
    labels: Mapping[str, str],
    output_format: str,
    title: str | None = None,
    footer: str | None = None,
) -> None:
    """Print ``rows`` in the chosen format; ``labels`` maps each key to its column label."""
    columns = list(labels)
    if output_format == "json":
        click.echo(to_json([{key: row.get(key) for key in columns} for row in rows]))
    elif output_format == "csv":
        click.echo(to_csv(rows, columns), nl=False)
    else:
        table = Table(title=title, show_lines=False)
        for key in columns:
            # Dates, numbers and statuses keep their width: folded mid-token they read as two values.
            keep = key in _NO_WRAP
            table.add_column(
                labels[key],
                overflow="ellipsis" if keep else "fold",
                no_wrap=keep,
                min_width=8 if key in _FLEXIBLE else None,
                ratio=3 if key in ("title", "snippet") else (1 if key in _FLEXIBLE else None),
            )
        for row in rows:
            table.add_row(*(_cell(row.get(key)) for key in columns))
        console = Console(soft_wrap=False)
        console.print(table)
        if footer:
            console.print(footer)


def emit_record(record: Mapping[str, Any], labels: Mapping[str, str], output_format: str) -> None:
    """Print one record: JSON object, one-row CSV, or a two-column 字段/值 table."""
    if output_format == "json":
        click.echo(to_json(dict(record)))
    elif output_format == "csv":
        click.echo(to_csv([record], list(record)), nl=False)
    else:
        table = Table(show_header=False)
        table.add_column("字段", style="bold")
        table.add_column("值", overflow="fold")
        for key, value in record.items():
            table.add_row(labels.get(key, key), _cell(value))
        Console().print(table)

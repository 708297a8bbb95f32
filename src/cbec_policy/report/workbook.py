"""Write every table of the report into ONE Excel workbook, one worksheet per table.

``table_writers.to_xlsx`` makes one workbook per table; a report wants them together, so this
module adds one worksheet per table to a single workbook through the same ``write_sheet``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from cbec_policy.report.table_writers import TableData, write_sheet

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(key: str, used: set[str]) -> str:
    """A legal, unique worksheet name (Excel: at most 31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("_", key)[:31] or "table"
    name, number = base, 2
    while name.lower() in used:
        suffix = f"_{number}"
        name = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(name.lower())
    return name


def _fill(sheet: Worksheet, table: TableData) -> None:
    write_sheet(sheet, table, title_row=True, max_width=60)
    for note in table.notes:
        sheet.append([])
        sheet.append([note])


def write_workbook(tables: Mapping[str, TableData], path: Path) -> Path:
    """Write ``tables`` (sheet key → table, in order) into one ``.xlsx`` file at ``path``."""
    workbook = Workbook()
    default = workbook.active
    used: set[str] = set()
    for key, table in tables.items():
        _fill(workbook.create_sheet(_sheet_name(key, used)), table)
    if tables:
        workbook.remove(default)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path

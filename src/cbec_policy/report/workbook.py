"""Write every table of the report into ONE Excel workbook, one worksheet per table.

The tables engineer's writer makes one workbook per table; a report wants them together, so
this module adds worksheets to a single workbook with the same look (bold header, widths,
wrapped text, differing cells filled and commented).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cbec_policy.report.table_writers import TableData

_HIGHLIGHT = PatternFill(start_color="FFF2CC", end_color="FFF2CC", fill_type="solid")
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
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([column.label for column in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, row in enumerate(table.rows):
        sheet.append([row.get(column.key, "") for column in table.columns])
        differs = table.differs_in(index)
        for position, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=index + 3, column=position)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column.key in differs:
                cell.fill = _HIGHLIGHT
                cell.comment = Comment(f"{table.reference_label}：{differs[column.key] or '（无 none）'}", "cbec")
    for position, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = max(6, min(column.width, 60))
    sheet.freeze_panes = "A3"
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

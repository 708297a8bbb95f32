"""Write a small grouped table as Markdown, CSV, Excel or LaTeX.

The writers know nothing about policies: they take a :class:`TableData` (columns, rows of
strings, optional grouping column, and for a checked table the cells that differ from a
reference value) so the same table looks the same in every format. Text formats return a
string; Excel writes bytes, because an ``.xlsx`` file is a zip archive.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cbec_policy.cells import keep_as_text, markdown_safe, spreadsheet_safe

MARK = "✱"
TEXT_FORMATS = ("md", "csv", "latex")
FORMATS = ("md", "csv", "xlsx", "latex")


@dataclass(frozen=True)
class Column:
    """One column: stable ASCII ``key`` (CSV header), readable ``label``, width in characters."""

    key: str
    label: str
    width: int = 12


@dataclass(frozen=True)
class TableData:
    """A table ready to write.

    ``differs[i]`` maps each column key whose value in row ``i`` differs from the reference
    to the reference value; ``reference[i]`` holds the reference value of every compared
    column (written as ``<prefix>_<key>`` columns in CSV so programs see both).
    """

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, str], ...]
    group_by: str | None = None
    checked: bool = False
    compared: tuple[str, ...] = ()
    differs: tuple[Mapping[str, str], ...] = ()
    reference: tuple[Mapping[str, str], ...] = ()
    reference_prefix: str = "paper"
    reference_label: str = "论文 paper"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def differs_in(self, index: int) -> Mapping[str, str]:
        """Column key → reference value for the cells of row ``index`` that differ."""
        return self.differs[index] if self.checked and index < len(self.differs) else {}


def write(table: TableData, fmt: str) -> str | bytes:
    """Render ``table`` in ``fmt`` (one of :data:`FORMATS`)."""
    writers = {"md": to_markdown, "csv": to_csv, "latex": to_latex, "xlsx": to_xlsx}
    if fmt not in writers:
        raise ValueError(f"unknown table format {fmt!r}; allowed: {', '.join(FORMATS)}")
    return writers[fmt](table)


# --------------------------------------------------------------------------- CSV


def csv_columns(table: TableData) -> list[str]:
    """The CSV header: the table's keys, then ``differs`` and the reference columns when checked."""
    keys = [column.key for column in table.columns]
    if table.checked:
        keys += ["differs"] + [f"{table.reference_prefix}_{key}" for key in table.compared]
    return keys


def to_csv(table: TableData) -> str:
    """Plain CSV, one row per record; grouping values are repeated on every row for filtering."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_columns(table))
    for index, row in enumerate(table.rows):
        cells = [row.get(column.key, "") for column in table.columns]
        if table.checked:
            cells.append(";".join(key for key in table.compared if key in table.differs_in(index)))
            reference = table.reference[index] if index < len(table.reference) else {}
            cells += [reference.get(key, "") for key in table.compared]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return buffer.getvalue()


# --------------------------------------------------------------------------- Markdown


def _md_escape(text: str) -> str:
    # A pipe would end the cell and a newline the row.
    return markdown_safe(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def _grouped_cells(table: TableData, index: int, previous: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """(key, value) per column, with the grouping value shown only on a group's first row, as printed tables do."""
    row = table.rows[index]
    cells = []
    for column in table.columns:
        value = row.get(column.key, "")
        if column.key == table.group_by and previous is not None and previous.get(column.key) == value:
            value = ""
        cells.append((column.key, value))
    return cells


def to_markdown(table: TableData) -> str:
    """A GitHub table; differing cells end with ✱ and show the reference value below."""
    lines = [f"**{_md_escape(table.title)}**", ""]
    lines.append("| " + " | ".join(_md_escape(column.label) for column in table.columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in table.columns) + "|")
    previous: Mapping[str, str] | None = None
    for index, row in enumerate(table.rows):
        differs = table.differs_in(index)
        cells = []
        for key, value in _grouped_cells(table, index, previous):
            text = _md_escape(value)
            if key in differs:
                text += f" {MARK}<br>{_md_escape(table.reference_label)}：{_md_escape(differs[key] or '（无 none）')}"
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
        previous = row
    lines.extend(_footer(table, escape=_md_escape))
    return "\n".join(lines) + "\n"


def _footer(table: TableData, escape: Callable[[str], str]) -> list[str]:
    out = []
    if table.checked:
        out.append(f"{MARK} 与{table.reference_label}不同 differs from the {table.reference_prefix}")
    out.extend(table.notes)
    if not out:
        return []
    return [""] + [f"{escape(line)}  " for line in out]  # two trailing spaces: a Markdown line break


# --------------------------------------------------------------------------- LaTeX

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """Escape the ten characters LaTeX treats specially, one pass so escapes are not re-escaped."""
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def to_latex(table: TableData) -> str:
    """A booktabs ``tabular`` fragment with fixed-width wrapping columns (needs booktabs and a CJK setup)."""
    total = sum(column.width for column in table.columns)
    # Share about 16 cm of text width between the columns in proportion to their widths.
    spec = "".join(f"p{{{16 * column.width / total:.1f}cm}}" for column in table.columns)
    lines = [
        f"% {latex_escape(table.title)}",
        r"% requires \usepackage{booktabs} and a CJK setup such as \usepackage{ctex}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(latex_escape(column.label) for column in table.columns) + r" \\",
        r"\midrule",
    ]
    previous: Mapping[str, str] | None = None
    for index, row in enumerate(table.rows):
        if table.group_by and previous is not None and previous.get(table.group_by) != row.get(table.group_by):
            lines.append(r"\midrule")
        differs = table.differs_in(index)
        cells = []
        for key, value in _grouped_cells(table, index, previous):
            text = latex_escape(value)
            if key in differs:
                paper = latex_escape(differs[key] or "（无 none）")
                text += rf"$^{{\ast}}$\newline {{\footnotesize {latex_escape(table.reference_label)}：{paper}}}"
            cells.append(text)
        lines.append(" & ".join(cells) + r" \\")
        previous = row
    lines.append(r"\bottomrule")
    lines.append(r"\end{tabular}")
    for note in _footer(table, escape=latex_escape)[1:]:
        lines.append(f"% {note.strip()}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Excel

_HIGHLIGHT = PatternFill(start_color="FFF2CC", end_color="FFF2CC", fill_type="solid")


def write_sheet(sheet: Worksheet, table: TableData, *, title_row: bool = False, max_width: float | None = None) -> None:
    """Write ``table`` into ``sheet``: bold header, wrapped text, set widths, differing cells filled and commented.

    ``title_row`` puts the table's title above the header (for workbooks holding many tables);
    ``max_width`` caps column widths. Shared by the single-table export and the report workbook.
    """
    if title_row:
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
    header_row = 2 if title_row else 1
    sheet.append([column.label for column in table.columns])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, row in enumerate(table.rows):
        sheet.append([row.get(column.key, "") for column in table.columns])
        differs = table.differs_in(index)
        for position, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=header_row + 1 + index, column=position)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            keep_as_text(cell)  # an ingested "=HYPERLINK(...)" stays text, never a formula
            if column.key in differs:
                cell.fill = _HIGHLIGHT
                cell.comment = Comment(f"{table.reference_label}：{differs[column.key] or '（无 none）'}", "cbec")
    for position, column in enumerate(table.columns, start=1):
        width = column.width if max_width is None else max(6, min(column.width, max_width))
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"


def to_xlsx(table: TableData) -> bytes:
    """One worksheet: bold header row, set widths, wrapped text; differing cells filled and commented."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31] or "table"  # Excel's limit on sheet names
    write_sheet(sheet, table)
    legend = f"{MARK} 与{table.reference_label}不同的单元格已标色 differing cells are highlighted"
    notes = [legend] if table.checked else []
    for note in [*notes, *table.notes]:
        sheet.append([])
        sheet.append([note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_as_dicts(table: TableData) -> list[dict[str, object]]:
    """The rows as plain dicts (for JSON), with ``differs`` per row when the table is checked."""
    out: list[dict[str, object]] = []
    for index, row in enumerate(table.rows):
        record: dict[str, object] = {column.key: row.get(column.key, "") for column in table.columns}
        if table.checked:
            record["differs"] = dict(table.differs_in(index))
        out.append(record)
    return out


__all__: Sequence[str] = (
    "FORMATS",
    "MARK",
    "Column",
    "TableData",
    "csv_columns",
    "latex_escape",
    "rows_as_dicts",
    "to_csv",
    "to_latex",
    "to_markdown",
    "to_xlsx",
    "write",
)

"""A researcher's 0/1 matrix as CSV: export the automatic coding, edit it, import it as the override.

The file has one row per policy: a ``policy`` column (the policy id) and one column per binary
variable, headed by its code and name (``X1.1 预测``; the code alone is accepted). A cell holds
0 or 1; an empty cell keeps the automatic coding. Columns whose header does not start with a
variable code (such as a study's ``published_pmc``) are carried along and ignored. Every row is
checked before anything is used: one error lists every bad cell, so nothing is half-applied.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cbec_policy.errors import InputError
from cbec_policy.evaluation.scheme import Scheme

ID_COLUMN = "policy"
_CODE = re.compile(r"^(X\d+(?:\.\d+)?)(?:\s|$)")
_MAX_LISTED = 12

# policy id -> variable code -> 0/1, or None where the researcher left the cell empty
PartialMatrix = dict[str, dict[str, int | None]]


@dataclass(frozen=True)
class ImportedMatrix:
    """A checked matrix file: its cells and the columns it carried but the scheme does not use."""

    cells: PartialMatrix
    ignored_columns: tuple[str, ...]


def read_matrix(path: Path | str, scheme: Scheme) -> ImportedMatrix:
    """Read and check a matrix CSV against ``scheme``; raise one InputError naming every problem."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--matrix {source}", f"cannot read the file: {exc}") from None
    return parse_matrix(text, scheme, str(source))


def parse_matrix(text: str, scheme: Scheme, name: str = "matrix") -> ImportedMatrix:
    """Check matrix CSV ``text``; see :func:`read_matrix`."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or ID_COLUMN not in [h.strip() for h in header]:
        raise InputError(name, f"the header needs a {ID_COLUMN!r} column and one column per variable")
    header = [h.strip() for h in header]
    known = {v.code for v in scheme.variables}
    columns: dict[int, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for index, title in enumerate(header):
        if title == ID_COLUMN:
            continue
        match = _CODE.match(title)
        if match is None:
            ignored.append(title)
        elif match.group(1) not in known:
            problems.append(f"column {title!r}: {match.group(1)} is not a variable of scheme {scheme.name}")
        elif match.group(1) in columns.values():
            problems.append(f"column {title!r}: {match.group(1)} appears twice")
        else:
            columns[index] = match.group(1)
    missing = [v.column for v in scheme.variables if v.code not in columns.values()]
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    id_index = header.index(ID_COLUMN)
    cells: PartialMatrix = {}
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            problems.append(f"line {line}: {len(values)} cells, the header has {len(header)}")
            continue
        policy_id = values[id_index].strip()
        if not policy_id:
            problems.append(f"line {line}: empty {ID_COLUMN!r}")
            continue
        if policy_id in cells:
            problems.append(f"line {line}: policy {policy_id!r} appears twice")
            continue
        row: dict[str, int | None] = {}
        for index, code in columns.items():
            cell = values[index].strip()
            if cell in ("0", "1"):
                row[code] = int(cell)
            elif cell == "":
                row[code] = None
            else:
                problems.append(f"line {line} ({policy_id}), column {header[index]!r}: {cell!r} is not 0 or 1")
        cells[policy_id] = row
    if not cells and not problems:
        problems.append("no policy rows")
    if problems:
        listed = "; ".join(problems[:_MAX_LISTED])
        more = f"; and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
        raise InputError(name, f"{len(problems)} problem(s), nothing used: {listed}{more}")
    return ImportedMatrix(cells, tuple(ignored))


def write_matrix(scheme: Scheme, matrix: Mapping[str, Mapping[str, int | None]]) -> str:
    """The matrix as CSV text in the import format (header ``policy``, ``X1.1 预测`` …)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([ID_COLUMN, *(v.column for v in scheme.variables)])
    for policy_id, row in matrix.items():
        writer.writerow([policy_id, *("" if row.get(v.code) is None else row[v.code] for v in scheme.variables)])
    return buffer.getvalue()


def complete(cells: PartialMatrix) -> dict[str, dict[str, int]] | None:
    """The matrix when every cell is filled, else None (the caller fills the gaps by coding)."""
    if any(value is None for row in cells.values() for value in row.values()):
        return None
    return {
        policy_id: {code: int(value) for code, value in row.items() if value is not None}
        for policy_id, row in cells.items()
    }

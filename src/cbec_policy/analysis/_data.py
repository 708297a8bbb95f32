"""Read the small data files that ship with the analysis package (periods, provinces, paper claims).

They are data rather than code so that a new framework, a corrected grid position or a
re-read paper figure is an edited row, never an ``if``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from cbec_policy.errors import ReferenceDataError

_HERE = Path(__file__).parent


def data_path(name: str) -> Path:
    """Path of a data file bundled with the analysis package."""
    return _HERE / name


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping, or :class:`ReferenceDataError` naming the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReferenceDataError(str(path.name), None, None, f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReferenceDataError(path.name, mark.line + 1 if mark else None, None, f"malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ReferenceDataError(path.name, None, None, "expected a mapping at the top level")
    return data


def read_csv(path: Path, columns: set[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a UTF-8 CSV file whose header holds ``columns``."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = columns - set(reader.fieldnames or [])
            if missing:
                raise ReferenceDataError(path.name, 1, None, f"missing columns: {', '.join(sorted(missing))}")
            return [(reader.line_num, {k: (v or "").strip() for k, v in row.items()}) for row in reader]
    except OSError as exc:
        raise ReferenceDataError(path.name, None, None, f"cannot read: {exc.strerror}") from None

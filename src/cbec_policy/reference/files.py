"""Where the reference files are read from, and one CSV row that knows its file and line.

The bundled folder is this package; ``$CBEC_REFERENCE_DIR`` names another folder of the same
files (a researcher's updated copy, a copy with a new pilot batch), read instead by every loader.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError, ReferenceDataError

_HERE = Path(__file__).parent
REFERENCE_DIR_ENV = "CBEC_REFERENCE_DIR"
T = TypeVar("T")


def reference_dir() -> Path:
    """The folder reference files are read from: ``$CBEC_REFERENCE_DIR`` when set, else the bundled one."""
    override = os.environ.get(REFERENCE_DIR_ENV, "").strip()
    if not override:
        return _HERE
    folder = Path(override)
    if not folder.is_dir():
        raise InputError(REFERENCE_DIR_ENV, f"{override!r} is not a folder of reference files")
    return folder


def reference_path(name: str) -> Path:
    """Path of a reference file, e.g. ``reference_path("pilot_zones.csv")`` (see :func:`reference_dir`)."""
    return reference_dir() / name


class Row:
    """One CSV row that knows its file and line, so every error can point at a cell."""

    def __init__(self, path: Path, line: int, values: dict[str, str]) -> None:
        self.path = path
        self.line = line
        self.values = values

    def error(self, column: str | None, reason: str) -> ReferenceDataError:
        return ReferenceDataError(self.path.name, self.line, column, reason)

    def text(self, column: str, required: bool = True) -> str:
        value = (self.values.get(column) or "").strip()
        if required and not value:
            raise self.error(column, "value is required")
        return value

    def date(self, column: str, required: bool = True) -> date | None:
        value = self.text(column, required)
        if not value:
            return None
        try:
            return parse_date(value, column)
        except InputError as exc:
            raise self.error(column, exc.reason) from None

    def integer(self, column: str) -> int:
        value = self.text(column)
        try:
            return int(value)
        except ValueError:
            raise self.error(column, f"not an integer: {value!r}") from None

    def number(self, column: str) -> float | None:
        value = self.text(column, required=False)
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            raise self.error(column, f"not a number: {value!r}") from None

    def choice(self, column: str, allowed: set[str], required: bool = True) -> str:
        value = self.text(column, required)
        if value and value not in allowed:
            raise self.error(column, f"unknown value {value!r}; allowed: {', '.join(sorted(allowed))}")
        return value

    def items(self, column: str, sep: str = ";") -> tuple[str, ...]:
        return tuple(part.strip() for part in self.text(column, required=False).split(sep) if part.strip())


def read_rows(path: Path, required_columns: set[str]) -> Iterator[Row]:
    """Yield the rows of a UTF-8 CSV file, checking the header first."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ReferenceDataError(str(path), None, None, f"cannot read: {exc.strerror}") from None
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = set(reader.fieldnames or [])
            missing = required_columns - header
            if missing:
                raise ReferenceDataError(path.name, 1, None, f"missing columns: {', '.join(sorted(missing))}")
            for values in reader:
                if None in values:  # more cells than header columns
                    raise ReferenceDataError(path.name, reader.line_num, None, "more cells than columns")
                yield Row(path, reader.line_num, values)
        except UnicodeDecodeError as exc:
            raise ReferenceDataError(path.name, None, None, f"not UTF-8 text ({exc.reason})") from None
        except csv.Error as exc:
            raise ReferenceDataError(path.name, None, None, f"malformed CSV: {exc}") from None


def load_rows(path: Path | None, name: str, columns: set[str], parse: Callable[[Row], T]) -> list[T]:
    """Every row of ``path`` (or of the reference file ``name``), each parsed by ``parse``."""
    return [parse(row) for row in read_rows(path or reference_path(name), columns)]

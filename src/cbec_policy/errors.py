"""Error types shared by every layer.

Every error that reaches a user names the input it is about and the reason, on one line,
so that a job over many inputs can list failures and go on with the rest.
"""

from __future__ import annotations


class CbecError(Exception):
    """Base class for errors the command line reports as one clear line (exit code 2)."""


class InputError(CbecError):
    """Bad input: ``source`` names the file, row, option or value; ``reason`` says what is wrong."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class ReferenceDataError(InputError):
    """A bundled or user-supplied reference file is malformed (names file, line and column)."""

    def __init__(self, path: str, line: int | None, column: str | None, reason: str) -> None:
        where = path
        if line is not None:
            where += f", line {line}"
        if column:
            where += f", column {column!r}"
        self.path = path
        self.line = line
        self.column = column
        super().__init__(where, reason)

"""Errors of the rules engine.

A question about a date that no rule covers is answered with :class:`RuleNotApplicableError`
(never a silent default): the message names the date, the rule and the date range it
covers, so the command line prints one clear line and an order file's result row carries it in its
``error`` column.
"""

from __future__ import annotations

from datetime import date

from cbec_policy.errors import CbecError, InputError, ReferenceDataError


class RuleNotApplicableError(CbecError):
    """No rule covers the date asked about (before a rule existed or after it ended)."""

    def __init__(self, day: date, rule: str, reason: str) -> None:
        self.day = day
        self.rule = rule
        self.reason = reason
        super().__init__(f"{day.isoformat()}: {reason}")


class ParameterFileError(ReferenceDataError):
    """A rule parameter file is malformed; names the file and the parameter key."""

    def __init__(self, path: str, key: str | None, reason: str) -> None:
        self.path = path
        self.line = None
        self.column = key
        InputError.__init__(self, f"{path}, key {key!r}" if key else path, reason)

"""Strict date parsing: ``2023-02-30`` is an error, not a silent roll-over."""

from __future__ import annotations

import re
from datetime import date

from cbec_policy.errors import InputError

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DOTTED = re.compile(r"^\s*(\d{4})[./年](\d{1,2})[./月](\d{1,2})日?\s*$")


def parse_date(text: str, what: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` (also ``YYYY.MM.DD`` and ``YYYY年M月D日``) into a date.

    ``what`` names the input in the error, e.g. ``"--on"`` or ``"pilot_zones.csv line 4"``.
    """
    match = _ISO.match(text) or _DOTTED.match(text)
    if not match:
        raise InputError(what, f"not a date: {text!r} (expected YYYY-MM-DD)")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InputError(what, f"no such date: {text!r} ({exc})") from None

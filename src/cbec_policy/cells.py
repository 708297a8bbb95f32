"""Values made safe for the programs exports are opened in: spreadsheets and Markdown viewers.

Titles, issuers and numbers come from ingested pages, so an export can carry text a hostile
page chose. A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some programs, a tab or carriage return) as a formula — ``=HYPERLINK(...)`` becomes a live link,
``=1+2号`` an error cell. Following the OWASP CSV-injection guidance, such a text cell is
prefixed with an apostrophe, which every spreadsheet shows as the plain text. A number is data,
not a formula: numbers (and texts that are exactly a number, such as ``-12.5``) are left alone
so they stay numeric. Markdown renders raw HTML, so stored text is HTML-escaped there.
"""

from __future__ import annotations

import html
import re
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would run as a formula; then ``'`` + text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def keep_as_text(cell: Any) -> None:
    """Make an openpyxl cell that openpyxl took for a formula (text starting with ``=``) plain text."""
    if cell.data_type == "f":
        cell.data_type = "s"


def markdown_safe(text: str) -> str:
    """``text`` with ``<``, ``>`` and ``&`` escaped, so stored HTML shows as text in a Markdown viewer."""
    return html.escape(text, quote=False)

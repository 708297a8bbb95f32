"""The API contract in the schema: what the server refuses, said where clients and checkers read it.

FastAPI writes ``/openapi.json`` from the routes' types, but three kinds of rule live
elsewhere and must be stated too, or a client sending a schema-valid request gets 422:

* **date windows** of the tax rules (no CBEC retail import regime before 2016-04-08, the
  return-goods exemption only for exports 2023-01-30 … 2027-12-31): JSON Schema has no
  minimum for a date string, so the window is a ``pattern`` matching exactly the ISO dates
  in it (:func:`date_pattern`), and the same window is checked when the value is read;
* **amounts and rates** as decimals: a JSON number on a grid of whole fen (``multipleOf``)
  or a decimal string of the same shape (:func:`decimal`), with the bounds the server checks;
* **request hygiene**: the middleware refuses control characters in the path and in every
  query parameter (:mod:`cbec_policy.web.hygiene`), so every string parameter gets the
  pattern saying so and every operation documents that 422 (:func:`document_hygiene`).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from cbec_policy.places import hierarchy, name_keys
from cbec_policy.web.hygiene import NO_CONTROL_OR_EMPTY_PATTERN, NO_CONTROL_PATTERN

# The calculators answer for days up to the end of 2099: the rule tables hold no value set for a
# later day, and date arithmetic on them (a 6-month return deadline) would overflow near year 9999.
CALCULATOR_HORIZON = date(2099, 12, 31)
_MAX_YEARS = 200  # a window spelled year by year stays a few kilobytes
# Month-day pairs valid in every year, and the leap day.
_EVERY_YEAR = "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
# The search box takes at most this many words (cbec_policy.query.parse.MAX_WORDS).
SEARCH_WORDS = 12
HYGIENE_RESPONSE = {
    "description": "a control character (such as NUL) in the path or a query parameter, or a query parameter "
    "given more than once"
}
BAD_BODY_RESPONSE = {"description": "the body is not valid JSON or multipart form data"}


def _alternatives(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "(?:" + "|".join(items) + ")"


def _within_year(first: date, last: date) -> str:
    """ISO dates from ``first`` to ``last`` of one year, month by month."""
    months = []
    for month in range(first.month, last.month + 1):
        low = first.day if month == first.month else 1
        high = last.day if month == last.month else calendar.monthrange(first.year, month)[1]
        months.append(f"{month:02d}-" + _alternatives([f"{day:02d}" for day in range(low, high + 1)]))
    return f"{first.year:04d}-" + _alternatives(months)


def date_pattern(first: date, last: date) -> str:
    """A regular expression matching exactly the ISO dates (YYYY-MM-DD) from ``first`` to ``last``.

    >>> import re
    >>> pattern = date_pattern(date(2016, 4, 8), date(2017, 3, 1))
    >>> [bool(re.match(pattern, day)) for day in ("2016-04-07", "2016-04-08", "2017-02-29", "2017-03-01")]
    [False, True, False, True]
    """
    if last < first:
        raise ValueError(f"date window: {first} is after {last}")
    if last.year - first.year > _MAX_YEARS:
        raise ValueError(f"date window: {first} to {last} spans more than {_MAX_YEARS} years")
    if first.year == last.year:
        return f"^{_within_year(first, last)}$"
    parts = [_within_year(first, date(first.year, 12, 31)), _within_year(date(last.year, 1, 1), last)]
    middle = range(first.year + 1, last.year)
    common = [f"{year:04d}" for year in middle if not calendar.isleap(year)]
    leap = [f"{year:04d}" for year in middle if calendar.isleap(year)]
    if common:
        parts.append(f"{_alternatives(common)}-{_EVERY_YEAR}")
    if leap:
        parts.append(f"{_alternatives(leap)}-(?:{_EVERY_YEAR}|02-29)")
    return "^(?:" + "|".join(parts) + ")$"


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: Any) -> Any:
    """Only YYYY-MM-DD text (or a date) is a date: pydantic would read ``0`` as 1970-01-01."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


# A date given as text: its schema stays ``format: date``, and numbers are refused as the schema says.
IsoDate = Annotated[date, BeforeValidator(_iso_day)]


def date_in(first: date, last: date = CALCULATOR_HORIZON, why: str = "") -> Any:
    """A date type accepting only ``first`` … ``last``: checked when read, and a pattern in the schema.

    ``why`` says where the window comes from (the rule that has no value outside it).
    """

    def check(day: date) -> date:
        if not first <= day <= last:
            raise ValueError(f"{day} is outside {first} … {last}" + (f" ({why})" if why else ""))
        return day

    schema = {"type": "string", "pattern": date_pattern(first, last),
              "description": f"YYYY-MM-DD, {first} to {last}" + (f" ({why})" if why else "")}  # fmt: skip
    return Annotated[date, BeforeValidator(_iso_day), AfterValidator(check), WithJsonSchema(schema)]


def _positive_fraction(places: int | None) -> str:
    """``0.…`` with at least one non-zero digit (and at most ``places`` digits)."""
    if places is None:
        return r"0\.[0-9]*[1-9][0-9]*"
    return r"0\." + _alternatives([f"0{{{zeros}}}[1-9][0-9]{{0,{places - zeros - 1}}}" for zeros in range(places)])


def decimal_text_pattern(int_digits: int | None, places: int | None, positive: bool) -> str:
    """A pattern of plain decimal strings (no sign, no exponent) with those limits.

    >>> import re
    >>> money = decimal_text_pattern(12, 2, positive=True)
    >>> [bool(re.match(money, text)) for text in ("12.50", "0.05", "0", "0.00", "1.234", "")]
    [True, True, False, False, False, False]
    """
    whole = "[1-9][0-9]*" if int_digits is None else f"[1-9][0-9]{{0,{int_digits - 1}}}"
    fraction = r"(?:\.[0-9]+)?" if places is None else rf"(?:\.[0-9]{{1,{places}}})?"
    if positive:
        return f"^(?:{whole}{fraction}|{_positive_fraction(places)})$"
    return f"^(?:0|{whole}){fraction}$"


def decimal(
    *,
    positive: bool = False,
    int_digits: int | None = None,
    places: int | None = None,
    below: Decimal | None = None,
    at_most: Decimal | None = None,
) -> Any:
    """A decimal type with its bounds checked, described as a JSON number or a decimal string.

    ``positive``: above 0 (else 0 or more); ``int_digits``/``places``: digits before and after
    the point (``places=2``: whole fen); ``below`` / ``at_most``: an upper bound of 1 or 10
    (rates), spelled as a pattern of its own.
    """
    constraints: dict[str, Any] = {"gt": 0} if positive else {"ge": 0}
    number: dict[str, Any] = {"type": "number", ("exclusiveMinimum" if positive else "minimum"): 0}
    if places is not None:
        constraints["decimal_places"] = places
        number["multipleOf"] = float(Decimal(1).scaleb(-places))
    if int_digits is not None:
        constraints["max_digits"] = int_digits + (places or 0)
        number["maximum"] = float(Decimal(10) ** int_digits - Decimal(1).scaleb(-(places or 0)))
    if below == 1:
        constraints["lt"] = below
        number["exclusiveMaximum"] = 1
        text = r"^0(?:\.[0-9]+)?$"
    elif at_most == 10:
        constraints["le"] = at_most
        number["maximum"] = 10
        text = r"^(?:[0-9](?:\.[0-9]+)?|10(?:\.0+)?)$"
    elif below is None and at_most is None:
        text = decimal_text_pattern(int_digits, places, positive)
    else:
        raise ValueError("decimal: only the rate bounds below=1 and at_most=10 are spelled as patterns")
    schema = {"anyOf": [number, {"type": "string", "pattern": text}]}
    return Annotated[Decimal, Field(**constraints), WithJsonSchema(schema)]


def vocabulary_words(vocabulary: tuple[Any, ...]) -> tuple[str, ...]:
    """Every spelling a filter accepts for a vocabulary: codes, Chinese and English labels."""
    words = [word for entry in vocabulary for word in (entry.code, entry.zh, entry.en)]
    return tuple(dict.fromkeys(words))


def province_words() -> tuple[str, ...]:
    """Every spelling of a province-level division the zone filter accepts (浙江省, 浙江, zhejiang, Zhejiang …).

    Pinyin is listed in lower case and capitalised, as a place name is usually written in English.
    """
    words = []
    for place in hierarchy().places.values():
        if place.is_provincial:
            keys = name_keys(place.name, with_pinyin=True)
            words += [place.name, *keys, *(key.capitalize() for key in keys if key.isascii())]
    return tuple(dict.fromkeys(words))


def _folding_into_separators() -> str:
    """Characters whose compatibility form (NFKC, as queries are folded) holds a space or a quote.

    Such a character splits one typed word into several, so the word count of the pattern
    below would not be the count the search makes. All of them lie in the Basic Multilingual Plane.
    """
    found = []
    for code in range(0x80, 0x10000):
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if folded != char and (any(c.isspace() for c in folded) or '"' in folded):
            found.append(char)
    return re.escape("".join(found))


def _search_words_pattern(limit: int) -> str:
    """At most ``limit`` words separated by spaces; a quote only at a word's start or end.

    A quote inside a word starts a phrase there and can split it into several search words.
    """
    letter = rf'[^\s"\x00-\x1f\x7f{_folding_into_separators()}]'
    space = r"[^\S\x00-\x1f\x7f]"
    word = f'(?:"?{letter}+"?|"{{1,2}})'  # a lone quote opens a phrase, an empty one is no word
    return rf"^{space}*(?:{word}{space}+){{0,{limit - 1}}}(?:{word})?{space}*$"


SEARCH_WORDS_PATTERN = _search_words_pattern(SEARCH_WORDS)
# A list cursor as the server hands it out: DATE~ID, the date of the last row (or the sentinel
# first or last day for an undated one) and its policy id.
CURSOR_PATTERN = (
    "^(?:0001-01-01|9999-12-31|" + date_pattern(date(1900, 1, 1), date(2100, 12, 31))[1:-1] + r")~[^\x00-\x1f\x7f]+$"
)


def _guard_strings(schema: dict[str, Any]) -> None:
    """Add the no-control-character pattern to every string (branch) that has no pattern or enum."""
    for branch in schema.get("anyOf", []):
        _guard_strings(branch)
    if schema.get("type") == "string" and "pattern" not in schema and "enum" not in schema:
        schema["pattern"] = NO_CONTROL_PATTERN if schema.get("minLength", 0) > 0 else NO_CONTROL_OR_EMPTY_PATTERN
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _guard_strings(schema["items"])


def document_hygiene(openapi: dict[str, Any]) -> dict[str, Any]:
    """``openapi`` with the middleware's control-character rule on every path and query parameter.

    Every operation may answer 422 for it (even one without parameters: any query string is
    checked), so 422 is documented on each.
    """
    for methods in openapi.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("path", "query"):
                    _guard_strings(parameter.get("schema", {}))
            operation["responses"].setdefault("422", HYGIENE_RESPONSE)
            if "requestBody" in operation:
                operation["responses"].setdefault("400", BAD_BODY_RESPONSE)
    return openapi


def install(app: Any) -> None:
    """Make ``app`` serve its OpenAPI document with :func:`document_hygiene` applied (once, then kept)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document_hygiene(generate())  # FastAPI keeps the generated document in app.openapi_schema
        return app.openapi_schema

    app.openapi = openapi

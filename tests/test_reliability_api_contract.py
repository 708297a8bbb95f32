"""The API contract tells the truth: schemathesis generates requests from the running server's
``/openapi.json`` (with the write token, on a throw-away database) and checks every response
against the schema — status codes, content types, bodies — and that none is a server error.

Both ways: schema-valid requests must be answered (positive cases), and requests that break the
schema (a value of the wrong type or outside its bounds, a field too many) must be refused with
a 4xx (negative cases). Every operation is held to the contract; none is exempt. In a multipart
form every part is bytes, so a negative case that sends a "number" for a file part is a file
with digits in it: for those bodies the refusal check is not asked. A schema can say that the uploaded order file
is CSV or Parquet but not what rows an orders file holds, so the orders files themselves come
from the strategies below (the required columns, any cell text): a file of that shape must get
its results file, whatever its cells hold (bad cells are rows with an ``error``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from cbec_policy.rules.order_file.parsing import REQUIRED_COLUMNS
from cbec_policy.web.contract import date_pattern, decimal_text_pattern
from cbec_policy.web.tax import Price
from serving import cbec_serve

TOKEN = "contract-token"
EXAMPLES = 15
# POST /api/report takes lang from a two-value enum in the query or the body: a handful of cases
# covers it, and each builds a whole report.
EXAMPLES_OF = {"POST /api/report": 4}
REQUEST_SECONDS = 300  # a report build on a loaded machine
OPTIONAL_COLUMNS = ("buyer_id", "quantity", "freight", "insurance", "category", "description")

_cell = st.one_of(
    st.text(max_size=12),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str),
    st.dates(date(2015, 1, 1), date(2030, 12, 31)).map(date.isoformat),
)


@st.composite
def _orders(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header with the required columns (and some optional ones) and rows of any cell text."""
    extra = draw(st.lists(st.sampled_from(OPTIONAL_COLUMNS), unique=True, max_size=3))
    header = [*REQUIRED_COLUMNS, *extra]
    rows = draw(st.lists(st.lists(_cell, min_size=len(header), max_size=len(header)), min_size=1, max_size=8))
    return header, rows


def _csv_bytes(table: tuple[list[str], list[list[str]]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table[0])
    writer.writerows(table[1])
    return out.getvalue().encode("utf-8")


def _parquet_bytes(table: tuple[list[str], list[list[str]]]) -> bytes:
    header, rows = table
    columns = {name: [row[index] for row in rows] for index, name in enumerate(header)}
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


schemathesis.openapi.media_type("text/csv", _orders().map(_csv_bytes))
schemathesis.openapi.media_type("application/vnd.apache.parquet", _orders().map(_parquet_bytes))


@pytest.fixture
def live_server(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``cbec serve`` (one worker, write token set) over a throw-away initialised database."""
    with cbec_serve(store_url, TOKEN, tmp_path_factory.mktemp("contract") / "data", init=False) as base:
        yield base


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda mode: mode.value)
def test_every_operation_keeps_its_documented_contract(live_server: str, mode: GenerationMode) -> None:
    """Each operation: generated cases sent to the server, each response validated by schemathesis.

    Driven through hypothesis directly (the pytest plugin's fixture loader predates this pytest);
    every failure is collected with its operation, so one run lists all of them.
    """
    api = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
    failures: list[str] = []
    tried = 0
    for result in api.get_all_operations():
        operation = result.ok()
        negatable = [*operation.query, *operation.path_parameters, *operation.body]
        if mode is GenerationMode.NEGATIVE and not negatable:
            continue  # nothing in the request to break (GET /api/batches)
        check = _checker(operation, mode)
        tried += 1
        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # one error per failing operation, with its checks
            failures.append(f"{operation.label}: {_summary(exc)}")
    assert tried >= 20
    assert not failures, "\n".join(failures)


def _checker(operation: Any, mode: GenerationMode) -> Any:
    """A hypothesis test sending the operation's generated cases (with the token) and validating each answer."""
    multipart = any(body.media_type == "multipart/form-data" for body in operation.body)
    excluded = [negative_data_rejection] if mode is GenerationMode.NEGATIVE and multipart else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_OF.get(operation.label, EXAMPLES), deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck), database=None,
    )  # fmt: skip
    def check(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(
            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=REQUEST_SECONDS, excluded_checks=excluded
        )

    return check


def _summary(exc: BaseException) -> str:
    """The failing checks' titles, the response and the request to reproduce, from a schemathesis failure."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    wanted = [line for line in lines if line.startswith(("- ", "[", "`", "curl")) or "Expected" in line]
    return " | ".join(wanted)[:1200] or (lines[0] if lines else type(exc).__name__)


def test_a_date_window_pattern_matches_exactly_the_days_in_it() -> None:
    """Every calendar day of 2015-2021 matches the 2016-04-08 … 2020-03-01 pattern iff it is in the window."""
    first, last = date(2016, 4, 8), date(2020, 3, 1)
    pattern = re.compile(date_pattern(first, last))
    day = date(2015, 1, 1)
    while day <= date(2021, 12, 31):
        assert bool(pattern.match(day.isoformat())) == (first <= day <= last), day
        day += timedelta(days=1)
    # strings shaped like dates that name no day (2016 and 2020 are leap years, 2017-2019 not)
    for text in ("2017-02-29", "2019-02-29", "2016-02-30", "2018-04-31", "2018-13-01", "2018-00-10", "2018-1-05"):
        assert not pattern.match(text), text


def test_a_decimal_pattern_admits_what_the_server_reads_as_that_amount() -> None:
    """A string the money pattern admits is a positive amount in whole fen, and the server's type takes it."""
    adapter = TypeAdapter(Price)
    pattern = re.compile(decimal_text_pattern(12, 2, positive=True))
    for text in ("0.01", "0.1", "5000", "5000.00", "999999999999.99", "12.5"):
        assert pattern.match(text), text
        assert adapter.validate_python(text) == Decimal(text)
    for text in ("0", "0.00", "0.001", "1.234", "-1", "1e3", "1000000000000", "", " 1", "١٢"):
        assert not pattern.match(text), text
    with pytest.raises(ValidationError):
        adapter.validate_python("0.001")  # the server refuses what the pattern refuses

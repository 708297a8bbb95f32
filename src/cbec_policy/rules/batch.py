"""Vectorised CBEC retail import tax for many orders, streamed in chunks.

The same rules as :func:`~cbec_policy.rules.retail_import.retail_import_tax`, computed over
numpy columns, with results equal to the single-order calculator to the fen:

- the dutiable value and the limits are compared in integer fen, so a value equal to a
  limit is never misjudged by float rounding; money inputs with more than two decimals are
  row errors;
- each tax is computed in float64 (in fen) and rounded; where the unrounded value lies
  within 1e-6 fen of a half fen (a possible tie, e.g. 10 % of 12.35), or the proven error
  bound does not hold (see the note above ``_FAST_LIMIT``), the row is recomputed exactly
  in integer fractions — the same exact values the single-order calculator rounds. Rates
  with at most six decimals are done this way; others go through the single-order
  calculator.

Annual totals (when ``buyer_id`` is given). A buyer's CBEC purchases accumulate per
calendar year in date order. Streaming keeps a small ledger per buyer (latest year, its
total, last date) across chunks, so the file is read once and never sorted in memory. The
rows of one buyer must come in date order (a file sorted by date does); a row dated before
the same buyer's previous row gets an error and is not counted — sort the file first.
Within a chunk the rows are put in buyer order by one sort of packed integer keys and the
running totals are one vectorised cumulative sum; only where a buyer crosses the annual
limit (an over-limit order does not count, so a later smaller order may still fit) is the
rest of that buyer's year walked row by row. Orders without a buyer are
taxed as the buyer's first purchase of the year (``annual_before`` = 0).

A bad row (unparseable value, date before 2016-04-08, missing tariff rate where full tax
applies, ...) gets a one-line message in the ``error`` column; the rest go on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from cbec_policy.errors import CbecError, InputError
from cbec_policy.rules.errors import RuleNotApplicableError
from cbec_policy.rules.parameters import ParameterSet, load_parameters
from cbec_policy.rules.retail_import import PATH_FULL, PATH_GENERAL, PATH_WITHIN, PATHS, retail_import_tax

ORDER_COLUMNS = (
    "order_id", "date", "price", "freight", "insurance", "items", "vat_rate", "ct_rate", "tariff_rate", "buyer_id",
)  # fmt: skip
REQUIRED_COLUMNS = ("order_id", "date", "price")
MONEY_COLUMNS = ("dutiable_value", "tariff", "consumption_tax", "vat", "total_tax", "annual_before", "annual_after")
RESULT_COLUMNS = ("order_id", "date", "path", *MONEY_COLUMNS[:5], "effective_rate", *MONEY_COLUMNS[5:], "error")
DEFAULT_CHUNK_ROWS = 262_144
_TIE_EPS = 1e-6  # in fen (or in millionths of a rate): closer than this to a half is re-done exactly
_PATH_CODES = {name: number for number, name in enumerate(PATHS)}
# compute() builds the path codes arithmetically, so it relies on this order.
assert [_PATH_CODES[name] for name in (PATH_WITHIN, PATH_FULL, PATH_GENERAL)] == [0, 1, 2]
_NO_DAY = np.iinfo(np.int64).min // 4  # day number of an unparseable date

# Row errors are small integer codes while computing (fast), turned into text on output.
MESSAGES: list[str | None] = [None]


def _message(text: str) -> int:
    MESSAGES.append(text)
    return len(MESSAGES) - 1


E_DATE = _message("date: not a valid YYYY-MM-DD date")
E_PRICE_MISSING = _message("price: missing")
E_PRICE = _message("price: must be above 0")
E_NEGATIVE = _message("freight/insurance: must not be negative")
E_ITEMS = _message("items: must be a whole number of at least 1")
E_VAT = _message("vat_rate: must be at least 0 and below 1")
E_CT = _message("ct_rate: must be at least 0 and below 1")
E_TARIFF = _message("tariff_rate: must not be negative")
E_FEN = _message("price/freight/insurance: more than two decimal places")
E_LARGE = _message("price/freight/insurance: dutiable value too large (2**50 fen or more)")
E_REGIME = _message("no CBEC retail import regime on this date")  # replaced by the parameter's own text
E_TARIFF_FULL = _message("tariff_rate: needed, the order is over the single limit and taxed in full")
E_TARIFF_GENERAL = _message("tariff_rate: needed, the order is general trade (over the annual limit)")
E_ORDER = _message("date: before this buyer's previous order; rows of a buyer must be in date order")
E_NOT_NUMBER = {name: _message(f"{name}: not a number") for name in ORDER_COLUMNS}
_STATIC_MESSAGES = len(MESSAGES)


@dataclass
class OrderColumns:
    """Parsed order columns; ``error`` holds a message code per row (0 = fine)."""

    order_id: pa.Array  # strings
    day: np.ndarray  # int64 days since 1970-01-01
    price: np.ndarray  # float64
    freight: np.ndarray
    insurance: np.ndarray
    items: np.ndarray  # int64
    vat_rate: np.ndarray  # float64, NaN = default rate on the date
    ct_rate: np.ndarray  # float64, NaN = 0
    tariff_rate: np.ndarray  # float64, NaN = not given
    buyer_index: np.ndarray | None  # int32 index into buyer_names, -1 = no buyer
    buyer_names: pa.Array | None  # distinct buyer ids of the chunk
    error: np.ndarray  # int16 message codes
    buyer_ids: np.ndarray | None = None  # ledger ids (int64, -1 = no buyer), set by BatchEngine.resolve_buyers

    def __len__(self) -> int:
        return len(self.price)


@dataclass
class ChunkResult:
    """Computed columns of one chunk: money in integer fen, the rate in millionths."""

    order_id: pa.Array
    day: np.ndarray
    path: np.ndarray  # int8 index into PATHS, -1 on error
    cents: dict[str, np.ndarray]
    rate_millionths: np.ndarray
    error: np.ndarray  # message codes
    messages: list[str | None]
    exact_rows: int = 0  # rows re-done exactly

    def path_names(self) -> np.ndarray:
        """Path names ('' where the row failed)."""
        names = np.array([*PATHS, ""], dtype=object)
        return names[np.where(self.path >= 0, self.path, len(PATHS))]

    def error_texts(self) -> list[str | None]:
        """The error message of each row (None where fine)."""
        return [self.messages[code] for code in self.error.tolist()]

    def to_arrow(self) -> pa.Table:
        """The result rows as an Arrow table (money as decimal(18,2), the rate as decimal(18,6))."""
        ok = self.path >= 0
        path_dictionary = pa.array(list(PATHS), pa.string())
        columns: dict[str, Any] = {
            "order_id": self.order_id,
            "date": pa.array(self.day.astype("datetime64[D]"), pa.date32(), mask=self.day == _NO_DAY),
            "path": pa.DictionaryArray.from_arrays(
                pa.array(np.where(ok, self.path, 0).astype(np.int32), mask=~ok), path_dictionary
            ).cast(pa.string()),
        }
        for name in MONEY_COLUMNS[:5]:
            columns[name] = _decimal(self.cents[name], ok, 2)
        columns["effective_rate"] = _decimal(self.rate_millionths, ok, 6)
        for name in MONEY_COLUMNS[5:]:
            columns[name] = _decimal(self.cents[name], ok, 2)
        texts = pa.array([m or "" for m in self.messages], pa.string())
        columns["error"] = pa.DictionaryArray.from_arrays(
            pa.array(self.error.astype(np.int32), mask=self.error == 0), texts
        ).cast(pa.string())
        return pa.table(columns)


def _decimal(values: np.ndarray, ok: np.ndarray, places: int) -> pa.Array:
    """decimal128 straight from integer units (fen, millionths): 16-byte two's complement words."""
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = values >> 63  # sign extension into the high word
    validity = pa.array(ok, pa.bool_()).buffers()[1]
    return pa.Array.from_buffers(
        pa.decimal128(18, places), len(values), [validity, pa.py_buffer(words)], null_count=int((~ok).sum())
    )


class BuyerLedger:
    """Per buyer, across chunks: the latest calendar year seen, its CBEC total (fen) and the last date.

    Buyers get integer ids through an Arrow hash lookup of each chunk's distinct buyer ids;
    the state lives in numpy arrays indexed by those ids, so carrying totals between chunks
    needs no Python loop. Only the latest year is kept: a buyer's rows come in date order,
    so an earlier year never returns.
    """

    def __init__(self) -> None:
        self.known = pa.array([], pa.string())
        self.year = np.zeros(0, dtype=np.int64)
        self.total = np.zeros(0, dtype=np.int64)
        self.last_day = np.zeros(0, dtype=np.int64)

    def ids(self, names: pa.Array) -> np.ndarray:
        """Stable integer id of each (distinct) name, registering new ones."""
        found = pc.index_in(names, value_set=self.known).to_numpy(zero_copy_only=False)
        new = np.isnan(found)
        ids = np.where(new, 0, found).astype(np.int64)
        if new.any():
            start = len(self.known)
            ids[new] = np.arange(start, start + int(new.sum()))
            self.known = pa.concat_arrays([self.known, names.filter(pa.array(new))])
            grow = len(self.known) - len(self.year)
            self.year = np.r_[self.year, np.full(grow, -1, dtype=np.int64)]
            self.total = np.r_[self.total, np.zeros(grow, dtype=np.int64)]
            self.last_day = np.r_[self.last_day, np.full(grow, _NO_DAY, dtype=np.int64)]
        return ids


@dataclass
class BatchSummary:
    """What a batch run did."""

    rows: int = 0
    errors: int = 0
    exact_rows: int = 0
    paths: Counter[str] = field(default_factory=Counter)
    total_tax_cents: int = 0
    error_examples: list[str] = field(default_factory=list)

    def add(self, result: ChunkResult) -> None:
        """Fold one chunk into the summary."""
        self.rows += len(result.path)
        bad = result.path < 0
        self.errors += int(bad.sum())
        self.exact_rows += result.exact_rows
        counts = np.bincount(result.path[~bad].astype(np.int64), minlength=len(PATHS))
        for code, name in enumerate(PATHS):
            self.paths[name] += int(counts[code])
        self.total_tax_cents += int(result.cents["total_tax"][~bad].sum())
        for row in np.flatnonzero(bad)[: max(0, 5 - len(self.error_examples))]:
            self.error_examples.append(f"{result.order_id[int(row)]}: {result.messages[result.error[row]]}")

    def to_dict(self) -> dict[str, Any]:
        """The summary as a record; the total stays Decimal (JSON writers emit it as a number)."""
        return {
            "rows": self.rows,
            "errors": self.errors,
            "paths": {name: self.paths.get(name, 0) for name in PATHS},
            "total_tax": Decimal(self.total_tax_cents).scaleb(-2),
            "exact_rows": self.exact_rows,
            "error_examples": self.error_examples,
        }


# --------------------------------------------------------------------------- parsing


def _flag(error: np.ndarray, mask: np.ndarray, code: int) -> None:
    """Give ``code`` to rows in ``mask`` without an error yet (the first problem wins)."""
    error[mask & (error == 0)] = code


def _as_array(column: Any) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks()
    return column


def _numbers(column: pa.Array, name: str, error: np.ndarray, default: float | None) -> np.ndarray:
    """Float column; empty cells become ``default`` (NaN when None); bad text becomes a row error."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = pc.utf8_trim_whitespace(column)
        empty = pc.fill_null(pc.equal(text, ""), True).to_numpy(zero_copy_only=False)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        try:
            values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:  # some cell is not a number: find which, row by row in C
            values = pd.to_numeric(pd.Series(text.to_pandas()), errors="coerce").to_numpy(np.float64)
            _flag(error, np.isnan(values) & ~empty, E_NOT_NUMBER[name])
    else:
        values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        empty = np.isnan(values)
    _flag(error, np.isinf(values), E_NOT_NUMBER[name])
    if default is not None:
        values = np.where(empty, default, values)
    return values.astype(np.float64, copy=False)


def _days(column: pa.Array, error: np.ndarray) -> np.ndarray:
    """Day numbers; strict: 2023-02-30 is an error, not 2023-03-02."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        dates = pc.cast(column, pa.date32())
    else:
        text = pc.utf8_trim_whitespace(column.cast(pa.string()))
        stamps = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 02-30 over into March: only a date that prints back as written is valid.
        same = pc.fill_null(pc.equal(pc.strftime(stamps, format="%Y-%m-%d"), text), False)
        dates = pc.if_else(same, pc.cast(stamps, pa.date32()), pa.scalar(None, pa.date32()))
    values = pc.fill_null(pc.cast(dates, pa.int32()), np.iinfo(np.int32).min).to_numpy(zero_copy_only=False)
    bad = values == np.iinfo(np.int32).min
    _flag(error, bad, E_DATE)
    return np.where(bad, _NO_DAY, values.astype(np.int64))


def _buyers(column: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Index of each row's buyer (-1: none) into the chunk's distinct, whitespace-trimmed buyer ids."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column.cast(pa.string()))
    names = pc.utf8_trim_whitespace(column.dictionary.cast(pa.string()))
    # Trimming can make two entries equal (" a" and "a"): encode the names again.
    again = pc.dictionary_encode(names)
    remap = again.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    unique = again.dictionary
    blank = np.asarray(pc.equal(unique, "").to_numpy(zero_copy_only=False), dtype=bool)
    remap = np.where(blank[remap], -1, remap) if len(remap) else remap
    indices = pc.fill_null(column.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False)
    rows = np.where(indices >= 0, remap[np.clip(indices, 0, None)] if len(remap) else -1, -1)
    return rows.astype(np.int64), unique


def parse_orders(data: pa.RecordBatch | pa.Table | pd.DataFrame) -> OrderColumns:
    """Turn raw order columns (text or typed) into checked arrays; bad cells become row errors."""
    if isinstance(data, pd.DataFrame):
        data = pa.Table.from_pandas(data, preserve_index=False)
    names = set(data.schema.names)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise InputError("orders", f"missing columns: {', '.join(missing)} (needs {', '.join(REQUIRED_COLUMNS)})")
    rows = data.num_rows
    error = np.zeros(rows, dtype=np.int16)

    def column(name: str, default: float | None) -> np.ndarray:
        if name not in names:
            return np.full(rows, np.nan if default is None else default)
        return _numbers(_as_array(data.column(name)), name, error, default)

    order_id = _as_array(data.column("order_id"))
    order_id = (
        pc.fill_null(order_id.cast(pa.string()), "")
        if not pa.types.is_dictionary(order_id.type)
        else (pc.fill_null(order_id.cast(order_id.type.value_type).cast(pa.string()), ""))
    )
    day = _days(_as_array(data.column("date")), error)
    price = column("price", None)
    _flag(error, np.isnan(price), E_PRICE_MISSING)
    _flag(error, price <= 0, E_PRICE)
    freight = column("freight", 0.0)
    insurance = column("insurance", 0.0)
    _flag(error, (freight < 0) | (insurance < 0), E_NEGATIVE)
    items_f = column("items", 1.0)
    _flag(error, ~(items_f >= 1) | (items_f != np.floor(items_f)), E_ITEMS)
    items = np.where(np.isfinite(items_f), items_f, 1).astype(np.int64)
    vat = column("vat_rate", None)
    ct = column("ct_rate", None)
    tariff = column("tariff_rate", None)
    _flag(error, (vat < 0) | (vat >= 1), E_VAT)
    _flag(error, (ct < 0) | (ct >= 1), E_CT)
    _flag(error, tariff < 0, E_TARIFF)
    buyer_index = buyer_names = None
    if "buyer_id" in names:
        buyer_index, buyer_names = _buyers(_as_array(data.column("buyer_id")))
    return OrderColumns(
        order_id, day, price, freight, insurance, items, vat, ct, tariff, buyer_index, buyer_names, error
    )


# --------------------------------------------------------------------------- compute
#
# Why float64 may decide most rows, and which rows it may not (the exact path).
#
# Each tax is computed in fen, and the effective rate in millionths, from V (the dutiable
# value in fen: an exact integer below 2**50, see _fen) and the rates t, c, v, k as doubles:
#     tariff = V·t   CT = g·c   VAT = g·v   with g = (V + V·t)·q, q = k/(1 − c)
#     rate·1e6 = (t + (1 + t)·q·(c + v))·1e6      (= the sum of the three over V, exactly)
# The single-order calculator uses the exact decimal D behind each double r (its repr, or
# the parameter's own text), and r is the double nearest to D: r = D(1 + a), |a| <= u = 2**-53.
# Every float operation adds one factor (1 + d), |d| <= u. All terms are >= 0, so no sum
# cancels; the one subtraction, 1 − c, turns the error of c into a relative error of at
# most u·c/(1 − c) <= 3u while c <= 0.75. Counting relative error in units of u:
#     V·t 2; V + V·t 3; 1 − c 4; q 6; g 10; g·c and g·v 12; the rate 14, times 1e6 15.
# So the computed x and the exact X satisfy |x − X| <= γ16·X (γn = nu/(1 − nu)), and for
# X < 2**28 that is below 2**-21 < 4.8e-7 < _TIE_EPS = 1e-6. With r = rint(x) and d = x − r
# (exact in float64), |d| < 0.5 − _TIE_EPS puts X strictly inside (r − 0.5, r + 0.5), so the
# exact half-up result floor(X + 0.5) is r. Every other row is recomputed exactly: a possible
# tie (|d| >= 0.5 − _TIE_EPS, e.g. 10 % of 12.35 yuan), c > 0.75, or a computed value at or
# above _FAST_LIMIT = 2**27 (X may then reach 2**28; a tax of 1.3 million yuan).

_FAST_LIMIT = 2.0**27
_FAST_MAX_CT = 0.75
_MAX_FEN = 2.0**50  # larger dutiable values are row errors: int64 and float64 stay exact below it
_DAY_ONE = int(np.datetime64("1900-01-01", "D").astype(np.int64))
_DAY_YEARS = (  # int16: a small table, so the look-up stays in cache
    np.arange("1900-01-01", "2201-01-01", dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int16) + 1970
)


def _years(day: np.ndarray) -> np.ndarray:
    """Calendar year of each day number (a table look-up; numpy's calendar outside 1900–2200)."""
    if len(day) == 0:
        return day.copy()
    if day.min() < _DAY_ONE or day.max() >= _DAY_ONE + len(_DAY_YEARS):
        return day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return np.take(_DAY_YEARS, day - _DAY_ONE)


def _fen(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole fen as float64 (integers, exact) and a mask of values that are not two-decimal amounts.

    A two-decimal amount parsed from text is the double nearest to fen/100, and IEEE
    division is correctly rounded, so rint(x·100)/100 gives exactly x back for those and
    for no other value: 12.35 passes, 12.345 and 12.3500001 fail. NaN fails too; such rows
    already carry an error, and the first error wins.
    """
    fen = values * 100.0
    np.rint(fen, out=fen)
    back = fen / 100.0
    return fen, back != values


def _rint_checked(values: np.ndarray, suspect: np.ndarray) -> np.ndarray:
    """rint of non-negative ``values`` as int64; rows near a half or too large for the bound join ``suspect``.

    See the note above: where neither applies, rint equals the exact half-up rounding.
    """
    rounded = np.rint(values)
    distance = values - rounded
    np.abs(distance, out=distance)
    suspect |= distance >= 0.5 - _TIE_EPS
    suspect |= values >= _FAST_LIMIT
    return rounded.astype(np.int64)


def _by_buyer(buyer: np.ndarray, valid: np.ndarray, count: int, buyers: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows where ``valid``, ordered by buyer id and, within a buyer, by row: (rows, buyer ids).

    One sort of distinct int64 keys (buyer id above the row number in the low bits) gives
    exactly the order of a stable sort by buyer; numpy sorts plain int64 keys with SIMD, many
    times faster than a stable argsort. Rows not valid get a key above every buyer and are
    cut off after the sort.
    """
    bits = max(1, len(buyer).bit_length())
    if (buyers + 1) >> (62 - bits):  # keys would not fit in 63 bits: stable argsort instead
        rows = np.flatnonzero(valid)
        ids = buyer[rows]
        order = np.argsort(ids, kind="stable")
        return rows[order], ids[order]
    key = np.where(valid, buyer, buyers)
    key <<= bits
    key |= np.arange(len(buyer))
    key.sort()
    key = key[:count]
    return key & ((1 << bits) - 1), key >> bits


_SEGMENT_KEYS = (
    "single_limit_cny", "annual_limit_cny", "single_item_full_tax_channel", "collection_ratio_within_limits",
    "tariff_rate_within_limits", "import_vat_standard",
)  # fmt: skip


class BatchEngine:
    """Computes chunks of orders; keeps the buyer ledger between chunks of one file."""

    def __init__(self, params: ParameterSet | None = None) -> None:
        self.params = params or load_parameters()
        self.ledger = BuyerLedger()
        self._build_segments()

    def _build_segments(self) -> None:
        """Cut time at every date any needed parameter changes: one look-up per row finds all values.

        Segment 0 is before the first cut, segment i from cut i−1 on. A table from the day
        before the first cut to the last cut gives each day's segment; days outside it are
        clipped onto its ends, which are already the first and the last segment.
        """
        epoch = date(1970, 1, 1)
        cuts: set[int] = set()
        for key in _SEGMENT_KEYS:
            for period in self.params[key].periods:
                if period.start is not None:
                    cuts.add((period.start - epoch).days)
                if period.end is not None:
                    cuts.add((period.end - epoch).days + 1)
        self._cuts = np.array(sorted(cuts), dtype=np.int64)
        self._day_first = int(self._cuts[0]) - 1
        self._day_segment = np.searchsorted(
            self._cuts, np.arange(self._day_first, int(self._cuts[-1]) + 1), side="right"
        ).astype(np.intp)
        representatives = [self._cuts[0] - 1, *self._cuts.tolist()]
        tables: dict[str, list[float]] = {key: [] for key in _SEGMENT_KEYS}
        covered = []
        for day_number in representatives:
            day = epoch + timedelta(days=int(day_number))
            try:
                self.params["single_limit_cny"].at(day)
                covered.append(True)
            except RuleNotApplicableError:
                covered.append(False)
            for key in _SEGMENT_KEYS:
                try:
                    tables[key].append(float(self.params[key].value_at(day)))
                except RuleNotApplicableError:
                    tables[key].append(np.nan)
        self._covered = np.array(covered)
        self._single_c = np.rint(np.nan_to_num(np.array(tables["single_limit_cny"])) * 100).astype(np.int64)
        self._annual_c = np.rint(np.nan_to_num(np.array(tables["annual_limit_cny"])) * 100).astype(np.int64)
        self._channel = np.nan_to_num(np.array(tables["single_item_full_tax_channel"])) > 0
        self._ratio = np.nan_to_num(np.array(tables["collection_ratio_within_limits"]))
        self._within_tariff = np.nan_to_num(np.array(tables["tariff_rate_within_limits"]))
        self._vat = np.array(tables["import_vat_standard"])
        self._regime_message = self.params["single_limit_cny"].outside

    def _segments(self, day: np.ndarray) -> np.ndarray:
        """Parameter segment of each day number (the same as a search of the cuts, by table)."""
        return np.take(self._day_segment, day - self._day_first, mode="clip")

    def resolve_buyers(self, orders: OrderColumns) -> None:
        """Map the chunk's buyer id strings to the ledger's integer ids (string hashing: part of parsing)."""
        if orders.buyer_index is None or orders.buyer_names is None:
            return
        known = self.ledger.ids(orders.buyer_names)
        index = orders.buyer_index
        orders.buyer_ids = np.where(index >= 0, known[np.clip(index, 0, None)] if len(known) else -1, -1)

    def compute(self, orders: OrderColumns) -> ChunkResult:
        """Tax every order of the chunk (vectorised); rows with errors get a message instead."""
        error = orders.error.copy()
        messages = list(MESSAGES)
        messages[E_REGIME] = self._regime_message or messages[E_REGIME]
        segment = self._segments(orders.day)
        _flag(error, ~self._covered[segment], E_REGIME)

        # NaN and huge values occur only on rows that already have an error; their results are never used.
        with np.errstate(invalid="ignore", over="ignore"):
            value_f, off = _fen(orders.price)
            freight_f, off_freight = _fen(orders.freight)
            insurance_f, off_insurance = _fen(orders.insurance)
            off |= off_freight
            off |= off_insurance
            _flag(error, off, E_FEN)
            value_f += freight_f  # sums of integers below 2**50: exact
            value_f += insurance_f
            _flag(error, value_f >= _MAX_FEN, E_LARGE)
            value_c = value_f.astype(np.int64)

        over_single = value_c > self._single_c[segment]
        single_ok = ~over_single
        single_ok |= self._channel[segment] & (orders.items == 1)
        no_tariff = np.isnan(orders.tariff_rate)
        _flag(error, over_single & no_tariff, E_TARIFF_FULL)

        annual_c = self._annual_c[segment]
        before_c = np.zeros(len(orders), dtype=np.int64)
        if orders.buyer_index is not None:
            self._accumulate(orders, error == 0, single_ok, value_c, annual_c, before_c, error)
        general = before_c + value_c > annual_c
        general |= ~single_ok
        within = ~(general | over_single)
        _flag(error, general & no_tariff, E_TARIFF_GENERAL)
        path = general.view(np.int8) + (~within).view(np.int8)  # PATHS order: within 0, full 1, general 2

        # Rates; a missing tariff rate (NaN) only matters where it is an error already.
        vat = np.where(np.isnan(orders.vat_rate), self._vat[segment], orders.vat_rate)
        ct = np.fmax(orders.ct_rate, 0.0)  # NaN (not given) -> 0; negative rates are row errors
        tariff_rate = np.where(within, self._within_tariff[segment], np.fmax(orders.tariff_rate, 0.0))
        k = np.where(within, self._ratio[segment], 1.0)

        # Float fast path (see the note above _FAST_LIMIT); NaN and inf only on error rows.
        suspect = ct > _FAST_MAX_CT
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            q = 1.0 - ct
            np.divide(k, q, out=q)
            tariff_x = value_f * tariff_rate
            gross = value_f + tariff_x
            gross *= q
            tariff_c = _rint_checked(tariff_x, suspect)
            ct_c = _rint_checked(np.multiply(gross, ct, out=tariff_x), suspect)
            vat_c = _rint_checked(np.multiply(gross, vat, out=gross), suspect)
            rate_x = 1.0 + tariff_rate
            rate_x *= q
            rate_x *= np.add(ct, vat, out=q)
            rate_x += tariff_rate
            rate_x *= 1_000_000.0
            rate_m = _rint_checked(rate_x, suspect)

        total_c = tariff_c + ct_c
        total_c += vat_c
        after_c = np.where(general, 0, value_c)  # an order taxed as general trade does not count
        after_c += before_c
        cents = {
            "dutiable_value": value_c,
            "tariff": tariff_c,
            "consumption_tax": ct_c,
            "vat": vat_c,
            "total_tax": total_c,
            "annual_before": before_c,
            "annual_after": after_c,
        }
        bad = error != 0
        path[bad] = -1
        result = ChunkResult(orders.order_id, orders.day, path, cents, rate_m, error, messages)
        suspect &= ~bad
        exact = np.flatnonzero(suspect)
        self._redo_exactly(orders, exact, result, tariff_rate, ct, vat, k)
        return result

    def _redo_exactly(
        self,
        orders: OrderColumns,
        rows: np.ndarray,
        result: ChunkResult,
        tariff_rate: np.ndarray,
        ct: np.ndarray,
        vat: np.ndarray,
        k: np.ndarray,
    ) -> None:
        """Recompute rows the float path may not decide, exactly, in integer fractions with rates in millionths.

        tariff = P·t; CT = k·P(1+t)·c/(1−c); VAT = k·P(1+t)·v/(1−c), rounded half up in
        Python integers: the same exact values the single-order calculator rounds. A rate is
        taken as m millionths only when it is the double nearest to m/1e6, so its decimal
        (what the single-order calculator reads) is exactly m/1e6; other rows go through
        the single-order calculator itself.
        """
        result.exact_rows = len(rows)
        if len(rows) == 0:
            return
        scale = 1_000_000
        whole = np.ones(len(rows), dtype=bool)
        scaled_rates = []
        for values in (tariff_rate[rows], ct[rows], vat[rows], k[rows]):
            rounded = np.rint(values * scale)
            whole &= rounded / scale == values
            scaled_rates.append(rounded.astype(np.int64).astype(object))  # Python ints: no overflow
        t, c, v, kk = scaled_rates
        value = result.cents["dutiable_value"][rows].astype(object)
        denominator = scale * scale * (scale - c)
        grossed = kk * value * (scale + t)

        def half_up(numerator: np.ndarray, denom: Any) -> np.ndarray:
            return ((2 * numerator + denom) // (2 * denom)).astype(np.int64)

        tariff = half_up(value * t, scale)
        ct_c = half_up(grossed * c, denominator)
        vat_c = half_up(grossed * v, denominator)
        rate = half_up((t * scale * (scale - c) + kk * (scale + t) * (c + v)) * scale, denominator)
        done = rows[whole]
        result.cents["tariff"][done] = tariff[whole]
        result.cents["consumption_tax"][done] = ct_c[whole]
        result.cents["vat"][done] = vat_c[whole]
        result.cents["total_tax"][done] = tariff[whole] + ct_c[whole] + vat_c[whole]
        result.rate_millionths[done] = rate[whole]
        for row in rows[~whole]:
            self._redo_single(orders, int(row), result)

    def _redo_single(self, orders: OrderColumns, row: int, result: ChunkResult) -> None:
        """Recompute one row with the single-order calculator (rates with more than six decimals)."""

        def number(value: float) -> str | None:
            return None if np.isnan(value) else repr(float(value))

        try:
            single = retail_import_tax(
                date(1970, 1, 1) + timedelta(days=int(orders.day[row])),
                repr(float(orders.price[row])),
                freight=repr(float(orders.freight[row])),
                insurance=repr(float(orders.insurance[row])),
                items=int(orders.items[row]),
                vat_rate=number(orders.vat_rate[row]),
                ct_rate=number(orders.ct_rate[row]),
                tariff_rate=number(orders.tariff_rate[row]),
                annual_before=Decimal(int(result.cents["annual_before"][row])) / 100,
                params=self.params,
            )
        except CbecError as exc:
            result.messages.append(str(exc))
            result.error[row] = len(result.messages) - 1
            result.path[row] = -1
            return
        result.path[row] = _PATH_CODES[single.path]
        for name in MONEY_COLUMNS:
            result.cents[name][row] = int(getattr(single, name) * 100)
        result.rate_millionths[row] = int(single.effective_rate * 1_000_000)

    def _accumulate(
        self,
        orders: OrderColumns,
        ok: np.ndarray,
        single_ok: np.ndarray,
        value_c: np.ndarray,
        annual_c: np.ndarray,
        before_c: np.ndarray,
        error: np.ndarray,
    ) -> None:
        """Fill ``before_c`` with each buyer's running annual total; flag rows out of date order."""
        if orders.buyer_ids is None:
            self.resolve_buyers(orders)
        assert orders.buyer_ids is not None
        valid = ok & (orders.buyer_ids >= 0)
        count = int(np.count_nonzero(valid))
        if count == 0:
            return
        ledger = self.ledger
        rows, ids = _by_buyer(orders.buyer_ids, valid, count, len(ledger.year))
        day = orders.day[rows]
        first_of_buyer = np.r_[True, ids[1:] != ids[:-1]]
        # Date order per buyer: compare with the running maximum of the buyer's earlier rows.
        shift = ids * 10_000_000
        running_max = np.maximum.accumulate(shift + day) - shift
        previous = np.r_[_NO_DAY, running_max[:-1]]
        previous[first_of_buyer] = ledger.last_day[ids[first_of_buyer]]
        late = day < previous
        if late.any():
            error[rows[late]] = E_ORDER
            rows, ids, day = rows[~late], ids[~late], day[~late]
            if len(rows) == 0:
                return
        year = _years(day)
        new_group = np.r_[True, (ids[1:] != ids[:-1]) | (year[1:] != year[:-1])]
        group = np.cumsum(new_group) - 1
        group_starts = np.flatnonzero(new_group)
        countable = single_ok[rows]
        value = value_c[rows]
        limit = annual_c[rows]
        contrib = np.where(countable, value, 0)
        running = np.cumsum(contrib)
        offset = (running - contrib)[group_starts]
        # A buyer's first group continues the ledger's year when it is the same year; later ones start at 0.
        start_ids = ids[group_starts]
        carry = np.where(ledger.year[start_ids] == year[group_starts], ledger.total[start_ids], 0)
        before = running - contrib - offset[group] + carry[group]
        over = countable & (before + value > limit)
        if over.any():
            # After an over-limit order the optimistic sum is wrong for the rest of that buyer-year:
            # walk those rows one by one (an over-limit order does not count).
            group_ends = np.r_[group_starts[1:], len(rows)]
            for g in np.unique(group[over]).tolist():
                begin, end = int(group_starts[g]), int(group_ends[g])
                first = begin + int(np.flatnonzero(over[begin:end])[0])
                total = int(before[first])
                for j in range(first, end):
                    before[j] = total
                    if countable[j] and total + value[j] <= limit[j]:
                        total += int(value[j])
        before_c[rows] = before
        # Carry each buyer's last year total and last date to the next chunk.
        last = np.flatnonzero(np.r_[ids[1:] != ids[:-1], True])
        counted_last = countable[last] & (before[last] + value[last] <= limit[last])
        ledger.total[ids[last]] = before[last] + np.where(counted_last, value[last], 0)
        ledger.year[ids[last]] = year[last]
        ledger.last_day[ids[last]] = day[last]


# --------------------------------------------------------------------------- files


def _reader(path: Path, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            parquet = pq.ParquetFile(path, read_dictionary=["buyer_id"])
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(str(path), f"cannot read Parquet: {exc}") from None
        yield from parquet.iter_batches(batch_size=chunk_rows)
    elif suffix == ".csv":
        # Every column as text (bad cells become row errors, not a failed file); buyer ids hashed on read.
        types: dict[str, pa.DataType] = {name: pa.string() for name in ORDER_COLUMNS}
        types["buyer_id"] = pa.dictionary(pa.int32(), pa.string())
        try:
            reader = pa_csv.open_csv(
                path,
                read_options=pa_csv.ReadOptions(block_size=max(1 << 16, chunk_rows * 64)),
                convert_options=pa_csv.ConvertOptions(column_types=types, strings_can_be_null=True),
            )
            yield from reader
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(str(path), f"cannot read CSV: {exc}") from None
    else:
        raise InputError(str(path), "orders must be a .csv or .parquet file")


class _Writer:
    def __init__(self, path: Path) -> None:
        self.suffix = path.suffix.lower()
        if self.suffix not in (".csv", ".parquet"):
            raise InputError(str(path), "results must be written to a .csv or .parquet file")
        self.path = path
        self.writer: Any = None

    def write(self, table: pa.Table) -> None:
        if self.writer is None:
            if self.suffix == ".csv":
                self.writer = pa_csv.CSVWriter(self.path, table.schema)
            else:
                self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is None:  # empty input: still write the header
            self.write(result_schema().empty_table())
        self.writer.close()


def result_schema() -> pa.Schema:
    """Schema of the results file."""
    empty = ChunkResult(
        pa.array([], pa.string()),
        np.array([], dtype=np.int64),
        np.array([], dtype=np.int8),
        {name: np.array([], dtype=np.int64) for name in MONEY_COLUMNS},
        np.array([], dtype=np.int64),
        np.array([], dtype=np.int16),
        list(MESSAGES),
    )
    return empty.to_arrow().schema


def run_batch(
    orders_path: Path,
    out_path: Path,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    params: ParameterSet | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Stream ``orders_path`` (CSV or Parquet) in chunks and write one result row per order.

    Results go to a temporary file next to ``out_path``, moved into place at the end, so a
    failed run never leaves a half-written results file.
    """
    orders_path, out_path = Path(orders_path), Path(out_path)
    if not orders_path.is_file():
        raise InputError(str(orders_path), "no such file")
    engine = BatchEngine(params)
    summary = BatchSummary()
    partial = out_path.with_name(out_path.name + ".partial" + out_path.suffix)
    writer = _Writer(partial)
    try:
        for batch in _reader(orders_path, chunk_rows):
            orders = parse_orders(batch)
            engine.resolve_buyers(orders)
            result = engine.compute(orders)
            writer.write(result.to_arrow())
            summary.add(result)
            if on_chunk is not None:
                on_chunk(batch.num_rows)
        writer.close()
    except BaseException:
        if writer.writer is not None:
            writer.writer.close()
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out_path)
    return summary


def parquet_rows(path: Path) -> int | None:
    """Row count of a Parquet file from its footer (None for CSV), for a progress bar."""
    if Path(path).suffix.lower() == ".parquet":
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowInvalid):
            return None
    return None

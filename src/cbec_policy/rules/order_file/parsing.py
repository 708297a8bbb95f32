"""Order-file input: line-level columns parsed, checked and grouped into orders.

One row per order line: ``order_id, declaration_date, buyer_id, price`` and optionally
``line, quantity, freight, insurance, category, description, hs_code, vat_rate, ct_rate,
tariff_rate, net_content, pieces`` (``date`` and ``items`` are read as ``declaration_date`` and
``quantity``, so a file of one-line orders keeps working). The lines of an order are
consecutive rows. Money has at most two decimals. A bad cell gives its line an error code
naming the field; the whole order is then rejected, and every one of its lines says which
line and field failed (``order A7, line 2, price: more than two decimal places``).

A cell is empty only when it is empty: the "no value" markers of spreadsheets and database
exports (``NA``, ``N/A``, ``#N/A``, ``NULL``, ``NaN``; a NaN float in Parquet) are errors
naming the cell's value, because read as empty they silently turn a freight into 0, a rate
into the default or a buyer into nobody. ``na_as_missing=True`` reads them as empty instead.
A column named twice in the header is read once; a line where its copies differ is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cbec_policy.errors import InputError

REQUIRED_COLUMNS = ("order_id", "declaration_date", "price")
ALIASES = {"date": "declaration_date", "items": "quantity"}
NUMBER_COLUMNS = ("price", "quantity", "freight", "insurance", "vat_rate", "ct_rate", "tariff_rate",
                  "net_content", "pieces", "line")  # fmt: skip
TEXT_COLUMNS = ("category", "description", "hs_code")
NO_DAY = np.iinfo(np.int64).min // 4  # day number of an unparseable date
MAX_FEN = 2.0**50  # larger dutiable values are errors: int64 and float64 stay exact below it

# (field, reason) per code; code 0 = fine.  Text is made only for rows that failed.
REASONS: list[tuple[str, str]] = [("", "")]


def _code(field: str, reason: str) -> int:
    REASONS.append((field, reason))
    return len(REASONS) - 1


E_DATE = _code("declaration_date", "not a valid YYYY-MM-DD date")
E_PRICE_MISSING = _code("price", "missing")
E_PRICE = _code("price", "must be above 0")
E_NEGATIVE = _code("freight/insurance", "must not be negative")
E_QUANTITY = _code("quantity", "must be a whole number of at least 1")
E_VAT = _code("vat_rate", "rate must be at least 0 and below 1")
E_CT = _code("ct_rate", "rate must be at least 0 and below 1")
E_TARIFF = _code("tariff_rate", "rate must be at least 0")
E_FEN = {name: _code(name, "more than two decimal places; amounts are in whole fen")
         for name in ("price", "freight", "insurance")}  # fmt: skip
E_LARGE = _code("price/freight/insurance", "dutiable value too large (2**50 fen or more)")
E_ORDER_ID = _code("order_id", "missing")
E_SPLIT = _code("order_id", "the lines of this order are not consecutive rows")
E_DATES_DIFFER = _code("declaration_date", "differs between the lines of the order")
E_BUYERS_DIFFER = _code("buyer_id", "differs between the lines of the order")
E_NOT_NUMBER = {name: _code(name, "not a number") for name in NUMBER_COLUMNS}
E_REGIME = _code("declaration_date", "no CBEC retail import regime before 2016-04-08 (财关税〔2016〕18号)")
E_TARIFF_NEEDED = _code("tariff_rate", "needed: the order is taxed in full; give the goods' import tariff rate")
E_LATE = _code("declaration_date", "before this buyer's previous order; a buyer's orders go in date order")
E_BUYER_NEEDED = _code("buyer_id", "needed with --ledger: the ledger keeps each buyer's calendar year")
E_LATE_STORED = _code("declaration_date", "before this buyer's order of the same year already recorded in the "
                      "ledger; a buyer's orders are recorded in date order")  # fmt: skip
E_RECORDED_DAY = _code("declaration_date", "this order is already recorded in the ledger on another date")
E_REPEATED = _code("order_id", "used by an earlier order of this buyer in the same file")
CHECKED_COLUMNS = ("order_id", "declaration_date", "buyer_id", *NUMBER_COLUMNS, *TEXT_COLUMNS)
E_NA = {name: _code(name, "a 'no value' marker, not a value: a cell is empty only when it is empty "
                          "(--na-as-missing reads NA, N/A, #N/A, NULL and NaN as empty)")
        for name in CHECKED_COLUMNS}  # fmt: skip
E_DUPLICATE = {name: _code(name, "the header names this column more than once and the copies differ on this line")
               for name in CHECKED_COLUMNS}  # fmt: skip
FILE_PROBLEM = "_file_problem"  # a column the file reader adds: a problem of the file that rejects the order
E_FILE = _code(FILE_PROBLEM, "")
# Codes whose message shows the cell as written (the reason alone would not say which value).
VALUE_CODES = frozenset([*E_NA.values(), E_DATE, E_FILE])
STATIC_CODES = len(REASONS)

# The "no value" markers (pandas, R, Excel, SQL dumps), in the case variants people write.
NA_MARKERS = ("NA", "N/A", "#N/A", "#NA", "NULL", "NaN", "-NaN")


def _case_variants(token: str) -> set[str]:
    variants = {""}
    for char in token:
        variants = {v + c for v in variants for c in {char.lower(), char.upper()}}
    return variants


_NA_SET = pa.array(sorted(set().union(*(_case_variants(t) for t in NA_MARKERS))), pa.string())


@dataclass
class Lines:
    """Parsed line columns of a chunk and their grouping into orders (money in fen as float64)."""

    order_id: pa.Array  # strings, per line
    line_no: np.ndarray  # int64, 1-based within the order
    day: np.ndarray  # int64 day numbers
    value_f: np.ndarray  # float64 dutiable value of the line in fen (an exact integer)
    quantity: np.ndarray  # int64
    vat_rate: np.ndarray  # float64, NaN = by the date
    ct_rate: np.ndarray  # float64, NaN = 0
    tariff_rate: np.ndarray  # float64, NaN = not given
    slow: np.ndarray  # bool: the line names a category or a price-test input (the single-order path)
    raw: pa.Table  # the chunk as read (for the single-order path and for messages)
    error: np.ndarray  # int32 reason codes per line
    starts: np.ndarray  # int64 first line of each order
    counts: np.ndarray  # int64 lines per order
    run_of_line: np.ndarray  # int64 per line: its order's index in the chunk
    buyer_index: np.ndarray  # int64 per order into buyer_names, -1 = none
    buyer_names: pa.Array

    def __len__(self) -> int:
        return len(self.value_f)

    @property
    def orders(self) -> int:
        """Number of orders in the chunk."""
        return len(self.starts)


def na_cells(column: pa.Array) -> np.ndarray:
    """Mask of the cells that hold a "no value" marker (NaN for float columns); null and "" are empty, not markers."""
    column = _plain(column)
    if len(column) == 0 or column.null_count == len(column):
        return np.zeros(len(column), dtype=bool)
    if pa.types.is_floating(column.type):
        raw = np.frombuffer(column.buffers()[1], dtype=column.type.to_pandas_dtype())
        found = np.isnan(raw[column.offset : column.offset + len(column)])  # the values as stored, null or not
        if column.null_count and found.any():
            found &= np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        return found
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return np.zeros(len(column), dtype=bool)
    found = np.zeros(len(column), dtype=bool)
    maybe = _marker_shaped(column)
    if maybe.any():  # as written: " NA " in a number column is "not a number"
        rows = np.flatnonzero(maybe)
        hits = pc.is_in(column.take(pa.array(rows)), value_set=_NA_SET)
        found[rows] = np.asarray(pc.fill_null(hits, False).to_numpy(zero_copy_only=False), dtype=bool)
    return found


_MARKER_LENGTHS = (min(map(len, NA_MARKERS)), max(map(len, NA_MARKERS)))
_MARKER_FIRST = np.zeros(256, dtype=bool)
_MARKER_FIRST[[ord(c) for token in NA_MARKERS for c in {token[0].lower(), token[0].upper()}]] = True


def _marker_shaped(column: pa.Array) -> np.ndarray:
    """Cells as long as a marker and starting as one does, from the offsets and bytes (no string is built)."""
    width = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(column.buffers()[1], dtype=width)[column.offset : column.offset + len(column) + 1]
    lengths = np.diff(offsets)
    shaped = (lengths >= _MARKER_LENGTHS[0]) & (lengths <= _MARKER_LENGTHS[1])
    if shaped.any():
        data = np.frombuffer(column.buffers()[2], dtype=np.uint8)
        starts = offsets[:-1][shaped]
        shaped[shaped] = _MARKER_FIRST[data[starts]]
    return shaped


def _markers(data: pa.Table, error: np.ndarray, na_as_missing: bool) -> pa.Table:
    """Flag "no value" markers as errors, or (``na_as_missing``) make those cells empty."""
    for name in CHECKED_COLUMNS:
        if name not in data.schema.names:
            continue
        if pa.types.is_dictionary(data.schema.field(name).type):  # a dictionary column: look at its names only
            raw = data.column(name).combine_chunks()
            found = na_cells(pc.utf8_trim_whitespace(raw.dictionary.cast(pa.string())))
            mask = np.zeros(len(raw), dtype=bool)
            if found.any():  # the lines are looked at only when some name is a marker
                indices = pc.fill_null(raw.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False)
                mask = (indices >= 0) & found[np.clip(indices, 0, None)]
        else:
            mask = na_cells(data.column(name))
        if not mask.any():
            continue
        if na_as_missing:
            column = _plain(data.column(name))
            column = pc.if_else(pa.array(mask), pa.scalar(None, column.type), column)
            data = data.set_column(data.schema.get_field_index(name), name, column)
        else:
            flag(error, mask, E_NA[name])
    return data


def _one_copy(data: pa.Table, error: np.ndarray) -> pa.Table:
    """A column named more than once: the first copy is read; lines where a copy differs get an error."""
    names = data.schema.names
    if len(set(names)) == len(names):
        return data
    keep, seen = [], {}
    for index, name in enumerate(names):
        if name not in seen:
            seen[name] = index
            keep.append(index)
            continue
        if name in E_DUPLICATE:
            first = pc.fill_null(_plain(data.column(seen[name])).cast(pa.string()), "")
            copy = pc.fill_null(_plain(data.column(index)).cast(pa.string()), "")
            flag(error, ~pc.equal(first, copy).to_numpy(zero_copy_only=False), E_DUPLICATE[name])
    return data.select(keep)


def flag(error: np.ndarray, mask: np.ndarray, code: int) -> None:
    """Give ``code`` to rows in ``mask`` without an error yet (the first problem wins)."""
    error[mask & (error == 0)] = code


def _plain(column: Any) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):  # one chunk (a chunk as read): no copy
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column


def _numbers(column: pa.Array, name: str, error: np.ndarray, default: float | None) -> np.ndarray:
    """Float column; empty cells become ``default`` (NaN when None); bad text becomes a line error."""
    column = _plain(column)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = pc.utf8_trim_whitespace(column)
        empty = pc.fill_null(pc.equal(text, ""), True).to_numpy(zero_copy_only=False)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        try:
            values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:  # some cell is not a number: find which
            values = pd.to_numeric(pd.Series(text.to_pandas()), errors="coerce").to_numpy(np.float64)
            flag(error, na_cells(text), E_NA[name])  # " NA " with spaces: still a marker, named as one
            flag(error, np.isnan(values) & ~empty, E_NOT_NUMBER[name])
    else:
        values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        empty = np.isnan(values)
    flag(error, np.isinf(values), E_NOT_NUMBER[name])
    if default is not None:
        values = np.where(empty, default, values)
    return values.astype(np.float64, copy=False)


def _days(column: pa.Array, error: np.ndarray) -> np.ndarray:
    """Day numbers; strict: 2023-02-30 is an error, not 2023-03-02."""
    column = _plain(column)
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        dates = pc.cast(column, pa.date32())
    else:
        text = pc.utf8_trim_whitespace(column.cast(pa.string()))
        stamps = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        same = pc.fill_null(pc.equal(pc.strftime(stamps, format="%Y-%m-%d"), text), False)
        dates = pc.if_else(same, pc.cast(stamps, pa.date32()), pa.scalar(None, pa.date32()))
    values = pc.fill_null(pc.cast(dates, pa.int32()), np.iinfo(np.int32).min).to_numpy(zero_copy_only=False)
    bad = values == np.iinfo(np.int32).min
    flag(error, bad, E_DATE)
    return np.where(bad, NO_DAY, values.astype(np.int64))


def fen(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole fen as float64 and a mask of values that are not two-decimal amounts.

    A two-decimal amount parsed from text is the double nearest to fen/100, and IEEE division
    is correctly rounded, so rint(x·100)/100 gives x back for those and no other value.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        cents = values * 100.0
        np.rint(cents, out=cents)
        return cents, cents / 100.0 != values


def _text_given(data: pa.Table, name: str) -> np.ndarray:
    if name not in data.schema.names:
        return np.zeros(data.num_rows, dtype=bool)
    text = pc.utf8_trim_whitespace(_plain(data.column(name)).cast(pa.string()))
    return pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False)


def parse_lines(data: pa.RecordBatch | pa.Table | pd.DataFrame, *, na_as_missing: bool = False) -> Lines:
    """Raw line columns (text or typed) into checked arrays grouped by order.

    ``na_as_missing``: read the "no value" markers (NA, N/A, #N/A, NULL, NaN) as empty cells
    instead of rejecting their orders.
    """
    if isinstance(data, pd.DataFrame):
        data = pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, pa.RecordBatch):
        data = pa.Table.from_batches([data])
    data = data.rename_columns([ALIASES.get(name, name) for name in data.schema.names])
    names = set(data.schema.names)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise InputError("orders", f"missing columns: {', '.join(missing)} (needs {', '.join(REQUIRED_COLUMNS)})")
    rows = data.num_rows
    error = np.zeros(rows, dtype=np.int32)
    data = _markers(_one_copy(data, error), error, na_as_missing)
    if FILE_PROBLEM in names:
        flag(error, pc.is_valid(data.column(FILE_PROBLEM)).to_numpy(zero_copy_only=False), E_FILE)

    def column(name: str, default: float | None) -> np.ndarray:
        if name not in names:
            return np.full(rows, np.nan if default is None else default)
        return _numbers(data.column(name), name, error, default)

    order_id = pc.fill_null(_plain(data.column("order_id")).cast(pa.string()), "")  # compared as written
    day = _days(data.column("declaration_date"), error)
    price = column("price", None)
    flag(error, np.isnan(price), E_PRICE_MISSING)
    flag(error, price <= 0, E_PRICE)
    freight, insurance = column("freight", 0.0), column("insurance", 0.0)
    flag(error, (freight < 0) | (insurance < 0), E_NEGATIVE)
    quantity_f = column("quantity", 1.0)
    flag(error, ~(quantity_f >= 1) | (quantity_f != np.floor(quantity_f)), E_QUANTITY)
    vat, ct, tariff = column("vat_rate", None), column("ct_rate", None), column("tariff_rate", None)
    flag(error, (vat < 0) | (vat >= 1), E_VAT)
    flag(error, (ct < 0) | (ct >= 1), E_CT)
    flag(error, tariff < 0, E_TARIFF)
    value_f, off = fen(price)
    flag(error, off, E_FEN["price"])
    for name, extra in (("freight", freight), ("insurance", insurance)):
        cents, off = fen(extra)
        flag(error, off, E_FEN[name])
        value_f += cents  # sums of integers below 2**50: exact
    flag(error, value_f >= MAX_FEN, E_LARGE)
    value_f[~np.isfinite(value_f) | (value_f >= MAX_FEN)] = 0.0  # such lines carry an error already
    slow = np.zeros(rows, dtype=bool)
    for name in ("category", "net_content", "pieces"):
        slow |= _text_given(data, name)

    # Orders: runs of equal consecutive order ids (a string comparison of neighbours, no hashing).
    if rows:
        same = pc.equal(order_id.slice(1), order_id.slice(0, rows - 1)).to_numpy(zero_copy_only=False)
        new = np.r_[True, ~same]
    else:
        new = np.zeros(0, dtype=bool)
    starts = np.flatnonzero(new)
    counts = np.diff(np.r_[starts, rows])
    run_of_line = np.cumsum(new) - 1
    flag(error, (pc.equal(order_id, "").to_numpy(zero_copy_only=False)), E_ORDER_ID)
    run_ids = order_id.take(pa.array(starts))
    if not _all_distinct(run_ids):  # an id that starts more than one run
        codes = pc.dictionary_encode(run_ids).indices.to_numpy(zero_copy_only=False)
        runs_per_id = np.bincount(codes)
        flag(error, (runs_per_id[codes] > 1)[run_of_line], E_SPLIT)
    first_day = day[starts]
    flag(error, day != first_day[run_of_line], E_DATES_DIFFER)
    if "buyer_id" in names:
        buyer_line, buyer_names = _buyers(data.column("buyer_id"))
        flag(error, buyer_line != buyer_line[starts][run_of_line], E_BUYERS_DIFFER)
        buyer_index = buyer_line[starts]
    else:
        buyer_index, buyer_names = np.full(len(starts), -1, dtype=np.int64), pa.array([], pa.string())
    if "line" in names:
        line_no = np.nan_to_num(column("line", None), nan=0).astype(np.int64)
    else:
        line_no = np.arange(rows, dtype=np.int64) - starts[run_of_line] + 1
    return Lines(
        order_id=order_id, line_no=line_no, day=day, value_f=value_f,
        quantity=np.where(np.isfinite(quantity_f), quantity_f, 1).astype(np.int64),
        vat_rate=vat, ct_rate=ct, tariff_rate=tariff, slow=slow, raw=data, error=error,
        starts=starts, counts=counts, run_of_line=run_of_line, buyer_index=buyer_index, buyer_names=buyer_names,
    )  # fmt: skip


def _all_distinct(ids: pa.Array) -> bool:
    """True when no id repeats.

    Shop systems number orders in sequence, so the ids of a file nearly always rise — as text,
    or as numbers written without padding (A9 < A10: longer, or as long and greater); two
    neighbour comparisons prove that in a millisecond. Other files are hashed.
    """
    count = len(ids)
    if count < 2:
        return True
    first, then = ids.slice(0, count - 1), ids.slice(1)
    rising = pc.greater(then, first)
    if pc.all(rising).as_py():
        return True
    length = pc.binary_length(ids)
    shorter, longer = length.slice(0, count - 1), length.slice(1)
    if pc.all(pc.or_(pc.greater(longer, shorter), pc.and_(pc.equal(longer, shorter), rising))).as_py():
        return True
    return len(pc.unique(ids)) == count


def _buyers(column: Any) -> tuple[np.ndarray, pa.Array]:
    """Index of each line's buyer (-1: none) into the chunk's distinct, whitespace-trimmed buyer ids.

    A dictionary column (Parquet read with ``read_dictionary``) is used as it is: only its
    distinct names are trimmed and encoded again.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column.cast(pa.string()))
    again = pc.dictionary_encode(pc.utf8_trim_whitespace(column.dictionary.cast(pa.string())))
    remap = again.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    names = again.dictionary
    blank = np.asarray(pc.equal(names, "").to_numpy(zero_copy_only=False), dtype=bool)
    if len(remap):
        remap = np.where(blank[remap], -1, remap)
    if column.null_count == 0 and len(remap):  # every line names a buyer: the indices as stored, no copy
        return remap[column.indices.to_numpy(zero_copy_only=False)], names
    indices = pc.fill_null(column.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False)
    rows = np.where(indices >= 0, remap[np.clip(indices, 0, None)] if len(remap) else -1, -1)
    return rows.astype(np.int64), names


def order_messages(lines: Lines, error: np.ndarray, extra: dict[int, str]) -> list[str | None]:
    """One text per line: its own problem, or the line that rejected its order (None where fine).

    ``extra`` maps codes above the static ones to texts from the single-order path.
    """
    run_of_line = lines.run_of_line
    bad_line = np.flatnonzero(error)
    texts: list[str | None] = [None] * len(error)
    if len(bad_line) == 0:
        return texts
    ids = lines.order_id
    first_bad = {}
    for row in bad_line.tolist():
        if error[row] > 0:
            first_bad.setdefault(int(run_of_line[row]), row)
    for row in bad_line.tolist():
        code = int(error[row])
        where = f"order {ids[row].as_py()}, line {int(lines.line_no[row])}"
        if code in extra:
            texts[row] = extra[code]
        elif code < 0:  # a good line of a rejected order: filled in below
            continue
        elif code == E_FILE:
            texts[row] = f"{where}: {lines.raw.column(FILE_PROBLEM)[row].as_py()}"
        else:
            field, reason = REASONS[code]
            if code in VALUE_CODES:
                value = lines.raw.column(field)[row].as_py()
                field = f"{field} {'(empty)' if value in (None, '') else repr(value)}"
            texts[row] = f"{where}, {field}: {reason}"
    for row in bad_line.tolist():  # a good line of a rejected order names the line that failed
        if int(error[row]) < 0:
            texts[row] = f"rejected with its order: {texts[first_bad[int(run_of_line[row])]]}"
    return texts

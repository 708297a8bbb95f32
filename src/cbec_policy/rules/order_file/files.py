"""Order files: order lines streamed from CSV or Parquet in chunks, one result row per line.

A chunk ends on an order boundary: the lines of the last order of a chunk are held back and
read with the next, so an order is never split. Results go to a temporary file next to the
output and are moved into place at the end, so a failed run leaves no half-written file; rows
with errors are written too, with their message, beside every good row.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from cbec_policy.errors import InputError
from cbec_policy.rules.order_file import parsing
from cbec_policy.rules.order_file.engine import MONEY, ChunkResult, OrderFileEngine
from cbec_policy.rules.order_file.memory import order_file_memory
from cbec_policy.rules.order_file.overlap import WriteBehind, read_ahead
from cbec_policy.rules.order_file.reading import FileProblems, read_records
from cbec_policy.rules.order_file.stored import StoredLedger
from cbec_policy.rules.parameters import ParameterSet
from cbec_policy.rules.regime import PATHS

if TYPE_CHECKING:  # only the type: opening a store is the caller's business
    from cbec_policy.store import Store

DEFAULT_CHUNK_ROWS = 262_144
_UMASK = os.umask(0o022)
os.umask(_UMASK)
RESULT_COLUMNS = ("order_id", "line", "declaration_date", "buyer_id", "path", *MONEY, "annual_before",
                  "annual_after", "error", "warning")  # fmt: skip
VAT_WARNING = "增值税税率与申报日期适用的标准税率、低税率均不符，已按所填税率计算，请核对"


@dataclass
class OrderFileSummary:
    """Counts over a whole run: orders and lines, orders per path, rejected orders, total tax."""

    lines: int = 0
    orders: int = 0
    paths: Counter = field(default_factory=Counter)
    rejected_orders: int = 0
    error_lines: int = 0
    total_tax_fen: int = 0
    exact_lines: int = 0
    single_orders: int = 0
    error_examples: list[str] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)  # broken rows and repeated headers, with file lines
    unread_rows: int = 0  # rows not read (too few or too many fields)
    ledger_recorded: int | None = None  # with a stored ledger: orders recorded by this run
    ledger_already: int | None = None  # ... and orders found recorded already (answered as recorded)

    def add(self, result: ChunkResult, texts: list[str | None]) -> None:
        """Fold one chunk in."""
        lines = result.lines
        self.lines += len(lines)
        self.orders += lines.orders
        first = result.path[lines.starts] if lines.orders else np.zeros(0, dtype=np.int8)
        for code, count in zip(*np.unique(first, return_counts=True), strict=True):
            if code >= 0:
                self.paths[PATHS[int(code)]] += int(count)
        self.rejected_orders += int((first < 0).sum())
        bad = result.error != 0
        self.error_lines += int(bad.sum())
        self.total_tax_fen += int(result.cents["total_tax"][~bad].sum())
        self.exact_lines += result.exact_lines
        self.single_orders += result.single_orders
        for row in np.flatnonzero(result.error > 0)[: 5 - len(self.error_examples)].tolist():
            self.error_examples.append(str(texts[row]))

    def to_dict(self) -> dict[str, Any]:
        """Plain record (the total tax in yuan as text with two decimals)."""
        return {
            "lines": self.lines,
            "orders": self.orders,
            "paths": {name: self.paths.get(name, 0) for name in PATHS},
            "rejected_orders": self.rejected_orders,
            "error_lines": self.error_lines,
            "total_tax": f"{self.total_tax_fen // 100}.{self.total_tax_fen % 100:02d}",
            "exact_lines": self.exact_lines,
            "single_path_orders": self.single_orders,
            "error_examples": self.error_examples,
            "file_problems": self.file_problems,
            "unread_rows": self.unread_rows,
            "ledger_recorded": self.ledger_recorded,
            "ledger_already": self.ledger_already,
        }

    @property
    def failed(self) -> bool:
        """True when some order was rejected or some row could not be read."""
        return bool(self.rejected_orders or self.unread_rows)


def _decimal(values: np.ndarray, ok: np.ndarray) -> pa.Array:
    """decimal64(18, 2) straight from integer fen: the int64 words are the decimal's own."""
    validity = None if ok.all() else pa.array(ok, pa.bool_()).buffers()[1]
    words = pa.py_buffer(np.ascontiguousarray(values, dtype=np.int64))
    return pa.Array.from_buffers(pa.decimal64(18, 2), len(values), [validity, words], null_count=int((~ok).sum()))


def result_columns(result: ChunkResult, texts: list[str | None]) -> pa.Table:
    """The line results as built: repeated texts dictionary-encoded, money as decimal64 (no copies).

    The Parquet writer takes these as they are (dictionary pages without hashing, INT64
    decimals without conversion); :func:`to_arrow` gives the plain types.
    """
    lines = result.lines
    ok = result.error == 0
    buyer = (
        pa.DictionaryArray.from_arrays(
            pa.array(lines.buyer_index.astype(np.int32)[lines.run_of_line],
                     mask=(lines.buyer_index < 0)[lines.run_of_line]),
            lines.buyer_names,
        )
        if len(lines.buyer_names) else pa.DictionaryArray.from_arrays(
            pa.nulls(len(lines), pa.int32()), pa.array([], pa.string())
        )
    )  # fmt: skip
    path = pa.DictionaryArray.from_arrays(
        pa.array(np.where(ok, result.path, 0).astype(np.int32), mask=~ok), pa.array(list(PATHS))
    )
    columns: dict[str, Any] = {
        "order_id": lines.order_id,
        "line": pa.array(lines.line_no),
        "declaration_date": pa.array(lines.day.astype("datetime64[D]"), pa.date32(), mask=lines.day == parsing.NO_DAY),
        "buyer_id": buyer,
        "path": path,
    }
    for name in MONEY:
        columns[name] = _decimal(result.cents[name], ok)
    columns["annual_before"] = _decimal(result.annual_before, ok)
    columns["annual_after"] = _decimal(result.annual_after, ok)
    columns["error"] = pa.array(texts, pa.string()) if (result.error != 0).any() else pa.nulls(len(lines), pa.string())
    warned = result.vat_warning if result.vat_warning is not None else np.zeros(len(lines), dtype=bool)
    warned = warned & ok
    columns["warning"] = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(len(lines), dtype=np.int32), mask=~warned), pa.array([VAT_WARNING])
    )
    return pa.table(columns)


def _plain_types(table: pa.Table) -> pa.Table:
    """Dictionary columns as strings and money as decimal128(18, 2): the results file's types."""
    fields = [
        pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type)
        else pa.field(f.name, pa.decimal128(18, 2)) if pa.types.is_decimal(f.type) else f
        for f in table.schema
    ]  # fmt: skip
    return table.cast(pa.schema(fields))


def to_arrow(result: ChunkResult, texts: list[str | None]) -> pa.Table:
    """The line results as an Arrow table, with the results file's column types."""
    return _plain_types(result_columns(result, texts))


def chunks(path: Path, chunk_rows: int, problems: FileProblems | None = None) -> Iterator[pa.Table]:
    """Tables of whole orders, each a zero-copy slice of one read where it can be.

    The order a read ends in may go on in the next read: its lines are joined to the next
    read's leading lines of the same order and given as a table of their own (a few rows
    copied), unless its id comes again further in the next read: then, as for any order whose
    lines are not consecutive within one table, both go in one table and the order is refused.
    Lines of an order a broken row names (``problems.pending``) carry the problem in the
    :data:`~cbec_policy.rules.order_file.parsing.FILE_PROBLEM` column, so the order is rejected.
    """
    problems = problems if problems is not None else FileProblems()
    held: pa.Table | None = None  # the last order of the reads so far, perhaps not complete yet
    for records in read_records(path, chunk_rows, problems):
        table = pa.Table.from_batches([records])
        if table.num_rows == 0:
            continue
        ids = _order_ids(table)
        if held is not None:
            going_on = _leading(ids, _order_ids(held)[0])  # the held order's lines at the top of this read
            if going_on:
                held = _join(held, table.slice(0, going_on))
                table, ids = table.slice(going_on), ids.slice(going_on)
            if table.num_rows == 0:
                continue
            order = _order_ids(held)[0]
            if pc.any(pc.equal(ids, order)).as_py():  # its id comes again in this read: one table, so that
                table = _join(held, table)  # parsing refuses the order whose lines are not consecutive
                ids = _order_ids(table)
            else:
                yield _mark(held, problems)
            held = None
        tail = _last_order_start(ids)
        if tail:
            yield _mark(table.slice(0, tail), problems)
        held = table.slice(tail)
    if held is not None:
        yield _mark(held, problems)


def _order_ids(table: pa.Table) -> pa.Array:
    column = table.column(table.schema.names.index("order_id"))  # the first, if named twice
    return pc.fill_null(column.combine_chunks().cast(pa.string()), "")


def _last_order_start(ids: pa.Array) -> int:
    """Where the run of the last id begins."""
    same = pc.equal(ids, ids[len(ids) - 1]).to_numpy(zero_copy_only=False)
    return 0 if same.all() else len(same) - int(np.argmin(same[::-1]))


def _leading(ids: pa.Array, order: pa.Scalar) -> int:
    """How many ids at the start of ``ids`` are ``order``."""
    same = pc.equal(ids, order).to_numpy(zero_copy_only=False)
    return len(same) if same.all() else int(np.argmin(same))


def _join(held: pa.Table, more: pa.Table) -> pa.Table:
    """The lines of one order from two reads as one table of one chunk per column (dictionaries decoded)."""
    plain = pa.schema(
        [pa.field(f.name, f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in held.schema]
    )
    return pa.concat_tables([held.cast(plain), more.cast(plain)]).combine_chunks()


def _mark(table: pa.Table, problems: FileProblems) -> pa.Table:
    """Give the lines of orders named by broken rows the problem that rejects them."""
    if not problems.pending:
        return table
    column = table.column(table.schema.names.index("order_id"))
    ids = pc.utf8_trim_whitespace(pc.fill_null(column.cast(pa.string()), ""))
    found = pc.is_in(ids, value_set=pa.array(list(problems.pending), pa.string()))
    if not pc.any(found).as_py():
        return table
    hits = [order if hit else None for order, hit in zip(ids.to_pylist(), found.to_pylist(), strict=True)]
    texts = [None if order is None else problems.pending[order] for order in hits]
    for order in set(hits) - {None}:
        del problems.pending[order]
    return table.append_column(parsing.FILE_PROBLEM, pa.array(texts, pa.string()))


class _Writer:
    def __init__(self, path: Path) -> None:
        self.suffix = path.suffix.lower()
        if self.suffix not in (".csv", ".parquet"):
            raise InputError(str(path), "results must be written to a .csv or .parquet file")
        self.path = path
        self.writer: Any = None

    def write(self, table: pa.Table) -> None:
        """Append a chunk's :func:`result_columns`."""
        if self.suffix == ".csv":
            table = _plain_types(table)
        if self.writer is None:
            if self.suffix == ".csv":
                self.writer = pa_csv.CSVWriter(self.path, table.schema)
            else:  # per-column statistics and dictionaries of the money columns cost more than they save;
                # without the Arrow schema in the file, readers see strings and decimal128 as before
                self.writer = pq.ParquetWriter(
                    self.path, table.schema, compression="lz4", write_statistics=False,
                    use_dictionary=["path", "buyer_id", "error", "warning"], store_decimal_as_integer=True,
                    store_schema=False,
                )  # fmt: skip
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is None:  # empty input: still write the header
            self.write(pa.table({name: pa.array([], pa.string()) for name in RESULT_COLUMNS}))
        self.writer.close()


def _output(orders_path: Path, out_path: Path) -> None:
    """Refuse an output that would overwrite the orders or that cannot be written, before any work."""
    if out_path.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(str(out_path), "results must be written to a .csv or .parquet file")
    folder = out_path.parent
    if not folder.is_dir():
        raise InputError(str(out_path), f"the output folder {folder} does not exist")
    if out_path.is_dir():
        raise InputError(str(out_path), "is a folder; give a results file name")
    if out_path.exists() and os.path.samefile(out_path, orders_path):
        raise InputError(str(out_path), "is the orders file itself; write the results to another file")


def run_order_file(
    orders_path: Path,
    out_path: Path,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    params: ParameterSet | None = None,
    on_chunk: Callable[[int], None] | None = None,
    na_as_missing: bool = False,
    store: Store | None = None,
) -> OrderFileSummary:
    """Stream ``orders_path`` (CSV or Parquet order lines) and write one result row per line.

    ``na_as_missing``: read NA, N/A, #N/A, NULL and NaN cells as empty (by default they
    reject their orders). ``store``: read and write the buyer ledger kept there (each buyer's
    year starts from what is recorded; a re-run records nothing twice), in one transaction
    that lands only with the results file.
    """
    orders_path, out_path = Path(orders_path), Path(out_path)
    if not orders_path.is_file():
        raise InputError(str(orders_path), "no such file")
    _output(orders_path, out_path)
    try:
        handle, name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=out_path.suffix)
    except OSError as exc:
        raise InputError(str(out_path.parent), f"cannot write the results here: {exc.strerror}") from None
    os.close(handle)
    partial = Path(name)
    partial.chmod(0o666 & ~_UMASK)  # the results file gets the permissions any new file would, not 0600
    try:
        with order_file_memory():
            summary = _run(orders_path, partial, params, chunk_rows, on_chunk, na_as_missing, store)
        partial.replace(out_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return summary


def _run(
    orders_path: Path, partial: Path, params: ParameterSet | None, chunk_rows: int,
    on_chunk: Callable[[int], None] | None, na_as_missing: bool, store: Store | None,
) -> OrderFileSummary:  # fmt: skip
    if store is None:
        return _compute(orders_path, partial, OrderFileEngine(params), chunk_rows, on_chunk, na_as_missing)
    with store.transaction() as conn:  # the ledger changes only if the whole file is computed
        stored = StoredLedger(conn)
        engine = OrderFileEngine(params, stored)
        summary = _compute(orders_path, partial, engine, chunk_rows, on_chunk, na_as_missing)
        summary.ledger_recorded, summary.ledger_already = stored.written, stored.already
    return summary


def _compute(
    orders_path: Path, partial: Path, engine: OrderFileEngine, chunk_rows: int,
    on_chunk: Callable[[int], None] | None, na_as_missing: bool,
) -> OrderFileSummary:  # fmt: skip
    summary = OrderFileSummary()
    problems = FileProblems()
    writer = _Writer(partial)
    behind = WriteBehind(writer.write)
    try:
        for table in read_ahead(chunks(orders_path, chunk_rows, problems)):
            result = engine.compute(parsing.parse_lines(table, na_as_missing=na_as_missing))
            texts = result.error_texts()
            behind.submit(result_columns(result, texts))
            summary.add(result, texts)
            if engine.stored is not None:
                engine.stored.record(result)
            if on_chunk is not None:
                on_chunk(table.num_rows)
        behind.close()
        writer.close()
    except BaseException:
        with contextlib.suppress(Exception):  # the first failure is the one to report
            behind.close()
        if writer.writer is not None:
            writer.writer.close()
        raise
    summary.file_problems, summary.unread_rows = problems.notes, problems.unread_rows
    return summary


def parquet_rows(path: Path) -> int | None:
    """Row count of a Parquet file from its footer (None for CSV), for a progress bar."""
    if Path(path).suffix.lower() == ".parquet":
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowInvalid):
            return None
    return None

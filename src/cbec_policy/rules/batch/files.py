"""Batch files: order lines streamed from CSV or Parquet in chunks, one result row per line.

A chunk ends on an order boundary: the lines of the last order of a chunk are held back and
read with the next, so an order is never split. Results go to a temporary file next to the
output and are moved into place at the end, so a failed run leaves no half-written file; rows
with errors are written too, with their message, beside every good row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from cbec_policy.errors import InputError
from cbec_policy.rules.batch import orders as bo
from cbec_policy.rules.batch.engine import MONEY, BatchEngine, ChunkResult
from cbec_policy.rules.parameters import ParameterSet
from cbec_policy.rules.regime import PATHS

DEFAULT_CHUNK_ROWS = 262_144
RESULT_COLUMNS = ("order_id", "line", "declaration_date", "buyer_id", "path", *MONEY, "annual_before",
                  "annual_after", "error", "warning")  # fmt: skip
VAT_WARNING = "增值税税率与申报日期适用的标准税率、低税率均不符，已按所填税率计算，请核对"


@dataclass
class BatchSummary:
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
        }


def _decimal(values: np.ndarray, ok: np.ndarray) -> pa.Array:
    """decimal128(18, 2) straight from integer fen: 16-byte two's complement words."""
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = values >> 63
    validity = pa.array(ok, pa.bool_()).buffers()[1]
    return pa.Array.from_buffers(
        pa.decimal128(18, 2), len(values), [validity, pa.py_buffer(words)], null_count=int((~ok).sum())
    )


def to_arrow(result: ChunkResult, texts: list[str | None]) -> pa.Table:
    """The line results as an Arrow table."""
    lines = result.lines
    ok = result.error == 0
    buyer = (
        pa.DictionaryArray.from_arrays(
            pa.array(np.repeat(lines.buyer_index, lines.counts).astype(np.int32),
                     mask=np.repeat(lines.buyer_index < 0, lines.counts)),
            lines.buyer_names,
        ).cast(pa.string())
        if len(lines.buyer_names) else pa.nulls(len(lines), pa.string())
    )  # fmt: skip
    path = pa.DictionaryArray.from_arrays(
        pa.array(np.where(ok, result.path, 0).astype(np.int32), mask=~ok), pa.array(list(PATHS))
    ).cast(pa.string())
    columns: dict[str, Any] = {
        "order_id": lines.order_id,
        "line": pa.array(lines.line_no),
        "declaration_date": pa.array(lines.day.astype("datetime64[D]"), pa.date32(), mask=lines.day == bo.NO_DAY),
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
    ).cast(pa.string())
    return pa.table(columns)


def _batches(path: Path, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            yield from pq.ParquetFile(path, read_dictionary=["buyer_id"]).iter_batches(batch_size=chunk_rows)
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(str(path), f"cannot read Parquet: {exc}") from None
    elif suffix == ".csv":
        try:
            header = pa_csv.open_csv(path).schema.names
            types = {name: pa.string() for name in header}  # bad cells become line errors, not a failed file
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


def chunks(path: Path, chunk_rows: int) -> Iterator[pa.Table]:
    """Tables of whole orders: the last order of each read is carried into the next."""
    held: pa.Table | None = None
    for batch in _batches(path, chunk_rows):
        table = pa.Table.from_batches([batch])
        if held is not None and held.num_rows:  # one chunk per column again, so parsing copies nothing more
            table = pa.concat_tables([held, table.cast(held.schema)]).combine_chunks()
        ids = pc.fill_null(table.column("order_id").combine_chunks().cast(pa.string()), "")
        last = ids[len(ids) - 1] if len(ids) else None
        if last is None:
            continue
        same = pc.equal(ids, last).to_numpy(zero_copy_only=False)
        tail = len(same) - int(np.argmin(same[::-1])) if not same.all() else 0
        held = table.slice(tail)
        if tail:
            yield table.slice(0, tail)
    if held is not None and held.num_rows:
        yield held


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
            else:  # per-column statistics and dictionaries of the money columns cost more than they save
                self.writer = pq.ParquetWriter(
                    self.path, table.schema, compression="lz4", write_statistics=False,
                    use_dictionary=["path", "buyer_id", "error", "warning"], store_decimal_as_integer=True,
                )  # fmt: skip
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is None:  # empty input: still write the header
            self.write(pa.table({name: pa.array([], pa.string()) for name in RESULT_COLUMNS}))
        self.writer.close()


def run_batch(
    orders_path: Path,
    out_path: Path,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    params: ParameterSet | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Stream ``orders_path`` (CSV or Parquet order lines) and write one result row per line."""
    orders_path, out_path = Path(orders_path), Path(out_path)
    if not orders_path.is_file():
        raise InputError(str(orders_path), "no such file")
    engine = BatchEngine(params)
    summary = BatchSummary()
    partial = out_path.with_name(out_path.name + ".partial" + out_path.suffix)
    writer = _Writer(partial)
    try:
        for table in chunks(orders_path, chunk_rows):
            result = engine.compute(bo.parse_lines(table))
            texts = result.error_texts()
            writer.write(to_arrow(result, texts))
            summary.add(result, texts)
            if on_chunk is not None:
                on_chunk(table.num_rows)
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

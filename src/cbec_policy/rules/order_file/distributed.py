"""The order file on a Dask cluster: the same kernel, partitioned by buyer, equal on every line.

A buyer's annual limit is a running total over that buyer's orders in file order, so every
order of one buyer must be computed by one :class:`~cbec_policy.rules.order_file.engine.OrderFileEngine`,
in file order. The file is read in partitions (``dask.dataframe``); every line gets its row
number in the file, the start row of its order (a run of equal ``order_id``, followed across
partition edges) and the buyer of the order's first line (the buyer the ledger uses; lines
naming another buyer are refused by the kernel). Lines are then shuffled on that buyer (orders
without a buyer never touch a ledger and are spread by order), each partition is put back in
file order and computed in chunks of whole orders by one engine (``map_partitions``), and the
results are put back in file order and written by the workers as a Parquet dataset.

An order id that starts more than one run in the file (lines not consecutive) is refused on
every line, as the single process refuses it when the runs fall in one of its chunks; such
lines are computed together, apart from the buyers, since a refused order never reaches a
ledger. Nothing else crosses orders, so every line equals the single-process result.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from distributed import Client, LocalCluster

from cbec_policy.errors import InputError
from cbec_policy.rules.order_file.engine import ChunkResult, OrderFileEngine
from cbec_policy.rules.order_file.files import DEFAULT_CHUNK_ROWS, RESULT_COLUMNS, OrderFileSummary, to_arrow
from cbec_policy.rules.order_file.parsing import parse_lines
from cbec_policy.rules.parameters import ParameterSet
from cbec_policy.rules.regime import PATHS

# The null spellings of the single process's CSV reader (pyarrow's defaults), so a CSV cell
# reads the same on both engines.
CSV_NULLS = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "N/A",
             "NA", "NULL", "NaN", "n/a", "nan", "null"]  # fmt: skip
SPLIT_KEY = -1  # shuffle key of the lines of split orders: all in one partition, computed apart
# A few partitions per worker: the task-based shuffle has less fixed cost than the peer-to-peer one.
SHUFFLE = "tasks"
# As the single process writes (files.py): no column statistics, lz4, decimals as integers.
WRITE_OPTIONS = {"compression": "lz4", "write_statistics": False, "store_decimal_as_integer": True}
_SEPARATOR = "\x00separator "  # order id of a refused row put between two runs of a split order


def usable_cores() -> int:
    """Cores this process may run on (the local cluster's worker processes, one thread each)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _ids(table: pa.Table | pd.DataFrame) -> pa.Array:
    """Order ids as the kernel compares them: text, a missing id as ''."""
    column = table["order_id"]
    column = pa.array(column) if isinstance(column, pd.Series) else column
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return pc.fill_null(column.cast(pa.string()), "")


def _buyer_names(frame: pd.DataFrame) -> list[str | None]:
    """Each line's buyer as the ledger keys it: trimmed text, blank as None."""
    if "buyer_id" not in frame.columns:
        return [None] * len(frame)
    column = pa.array(frame["buyer_id"])
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    names = pc.utf8_trim_whitespace(column.cast(pa.string())).to_pylist()
    return [name or None for name in names]


def _run_starts(frame: pd.DataFrame) -> np.ndarray:
    """Rows of the partition where a new order id begins (row 0 always)."""
    ids = _ids(frame)
    if len(ids) == 0:
        return np.zeros(0, dtype=bool)
    same = pc.equal(ids.slice(1), ids.slice(0, len(ids) - 1)).to_numpy(zero_copy_only=False)
    return np.r_[True, ~same]


_EDGE_META = pd.DataFrame({"rows": pd.Series([], dtype="int64"), "first": pd.Series([], dtype=object),
                           "last": pd.Series([], dtype=object), "open_start": pd.Series([], dtype="int64"),
                           "open_buyer": pd.Series([], dtype=object)})  # fmt: skip


def _edges(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per partition: its length, first and last order id, and where its last order starts."""
    if len(frame) == 0:
        return pd.DataFrame({"rows": [0], "first": [None], "last": [None], "open_start": [0], "open_buyer": [None]})
    ids = _ids(frame)
    start = int(np.flatnonzero(_run_starts(frame))[-1])
    buyer = _buyer_names(frame.iloc[start : start + 1])[0]
    return pd.DataFrame({"rows": [len(frame)], "first": [ids[0].as_py()], "last": [ids[-1].as_py()],
                         "open_start": [start], "open_buyer": [buyer]}).astype(_EDGE_META.dtypes)  # fmt: skip


def _carry_in(edges: pd.DataFrame) -> tuple[list[int], list[tuple[int, str | None] | None]]:
    """Each partition's first row in the file and the order (start row, buyer) running into it, if any."""
    offsets = np.r_[0, np.cumsum(edges["rows"].to_numpy())[:-1]].astype(int).tolist()
    carry: list[tuple[int, str | None] | None] = []
    open_order: tuple[int, str | None] | None = None
    last_id: str | None = None
    for offset, row in zip(offsets, edges.itertuples(index=False), strict=True):
        if row.rows == 0:
            carry.append(None)
            continue
        incoming = open_order if last_id is not None and row.first == last_id else None
        carry.append(incoming)
        if row.open_start == 0 and incoming is not None:
            open_order = incoming  # the whole partition is one order running on
        else:
            open_order = (offset + int(row.open_start), row.open_buyer)
        last_id = row.last
    return offsets, carry


def _buyer_hashes(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each line's shuffle key from its trimmed buyer id, and a mask of lines that name a buyer.

    Only the distinct names are hashed (pandas' fixed-key hash: the same in every process).
    """
    hashes, named = np.zeros(len(frame), dtype=np.int64), np.zeros(len(frame), dtype=bool)
    if "buyer_id" not in frame.columns or len(frame) == 0:
        return hashes, named
    column = pa.array(frame["buyer_id"])
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    encoded = pc.dictionary_encode(pc.utf8_trim_whitespace(column.cast(pa.string())))
    names = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    codes = pc.fill_null(encoded.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False)
    keys = pd.util.hash_array(names).view(np.int64) if len(names) else np.zeros(0, dtype=np.int64)
    given = codes >= 0
    hashes[given] = keys[codes[given]]
    named[given] = (names != "")[codes[given]]
    return hashes, named


def _annotate(
    frame: pd.DataFrame, offsets: list[int], carry: list[Any], split_ids: frozenset[str], partition_info: Any = None
) -> pd.DataFrame:
    """Add the file row, the order's start row, and the shuffle key (the order's buyer) to each line."""
    number = partition_info["number"] if partition_info else 0
    count = len(frame)
    rows = offsets[number] + np.arange(count, dtype=np.int64)
    starts = _run_starts(frame)
    hashes, named = _buyer_hashes(frame)
    incoming = carry[number]
    anchor = starts.copy()
    if count and incoming is not None:  # the first lines continue an order begun in an earlier partition
        starts[0] = False
        named[0] = incoming[1] is not None
        hashes[0] = pd.util.hash_array(np.array([incoming[1] or ""], dtype=object)).view(np.int64)[0]
    run = np.where(starts, rows, -1)
    if count and incoming is not None:
        run[0] = incoming[0]
    run = np.maximum.accumulate(run) if count else run
    first_line = np.maximum.accumulate(np.where(anchor, np.arange(count), 0)) if count else anchor.astype(int)
    key = np.where(named[first_line], hashes[first_line], run)  # no buyer: no ledger, so spread by order
    split = np.zeros(count, dtype=bool)
    if split_ids and count:
        split = np.isin(_ids(frame).to_numpy(zero_copy_only=False), list(split_ids))
        key[split] = SPLIT_KEY
    out = frame.copy()
    out["_row"], out["_run"], out["_key"], out["_split"] = rows, run, key, split
    return out


def _run_start_ids(frame: pd.DataFrame) -> pd.Series:
    """Order ids at the start of each run of the partition (its first row counted too)."""
    return pd.Series(_ids(frame).filter(pa.array(_run_starts(frame))).to_pylist(), dtype=object)


def _split_ids(candidates: pd.Series, edges: pd.DataFrame) -> frozenset[str]:
    """Ids starting more than one run in the file: local counts less the runs continued over an edge."""
    counts = {str(name): int(count) for name, count in candidates.items()}
    last_id = None
    for row in edges.itertuples(index=False):
        if row.rows == 0:
            continue
        if last_id is not None and row.first == last_id and row.first in counts:
            counts[row.first] -= 1
        last_id = row.last
    return frozenset(name for name, count in counts.items() if count > 1)


def _order_chunks(table: pa.Table, chunk_rows: int) -> Iterator[pa.Table]:
    """Slices of about ``chunk_rows`` lines that end on an order boundary (a longer order alone)."""
    run = table["_run"].to_numpy()
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]]) if len(run) else np.zeros(0, dtype=np.int64)
    begin = 0
    while begin < len(run):
        end = len(run)
        if begin + chunk_rows < len(run):
            end = int(starts[np.searchsorted(starts, begin + chunk_rows, side="right") - 1])
            if end <= begin:
                following = np.searchsorted(starts, begin, side="right")
                end = int(starts[following]) if following < len(starts) else len(run)
        yield table.slice(begin, end - begin)
        begin = end


def _with_separators(table: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """Split-order lines with a refused one-line order between two runs of one id; mask of real rows."""
    ids = _ids(table)
    run = table["_run"].to_numpy()
    joins = np.zeros(0, dtype=np.int64)
    if len(ids) > 1:
        same_id = pc.equal(ids.slice(1), ids.slice(0, len(ids) - 1)).to_numpy(zero_copy_only=False)
        joins = np.flatnonzero(same_id & (run[1:] != run[:-1])) + 1  # two runs of one id now adjacent
    table = table.set_column(table.schema.get_field_index("order_id"), "order_id", ids)
    if len(joins) == 0:
        return table, np.ones(table.num_rows, dtype=bool)
    separators = pa.table(
        {name: (pa.array([f"{_SEPARATOR}{k}" for k in range(len(joins))]) if name == "order_id"
                else pa.nulls(len(joins), table.schema.field(name).type)) for name in table.schema.names}
    )  # fmt: skip
    order = np.argsort(np.r_[np.arange(table.num_rows) * 2, joins * 2 - 1], kind="stable")
    combined = pa.concat_tables([table, separators]).take(pa.array(order))
    return combined, order < table.num_rows


def _frame(result: ChunkResult, rows: np.ndarray, keep: np.ndarray | None = None) -> pd.DataFrame:
    """The chunk's result rows and the columns the summary needs; ``keep`` drops separator rows."""
    table = to_arrow(result, result.error_texts())
    first = np.zeros(len(result.lines), dtype=bool)
    first[result.lines.starts] = True
    extra = {"_row": rows, "_first": first, "_own_error": result.error > 0}
    if keep is not None:
        table, extra = table.filter(pa.array(keep)), {name: values[keep] for name, values in extra.items()}
    for name, count in (("_exact", result.exact_lines), ("_single", result.single_orders)):
        values = np.zeros(table.num_rows, dtype=np.int64)
        if len(values):
            values[0] = count  # a chunk's counter once, on its first line: one sum gives the run's
        extra[name] = values
    for name, values in extra.items():
        table = table.append_column(name, pa.array(values))
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _compute_partition(frame: pd.DataFrame, chunk_rows: int, params: ParameterSet | None) -> pd.DataFrame:
    """One partition (whole buyers): back in file order, computed in chunks by one engine."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.take(pc.sort_indices(table["_row"]))
    split = pc.fill_null(table["_split"], False)
    inputs = [name for name in table.schema.names if not name.startswith("_")]
    parts = []
    engine = OrderFileEngine(params)
    for chunk in _order_chunks(table.filter(pc.invert(split)), chunk_rows):
        result = engine.compute(parse_lines(chunk.select(inputs)))
        parts.append(_frame(result, chunk["_row"].to_numpy()))
    refused = table.filter(split)
    if refused.num_rows:  # every line refused: no ledger, so a fresh engine
        lines, keep = _with_separators(refused)
        result = OrderFileEngine(params).compute(parse_lines(lines.select(inputs)))
        parts.append(_frame(result, pc.fill_null(lines["_row"], -1).to_numpy(), keep))
    if not parts:
        return _meta(params)
    return pd.concat(parts, ignore_index=True)


def _meta(params: ParameterSet | None) -> pd.DataFrame:
    """Empty result frame with the kernel's own column types (one real order computed, then cut)."""
    table = pa.table({"order_id": ["m"], "declaration_date": ["2025-01-01"], "price": ["1"]})
    result = OrderFileEngine(params).compute(parse_lines(table.select(["order_id", "declaration_date", "price"])))
    return _frame(result, np.zeros(1, dtype=np.int64)).iloc[:0]


_SUMMARY_META = pd.DataFrame({name: pd.Series([], dtype="int64") for name in
                              ("lines", "orders", *PATHS, "rejected", "error_lines", "tax_fen", "exact", "single")}
                             | {"examples": pd.Series([], dtype=object)})  # fmt: skip


def _summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """One row of counts per result partition, and its first five own errors by file row."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    firsts = table["path"].filter(table["_first"])  # an order's path is on each of its lines: count one
    paths = {item["values"]: item["counts"] for item in pc.value_counts(firsts).to_pylist() if item["values"]}
    total = pc.sum(table["total_tax"]).as_py()  # money is null on every line with an error
    own = table.filter(table["_own_error"]).select(["_row", "error"])
    own = own.take(pc.sort_indices(own["_row"])[:5])
    row = {"lines": table.num_rows, "orders": len(firsts), **{name: paths.get(name, 0) for name in PATHS},
           "rejected": firsts.null_count, "error_lines": table.num_rows - table["error"].null_count,
           "tax_fen": int(total * 100) if total is not None else 0, "exact": pc.sum(table["_exact"]).as_py() or 0,
           "single": pc.sum(table["_single"]).as_py() or 0}  # fmt: skip
    row["examples"] = json.dumps(list(zip(own["_row"].to_pylist(), own["error"].to_pylist(), strict=True)))
    return pd.DataFrame([row]).astype(_SUMMARY_META.dtypes)


def _summary(parts: pd.DataFrame) -> OrderFileSummary:
    summary = OrderFileSummary()
    summary.lines, summary.orders = int(parts["lines"].sum()), int(parts["orders"].sum())
    for name in PATHS:
        if int(parts[name].sum()):
            summary.paths[name] = int(parts[name].sum())
    summary.rejected_orders, summary.error_lines = int(parts["rejected"].sum()), int(parts["error_lines"].sum())
    summary.total_tax_fen = int(parts["tax_fen"].sum())
    summary.exact_lines, summary.single_orders = int(parts["exact"].sum()), int(parts["single"].sum())
    examples = sorted(tuple(example) for found in parts["examples"] for example in json.loads(found))
    summary.error_examples = [str(text) for _, text in examples[:5]]
    return summary


def read_orders(path: Path, blocksize: int | str = "64MiB") -> dd.DataFrame:
    """The order lines as a Dask frame in file order (Arrow types, as the single process reads them)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(str(path), "no such file")
    try:
        if suffix == ".parquet":
            return dd.read_parquet(str(path), dtype_backend="pyarrow", split_row_groups=True)
        if suffix == ".csv":  # every cell as text: a bad cell becomes a line error, not a failed file
            return dd.read_csv(str(path), dtype=str, keep_default_na=False, na_values=CSV_NULLS,
                               dtype_backend="pyarrow", blocksize=blocksize)  # fmt: skip
    except (OSError, ValueError, pa.ArrowInvalid) as exc:
        raise InputError(str(path), f"cannot read {suffix[1:].upper()}: {exc}") from None
    raise InputError(str(path), "orders must be a .csv or .parquet file")


@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None, timeout: float = 10) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a local cluster on loopback (one process per core)."""
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise InputError("--scheduler", f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=workers or usable_cores(), threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=logging.ERROR,
    )  # fmt: skip
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def _replace(partial: Path, out_path: Path) -> None:
    """Move the finished dataset into place; an earlier result is removed only after the move."""
    old = out_path.with_name(out_path.name + ".old")
    if old.exists():
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    if out_path.exists():
        out_path.rename(old)
    partial.rename(out_path)
    if old.exists():
        shutil.rmtree(old) if old.is_dir() else old.unlink()


def run_order_file_dask(
    orders_path: Path,
    out_path: Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    partitions: int | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    params: ParameterSet | None = None,
    client: Client | None = None,
    connect_timeout: float = 10,
) -> OrderFileSummary:
    """``orders_path`` (Parquet or CSV) on a Dask cluster into the Parquet dataset ``out_path``.

    The dataset's part files, read in name order, hold one row per line in file order with the
    single process's columns and values. ``client`` reuses a connected client; otherwise
    ``scheduler`` names a scheduler's address (given up after ``connect_timeout`` seconds), or a
    local cluster of ``workers`` processes runs.
    """
    orders_path, out_path = Path(orders_path), Path(out_path)
    if out_path.suffix.lower() != ".parquet":
        raise InputError(str(out_path), "the Dask engine writes a Parquet dataset: give a .parquet output")
    frame = read_orders(orders_path)
    if client is None:
        with connect(scheduler, workers, connect_timeout) as connected:
            return _run(frame, out_path, connected, partitions, chunk_rows, params)
    return _run(frame, out_path, client, partitions, chunk_rows, params)


def _run(
    frame: dd.DataFrame, out_path: Path, client: Client, partitions: int | None, chunk_rows: int,
    params: ParameterSet | None,
) -> OrderFileSummary:  # fmt: skip
    if "order_id" not in frame.columns:
        raise InputError("orders", "missing columns: order_id (needs order_id, declaration_date, price)")
    # Both passes take the whole frame: a column projection lets Dask fuse partitions, and the
    # row offsets found here must be those of the partitions annotated below.
    edges_graph = frame.map_partitions(_edges, meta=_EDGE_META)
    starts = frame.map_partitions(_run_start_ids, meta=pd.Series([], dtype=object))
    counts = starts.value_counts()
    edges, candidates = client.compute([edges_graph, counts[counts > 1]], sync=True)
    edges = edges.reset_index(drop=True).astype(object)
    edges = edges.where(edges.notna(), None)  # text columns may come back as Arrow strings with <NA>
    split_ids = _split_ids(candidates, edges)
    offsets, carry = _carry_in(edges)
    total_rows = int(edges["rows"].sum())
    partial = out_path.with_name(out_path.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial) if partial.is_dir() else partial.unlink()
    if total_rows == 0:  # no lines: a dataset of one empty part with the result columns
        partial.mkdir()
        empty = pa.Table.from_pandas(_meta(params)[list(RESULT_COLUMNS)], preserve_index=False)
        pq.write_table(empty, partial / "part.000000.parquet")
        _replace(partial, out_path)
        return OrderFileSummary()
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    partitions = partitions or max(2 * workers, -(-total_rows // chunk_rows))
    annotated = frame.map_partitions(_annotate, offsets, carry, split_ids, meta=_annotated_meta(frame))
    shuffled = annotated.shuffle(on="_key", npartitions=partitions, shuffle_method=SHUFFLE)
    results = shuffled.map_partitions(_compute_partition, chunk_rows, params, meta=_meta(params))
    summary_parts = results.map_partitions(_summarise, meta=_SUMMARY_META)
    bounds = np.linspace(0, total_rows - 1, min(partitions, total_rows) + 1).astype(np.int64)
    divisions = [*sorted(set(bounds[:-1].tolist())), int(bounds[-1])]  # row ranges in file order
    ordered = results[[*RESULT_COLUMNS, "_row"]].set_index("_row", divisions=divisions, shuffle_method=SHUFFLE)
    write = ordered.to_parquet(str(partial), write_index=False, compute=False, write_metadata_file=False,
                               name_function=lambda i: f"part.{i:06d}.parquet", **WRITE_OPTIONS)  # fmt: skip
    try:
        _, parts = client.compute([write, summary_parts], sync=True)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _replace(partial, out_path)
    return _summary(parts)


def _annotated_meta(frame: dd.DataFrame) -> pd.DataFrame:
    meta = frame._meta.copy()
    for name in ("_row", "_run", "_key"):
        meta[name] = pd.Series([], dtype="int64")
    meta["_split"] = pd.Series([], dtype=bool)
    return meta

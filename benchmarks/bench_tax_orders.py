"""Benchmark: `tax batch` over order lines vs a loop of the single-order calculator, in one run.

Generates a seeded file of order lines (default 1,000,000 lines in about 400,000 orders of
50,000 buyers, declaration dates 2016-04-08 … 2025-12-31 in date order, mixed rates, some
orders over the single or the annual limit, a few bad cells), writes it as Parquet, then:

- runs ``run_order_file`` end to end (Parquet in, Parquet out: parsing, grouping lines into
  orders, the regime, each buyer's year, line taxes, the results file), best of ``--repeat`` (3);
- times the kernel alone (parsing, grouping and computing chunks already in memory);
- runs the single-order path (``order_import_tax``, each buyer's orders in date order with
  the year carried from one to the next) over the orders of a sample of buyers (about
  ``--sample`` orders), and times it;
- checks that the order-file results equal the single-order answers on every line of the sample
  (path, the five amounts, the year before and after), and that rejected orders match;
- prints lines/s of both, the ratio, the peak memory of the process (ru_maxrss) and the
  machine's load average (a shared machine stretches wall time; CPU time is printed beside it).

Targets: at least 1,000,000 lines/s, at least 200x the loop, peak memory at most 1.5 GB.

With ``--engine dask`` the same file (row groups of one chunk, so the cluster reads it in
partitions) also goes through ``run_order_file_dask`` on a local cluster of one worker process per
usable core (``--workers``), best of ``--repeat``; it prints lines/s of the single process and of
the cluster from this run, their ratio, the cluster's start-up, and checks that the two results
are equal on every line.

    python benchmarks/bench_tax_orders.py [--lines N] [--sample N] [--repeat N] [--engine single|dask]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cbec_policy.errors import CbecError
from cbec_policy.rules.order_file import DEFAULT_CHUNK_ROWS, OrderFileEngine, parse_lines, run_order_file
from cbec_policy.rules.order_file.distributed import connect, run_order_file_dask
from cbec_policy.rules.order_file.files import chunks
from cbec_policy.rules.order_tax import order_import_tax
from cbec_policy.rules.orders import make_order

TARGET_LINES_S = 1_000_000
TARGET_RATIO = 200
TARGET_PEAK_MB = 1_536


def _load(averages: tuple[float, float, float]) -> str:
    return "/".join(f"{value:.2f}" for value in averages)


def generate(lines: int, buyers: int, seed: int = 20261127) -> pa.Table:
    """Seeded order lines: about 2.5 lines per order, orders in date order, consecutive lines."""
    rng = np.random.default_rng(seed)
    per_order = rng.integers(1, 5, int(lines / 2.5) + 1)
    while per_order.sum() < lines:  # enough orders to fill the lines
        per_order = np.r_[per_order, rng.integers(1, 5, 1 + lines // 100)]
    orders = len(per_order)
    order_of_line = np.repeat(np.arange(orders), per_order)[:lines]
    start, end = np.datetime64("2016-04-08"), np.datetime64("2025-12-31")
    span = int((end - start).astype(np.int64)) + 1
    order_day = np.sort(start + rng.integers(0, span, orders))
    buyer = rng.integers(0, buyers, orders)
    price = np.round(rng.lognormal(5.6, 1.1, lines), 2).clip(0.01, 30000)
    line_no = np.arange(lines) - np.searchsorted(order_of_line, order_of_line) + 1
    vat = np.where(rng.random(lines) < 0.1, 0.09, np.nan)
    table = {
        "order_id": pa.array(np.char.add("o", order_of_line.astype(str))),
        "line": pa.array(line_no),
        "declaration_date": pa.array(order_day[order_of_line], pa.date32()),
        "buyer_id": pa.array(np.char.add("b", buyer[order_of_line].astype(str))),
        "quantity": pa.array(rng.integers(1, 3, lines)),
        "price": pa.array(price),
        "freight": pa.array(np.round(rng.uniform(0, 20, lines), 2)),
        "insurance": pa.array(np.round(rng.uniform(0, 3, lines), 2)),
        "vat_rate": pa.array(vat, mask=np.isnan(vat)),
        "ct_rate": pa.array(rng.choice([0.0, 0.0, 0.0, 0.1, 0.15], lines)),
        "tariff_rate": pa.array(rng.choice([0.0, 0.05, 0.1, 0.15, 0.2], lines)),
    }
    bad = rng.choice(lines, 20, replace=False)
    prices = table["price"].to_numpy().copy()
    prices[bad[:10]] = prices[bad[:10]] + 0.005  # three decimals: the order is rejected
    table["price"] = pa.array(prices)
    return pa.table(table)


def reference(table: pa.Table, sample_orders: int, seed: int = 7) -> tuple[dict, float, float, int]:
    """The single-order path over the orders of sampled buyers; (answers by line key, wall s, CPU s, lines)."""
    rng = np.random.default_rng(seed)
    buyer = table.column("buyer_id").to_numpy(zero_copy_only=False)
    order_id = table.column("order_id").to_numpy(zero_copy_only=False)
    starts = np.r_[True, order_id[1:] != order_id[:-1]]  # the first line of each order
    owners, orders_of = np.unique(buyer[starts], return_counts=True)
    shuffled = rng.permutation(len(owners))
    enough = int(np.searchsorted(np.cumsum(orders_of[shuffled]), sample_orders)) + 1  # buyers for >= sample orders
    wanted = owners[shuffled[:enough]]
    rows = np.flatnonzero(np.isin(buyer, wanted))
    records = table.take(pa.array(rows)).to_pylist()
    by_buyer: dict[str, list[list[dict]]] = {}
    for record in records:
        orders = by_buyer.setdefault(record["buyer_id"], [])
        if not orders or orders[-1][0]["order_id"] != record["order_id"]:
            orders.append([])
        orders[-1].append(record)
    keys = ("quantity", "price", "freight", "insurance", "vat_rate", "ct_rate", "tariff_rate")
    answers: dict[tuple[str, int], tuple] = {}
    started, cpu = time.perf_counter(), time.process_time()
    for buyer_id, orders in by_buyer.items():
        year, total = None, Decimal(0)
        for lines in orders:
            day = lines[0]["declaration_date"]
            if day.year != year:
                year, total = day.year, Decimal(0)
            cells = [{k: (repr(r[k]) if isinstance(r[k], float) else r[k]) for k in keys if r[k] is not None}
                     for r in lines]  # fmt: skip
            try:
                result = order_import_tax(make_order(lines[0]["order_id"], day, cells, buyer_id), total)
            except CbecError:
                for record in lines:
                    answers[(record["order_id"], record["line"])] = ("rejected",)
                continue
            for record, line in zip(lines, result.lines, strict=True):
                answers[(record["order_id"], record["line"])] = (
                    result.path, line.dutiable_value, line.tariff, line.consumption_tax, line.vat, line.total_tax,
                    result.annual_before, result.annual_after,
                )  # fmt: skip
            total = result.annual_after
    return answers, time.perf_counter() - started, time.process_time() - cpu, len(records)


def compare(results: pa.Table, answers: dict) -> tuple[int, list[str]]:
    """Lines of the sample checked, and the first mismatches."""
    wanted = pa.array(sorted({order for order, _ in answers}))
    subset = results.filter(pa.compute.is_in(results.column("order_id"), value_set=wanted)).to_pylist()
    mismatches = []
    for row in subset:
        expected = answers[(row["order_id"], row["line"])]
        got = (
            ("rejected",) if row["error"] else (
                row["path"], row["dutiable_value"], row["tariff"], row["consumption_tax"], row["vat"],
                row["total_tax"], row["annual_before"], row["annual_after"],
            )
        )  # fmt: skip
        if got != expected and len(mismatches) < 5:
            mismatches.append(f"{row['order_id']} line {row['line']}: order file {got} vs single {expected}")
    return len(subset), mismatches


def cluster_run(source: Path, single_out: Path, lines: int, repeat: int, workers: int | None, single_s: float) -> None:
    """The same file on a local Dask cluster, timed beside the single process and checked line for line."""
    out = source.with_name("results_dask.parquet")
    started = time.perf_counter()
    with connect(workers=workers) as client:
        startup = time.perf_counter() - started
        count = len(client.scheduler_info()["workers"])
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            run_order_file_dask(source, out, client=client)
            best = min(best, time.perf_counter() - started)
    single, cluster = pq.read_table(single_out), pq.read_table(out)
    equal = single.num_rows == cluster.num_rows and all(
        single.column(name).equals(cluster.column(name)) for name in single.schema.names
    )
    print(f"cluster ({count} worker processes, Parquet in, Parquet dataset out): {best:.3f} s wall -> "
          f"{lines / best:,.0f} lines/s; local cluster start-up {startup:.1f} s (not counted)")  # fmt: skip
    print(f"single process, same file, same run: {single_s:.3f} s wall -> {lines / single_s:,.0f} lines/s")
    print(f"ratio cluster / single process: {single_s / best:.2f}x   (equal on every line: {'yes' if equal else 'NO'})")
    if not equal:
        raise SystemExit("cluster and single-process results differ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines to generate (default 1,000,000)")
    parser.add_argument("--buyers", type=int, default=50_000, help="distinct buyers (default 50,000)")
    parser.add_argument("--sample", type=int, default=5_000, help="orders for the single-order loop (default 5,000)")
    parser.add_argument("--repeat", type=int, default=3, help="order-file runs, best taken (default 3)")
    parser.add_argument("--engine", choices=("single", "dask"), default="single", help="dask: also on a cluster")
    parser.add_argument("--workers", type=int, default=None, help="local cluster processes (default: usable cores)")
    args = parser.parse_args()

    load_before = os.getloadavg()
    table = generate(args.lines, args.buyers)
    orders = len(np.unique(table.column("order_id").to_numpy(zero_copy_only=False)))
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "lines.parquet", Path(folder) / "results.parquet"
        pq.write_table(table, source, row_group_size=DEFAULT_CHUNK_ROWS)
        best = best_cpu = float("inf")
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            summary = run_order_file(source, out)
            best = min(best, time.perf_counter() - started)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        results = pq.read_table(out)
        tables = list(chunks(source, DEFAULT_CHUNK_ROWS))
        if args.engine == "dask":
            cluster_run(source, out, args.lines, args.repeat, args.workers, best)
    kernel = kernel_cpu = float("inf")
    for _ in range(args.repeat):  # parsing, grouping and computing only: no file reading or writing
        engine = OrderFileEngine()
        started, cpu = time.perf_counter(), time.process_time()
        for part in tables:
            engine.compute(parse_lines(part))
        kernel = min(kernel, time.perf_counter() - started)
        kernel_cpu = min(kernel_cpu, time.process_time() - cpu)
    answers, loop_seconds, loop_cpu, loop_lines = reference(table, args.sample)
    checked, mismatches = compare(results, answers)
    file_rate = args.lines / best
    loop_rate = loop_lines / loop_seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data = summary.to_dict()
    print(f"file: {args.lines:,} lines, {orders:,} orders, {args.buyers:,} buyers; paths {data['paths']}, "
          f"rejected orders {data['rejected_orders']}, exact lines {data['exact_lines']}")  # fmt: skip
    print(f"order file (run_order_file, Parquet in and out): {best:.3f} s wall -> {file_rate:,.0f} lines/s; "
          f"{best_cpu:.3f} s CPU -> {args.lines / best_cpu:,.0f} lines/s")  # fmt: skip
    print(f"kernel (parse + group + compute, chunks in memory): {kernel:.3f} s wall -> {args.lines / kernel:,.0f} "
          f"lines/s; {kernel_cpu:.3f} s CPU -> {args.lines / kernel_cpu:,.0f} lines/s")  # fmt: skip
    print(f"single-order loop: {loop_lines:,} lines in {loop_seconds:.3f} s wall -> {loop_rate:,.0f} lines/s; "
          f"{loop_cpu:.3f} s CPU -> {loop_lines / loop_cpu:,.0f} lines/s")  # fmt: skip
    ratio = file_rate / loop_rate
    print(f"ratio: {ratio:,.0f}x wall, {(args.lines / best_cpu) / (loop_lines / loop_cpu):,.0f}x CPU")
    print(f"peak memory (ru_maxrss): {peak_mb:,.0f} MB")
    load_after = os.getloadavg()
    print(f"machine load (1/5/15-min averages) before {_load(load_before)}, after {_load(load_after)} on "
          f"{os.cpu_count()} CPUs: wall time stretches when other work shares them")  # fmt: skip
    for target, met in (
        (f"order file >= {TARGET_LINES_S:,} lines/s: {file_rate:,.0f}", file_rate >= TARGET_LINES_S),
        (f"order file >= {TARGET_RATIO}x the single-order loop: {ratio:,.0f}x", ratio >= TARGET_RATIO),
        (f"peak memory <= {TARGET_PEAK_MB:,} MB: {peak_mb:,.0f} MB", peak_mb <= TARGET_PEAK_MB),
    ):
        print(f"target {target} -> {'met' if met else 'NOT MET'} (load {load_after[0]:.2f})")
    sample_orders = len({order for order, _ in answers})
    print(f"equality on the sample: {sample_orders:,} orders, {checked:,} lines checked, {len(mismatches)} mismatches")
    for line in mismatches:
        print("  " + line)
    if mismatches or checked != len(answers):
        raise SystemExit("order-file and single-order results differ")


if __name__ == "__main__":
    main()

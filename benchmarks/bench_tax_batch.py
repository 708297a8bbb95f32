"""Benchmark: vectorised CBEC import tax batch vs a loop of the single-order calculator.

Generates 1,000,000 seeded orders (dates 2016-04-08 … 2025-12-31 in date order, 200,000
buyers, mixed rates, some over the limits), then times on one core:

- the batch compute step, best and median of three runs: ``BatchEngine.compute`` over
  262,144-row chunks, i.e. everything from parsed numeric columns (day numbers, floats,
  integer buyer ids) to result columns (path codes, money in integer fen, rate in
  millionths, error codes): parameter look-up by date, the checks that raise row errors,
  limits, annual totals per buyer (sort, running sums, ledger across chunks), the float
  taxes and the exact re-do of rows the float path may not decide. Not in it, timed and
  printed apart: parsing text into numbers, mapping buyer id strings to integers (string
  hashing), building Arrow output. Wall time is the headline; CPU time of the process is
  printed beside it, since a shared machine stretches wall time,
- the single-order calculator in a loop over a random sample, extrapolated to all rows,

checks that both give identical outputs on the sample, and prints orders/s and the ratio.
Targets: at least 50x faster and at least 2 million orders/s.

    python benchmarks/bench_tax_batch.py [--rows N] [--sample N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from decimal import Decimal

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from cbec_policy.rules.batch import PATHS, BatchEngine, OrderColumns, parse_orders
from cbec_policy.rules.retail_import import retail_import_tax


def generate(rows: int, seed: int = 20261127) -> pd.DataFrame:
    """Seeded synthetic orders, sorted by date."""
    rng = np.random.default_rng(seed)
    start, end = np.datetime64("2016-04-08"), np.datetime64("2025-12-31")
    days = np.sort(start + rng.integers(0, int((end - start).astype(np.int64)) + 1, rows))
    price = np.round(rng.lognormal(5.5, 1.2, rows), 2).clip(0.01, 60000)
    return pd.DataFrame(
        {
            "order_id": np.char.add("o", np.arange(rows).astype(str)),
            "date": days,
            "price": price,
            "freight": np.round(rng.uniform(0, 40, rows), 2),
            "insurance": np.round(rng.uniform(0, 5, rows), 2),
            "items": rng.integers(1, 4, rows),
            "vat_rate": np.where(rng.random(rows) < 0.1, 0.09, np.nan),
            "ct_rate": rng.choice([0.0, 0.0, 0.0, 0.1, 0.15], rows),
            "tariff_rate": rng.choice([0.0, 0.05, 0.1, 0.15, 0.2], rows),
            "buyer_id": np.char.add("b", rng.integers(0, 200_000, rows).astype(str)),
        }
    )


def run(rows: int, sample: int, chunk: int, repeats: int) -> None:
    frame = generate(rows)
    began = time.perf_counter()
    chunks: list[OrderColumns] = [parse_orders(frame.iloc[i : i + chunk]) for i in range(0, rows, chunk)]
    parse_seconds = time.perf_counter() - began
    BatchEngine().compute(chunks[0])  # warm up caches (parameter files, citations)
    # Best of several runs: the machine may be shared, and the minimum is the least disturbed.
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeats):
        engine = BatchEngine()
        began = time.perf_counter()
        for part in chunks:
            engine.resolve_buyers(part)  # buyer id strings -> integer ids (string hashing)
        resolve_seconds = time.perf_counter() - began
        began, began_cpu = time.perf_counter(), time.process_time()
        results = [engine.compute(part) for part in chunks]
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - began_cpu)
    batch_seconds, median_seconds = min(walls), statistics.median(walls)
    began = time.perf_counter()
    for result in results:
        result.to_arrow()
    arrow_seconds = time.perf_counter() - began

    path = np.concatenate([r.path for r in results])
    cents = {k: np.concatenate([r.cents[k] for r in results]) for k in ("total_tax", "vat", "annual_before")}
    rate = np.concatenate([r.rate_millionths for r in results])
    exact_rows = sum(r.exact_rows for r in results)

    rng = np.random.default_rng(7)
    picks = np.sort(rng.choice(rows, size=min(sample, rows), replace=False))
    began = time.perf_counter()
    singles = []
    for i in picks:
        row = frame.iloc[i]
        singles.append(
            retail_import_tax(
                row["date"].date(),
                repr(float(row["price"])),
                freight=repr(float(row["freight"])),
                insurance=repr(float(row["insurance"])),
                items=int(row["items"]),
                vat_rate=None if np.isnan(row["vat_rate"]) else repr(float(row["vat_rate"])),
                ct_rate=repr(float(row["ct_rate"])),
                tariff_rate=repr(float(row["tariff_rate"])),
                annual_before=Decimal(int(cents["annual_before"][i])) / 100,
            )
        )
    loop_seconds = time.perf_counter() - began
    mismatches = 0
    for i, single in zip(picks, singles, strict=True):
        got = (PATHS[path[i]], int(cents["total_tax"][i]), int(cents["vat"][i]), int(rate[i]))
        want = (single.path, int(single.total_tax * 100), int(single.vat * 100), int(single.effective_rate * 10**6))
        mismatches += got != want

    batch_rate = rows / batch_seconds
    loop_rate = len(picks) / loop_seconds
    print(
        f"orders: {rows:,} (chunks of {chunk:,}); paths: "
        + ", ".join(f"{name} {int((path == code).sum()):,}" for code, name in enumerate(PATHS))
        + f"; errors {int((path < 0).sum()):,}"
    )
    print(
        f"batch compute : {batch_seconds:8.3f} s  {batch_rate:14,.0f} orders/s  (best of {repeats}; median "
        f"{median_seconds:.3f} s = {rows / median_seconds:,.0f} orders/s; CPU best {min(cpus):.3f} s = "
        f"{rows / min(cpus):,.0f} orders/s; exact re-done rows: {exact_rows:,})"
    )
    print(
        f"  not in compute: parse text {parse_seconds:.3f} s, buyer ids {resolve_seconds:.3f} s, "
        f"to Arrow {arrow_seconds:.3f} s"
    )
    print(
        f"single loop   : {loop_seconds:8.3f} s for {len(picks):,} rows  {loop_rate:10,.0f} orders/s "
        f"(extrapolated {rows / loop_rate:,.1f} s for all)"
    )
    print(
        f"ratio batch/single: {batch_rate / loop_rate:,.0f}x   identical on sample: {mismatches == 0} "
        f"({mismatches} mismatches)"
    )
    print(
        f"targets: >= 50x {'met' if batch_rate / loop_rate >= 50 else 'NOT met'}; "
        f">= 2,000,000 orders/s {'met' if batch_rate >= 2e6 else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--chunk", type=int, default=262_144)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    run(args.rows, args.sample, args.chunk, args.repeats)


if __name__ == "__main__":
    main()

"""The order file on a local 2-worker Dask cluster equals the single process on every line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from distributed import Client

from cbec_policy.cli import cli as cli_main
from cbec_policy.errors import InputError
from cbec_policy.rules.order_file import run_order_file
from cbec_policy.rules.order_file.distributed import connect, run_order_file_dask

COLUMNS = ("order_id", "declaration_date", "buyer_id", "price", "quantity", "freight", "vat_rate", "ct_rate",
           "tariff_rate", "category")  # fmt: skip
# Buyer H in 2025 (annual limit 26,000, single 5,000; 财关税〔2018〕49号): six orders of 4,000, then
# 4,000 more would pass the year's limit (general trade, not counted), then 2,000 fits exactly,
# then the new year starts at zero.
HAND = [("H1", "2025-02-01", "4000"), ("H2", "2025-03-01", "4000"), ("H3", "2025-04-01", "4000"),
        ("H4", "2025-05-01", "4000"), ("H5", "2025-06-01", "4000"), ("H6", "2025-07-01", "4000"),
        ("H7", "2025-08-01", "4000"), ("H8", "2025-09-01", "2000"), ("H9", "2026-01-02", "4000")]  # fmt: skip


def _order(rows: list[dict], order_id: str, day: str, buyer: str | None, prices: list[str], **cells: str) -> None:
    for price in prices:
        rows.append({"order_id": order_id, "declaration_date": day, "buyer_id": buyer, "price": price,
                     "tariff_rate": "0.1", **cells})  # fmt: skip


def lines(seed: int = 17) -> list[dict]:
    """About 3,000 order lines of 60 buyers, 2018-11 … 2020-03 in date order, values near the limits.

    Orders are worth 500–4,900 yuan, so a buyer's year passes the annual limit (20,000 in 2018,
    26,000 from 2019) after a handful of orders, and later smaller orders fit again. Mixed in:
    orders without a buyer, blank and padded buyer ids, an order naming two buyers, a buyer's order
    dated before the previous one, orders whose lines are not consecutive (one buyer, two buyers),
    a missing order id, a goods category (the single-order path), a 1,100-line order spanning
    several partitions, and buyer H (hand-checked above) spread over the file.
    """
    rng = np.random.default_rng(seed)
    days = np.sort(np.datetime64("2018-11-01") + rng.integers(0, 515, 1_150)).astype(str)
    rows: list[dict] = []
    hand = iter(HAND)
    for number, day in enumerate(days.tolist()):
        buyer = f"b{int(rng.integers(0, 60))}"
        count = int(rng.integers(1, 5))
        value = int(rng.integers(500, 4_900))
        prices = [f"{value / count:.2f}"] * count
        cells = {"quantity": "1", "freight": f"{rng.integers(0, 20)}", "ct_rate": str(rng.choice(["", "0.15"])),
                 "vat_rate": str(rng.choice(["", "", "0.09"]))}  # fmt: skip
        if number % 97 == 5:
            buyer = rng.choice([None, "   ", f" {buyer} "])  # no buyer, blank, padded
        _order(rows, f"o{number}", day, buyer, prices, **cells)
        if number % 130 == 7:
            order_id, hand_day, price = next(hand, (None, None, None))
            if order_id:
                _order(rows, order_id, hand_day, "H", [price], vat_rate="0.13")
    _order(rows, "MIX", "2019-06-01", "b1", ["100", "200"])
    rows[-1]["buyer_id"] = "b2"  # the order names two buyers: refused
    _order(rows, "LATE", "2018-11-02", "b3", ["300"])  # before b3's previous order
    _order(rows, "CAT", "2019-07-01", "b4", ["800", "900"], category="high_end_cosmetics", ct_rate="0.15")
    _order(rows, "", "2019-07-01", "b5", ["10"])
    rows[1000:1000] = [{"order_id": "S1", "declaration_date": "2019-03-01", "buyer_id": "b6", "price": "50"}]
    rows[1500:1500] = [{"order_id": "S1", "declaration_date": "2019-03-01", "buyer_id": "b6", "price": "60"}]
    rows[1200:1200] = [{"order_id": "S2", "declaration_date": "2019-03-01", "buyer_id": "b7", "price": "70"}]
    rows[2500:2500] = [{"order_id": "S2", "declaration_date": "2019-03-01", "buyer_id": "b8", "price": "80"}]
    big = [{"order_id": "BIG", "declaration_date": "2020-03-30", "buyer_id": "b9", "price": "1.5"}] * 1_100
    return rows + big


def _table(rows: list[dict]) -> pa.Table:
    return pa.table({name: pa.array([row.get(name) for row in rows], pa.string()) for name in COLUMNS})


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A local cluster of two worker processes on loopback, shared by the tests here."""
    with connect(workers=2) as connected:
        yield connected


@pytest.fixture(scope="module")
def order_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, int]:
    """The lines as Parquet in many row groups (Dask partitions), in one (one single-process chunk), as CSV.

    The single process refuses split orders only when it reads their runs in one chunk, so it
    reads the file of one row group; the content is the same.
    """
    folder = tmp_path_factory.mktemp("dask_orders")
    table = _table(lines())
    parquet, whole, csv = folder / "lines.parquet", folder / "whole.parquet", folder / "lines.csv"
    pq.write_table(table, parquet, row_group_size=512)  # nine partitions; orders cross their edges
    pq.write_table(table, whole)
    pa_csv.write_csv(table, csv)
    return parquet, whole, csv, table.num_rows


def _buyers_back_within(rows: list[dict]) -> int:
    """Buyers with an order over the year's limit followed, the same year, by one within it."""
    seen: dict[tuple[str, int], list[str]] = {}
    for row in rows:
        if row["line"] == 1 and row["buyer_id"] and row["path"]:
            seen.setdefault((row["buyer_id"], row["declaration_date"].year), []).append(row["path"])
    return sum(
        1 for paths in seen.values()
        if "general_trade" in paths and "cbec_within_limits" in paths[paths.index("general_trade"):]
    )  # fmt: skip


@pytest.fixture(scope="module")
def dask_run(client: Client, order_files: tuple, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """The Parquet file on the cluster in three partitions, chunks of about 400 lines: (summary, rows)."""
    out = tmp_path_factory.mktemp("dask_out") / "dask.parquet"
    summary = run_order_file_dask(order_files[0], out, client=client, partitions=3, chunk_rows=400)
    return summary, pq.read_table(out).to_pylist()


def test_dask_equals_single_process_on_every_line(dask_run: tuple, order_files: tuple, tmp_path: Path) -> None:
    _, whole, _, count = order_files
    single_out = tmp_path / "single.parquet"
    single = run_order_file(whole, single_out)
    summary, got = dask_run
    expected = pq.read_table(single_out).to_pylist()
    assert len(got) == len(expected) == count > 3_000
    assert [i for i, (a, b) in enumerate(zip(expected, got, strict=True)) if a != b] == []
    assert summary.to_dict() == single.to_dict()
    assert _buyers_back_within(expected) >= 3  # the file does cross the annual limit both ways
    errors = {row["order_id"]: row["error"] for row in got if row["error"]}
    assert "buyer_id: differs" in errors["MIX"] and "before this buyer's previous order" in errors["LATE"]
    assert "not consecutive" in errors["S1"] and "not consecutive" in errors["S2"]


def test_hand_checked_buyer_year(dask_run: tuple) -> None:
    """Buyer H: the 7th order passes 26,000 (general trade: 400 tariff + 572 VAT), 2,000 then fits."""
    rows = {row["order_id"]: row for row in dask_run[1] if row["buyer_id"] == "H"}
    assert [rows[f"H{n}"]["annual_before"] for n in range(1, 7)] == [Decimal(4000 * n) for n in range(6)]
    assert rows["H7"]["path"] == "general_trade" and rows["H7"]["total_tax"] == Decimal("972.00")
    assert rows["H7"]["annual_after"] == Decimal("24000.00")  # not counted
    assert rows["H8"]["path"] == "cbec_within_limits" and rows["H8"]["annual_after"] == Decimal("26000.00")
    assert rows["H8"]["total_tax"] == Decimal("182.00")  # 2,000 x 70% x 13%
    assert rows["H9"]["annual_before"] == Decimal("0.00")  # a new calendar year


def test_csv_input_equals_single_process(client: Client, order_files: tuple, tmp_path: Path) -> None:
    _, _, csv, count = order_files
    single_out, dask_out = tmp_path / "single.parquet", tmp_path / "dask.parquet"
    run_order_file(csv, single_out)
    run_order_file_dask(csv, dask_out, client=client)
    expected, got = pq.read_table(single_out).to_pylist(), pq.read_table(dask_out).to_pylist()
    assert len(got) == count and got == expected


def test_unreachable_scheduler_is_a_clear_error_and_writes_nothing(order_files: tuple, tmp_path: Path) -> None:
    parquet, _, _, _ = order_files
    out = tmp_path / "out.parquet"
    with pytest.raises(InputError, match=r"--scheduler: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        run_order_file_dask(parquet, out, scheduler="tcp://127.0.0.1:9", connect_timeout=1)
    with pytest.raises(InputError, match="--scheduler: cannot reach the Dask scheduler at 'no such host'"):
        run_order_file_dask(parquet, out, scheduler="no such host", connect_timeout=1)
    assert list(tmp_path.iterdir()) == []


def test_cli_engine_dask_on_a_given_scheduler(client: Client, order_files: tuple, tmp_path: Path) -> None:
    parquet, _, _, count = order_files
    out = tmp_path / "results.parquet"
    runner = CliRunner()
    args = ["tax", "batch", str(parquet), "--out", str(out), "--format", "json", "--engine", "dask"]
    # A separate process, as a user's command is: a second client inside the test process would
    # share distributed's process-wide default-client state with the fixture's client.
    result = subprocess.run(
        [sys.executable, "-m", "cbec_policy", *args, "--scheduler", client.scheduler.address],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    answer = json.loads(result.stdout)
    # The file holds orders that must be rejected: exit 1 says so, every line is still written.
    assert answer["rejected_orders"] > 0 and result.returncode == 1, result.stdout + result.stderr
    assert answer["lines"] == count == pq.read_table(out).num_rows
    again = runner.invoke(cli_main, args)  # a result dataset is never overwritten from the command line
    assert again.exit_code == 2 and "is a directory" in again.output and pq.read_table(out).num_rows == count
    other = tmp_path / "other.parquet"
    refused = runner.invoke(cli_main, ["tax", "batch", str(parquet), "--out", str(other), "--scheduler", "x:1"])
    assert refused.exit_code == 2 and "only used with --engine dask" in refused.output
    csv_out = runner.invoke(cli_main, [*args[:3], "--out", str(tmp_path / "r.csv"), "--engine", "dask"])
    assert csv_out.exit_code == 2 and "the Dask engine writes a Parquet dataset" in csv_out.output


@pytest.mark.parametrize("rows", [0, 1])
def test_empty_and_one_line_files(client: Client, tmp_path: Path, rows: int) -> None:
    source = tmp_path / "lines.parquet"
    pq.write_table(_table([{"order_id": "A", "declaration_date": "2025-06-01", "price": "500"}][:rows]), source)
    summary = run_order_file_dask(source, tmp_path / "out.parquet", client=client)
    got = pq.read_table(tmp_path / "out.parquet")
    assert got.num_rows == summary.lines == rows
    if rows:
        assert got.column("total_tax").to_pylist() == [Decimal("45.50")]  # 500 x 70% x 13%


def test_missing_column_names_the_column(client: Client, tmp_path: Path) -> None:
    source = tmp_path / "lines.parquet"
    pq.write_table(pa.table({"order_id": ["A"], "declaration_date": ["2025-06-01"]}), source)
    with pytest.raises(InputError, match="missing columns: price"):
        run_order_file_dask(source, tmp_path / "out.parquet", client=client)
    assert not (tmp_path / "out.parquet").exists() and not (tmp_path / "out.parquet.partial").exists()

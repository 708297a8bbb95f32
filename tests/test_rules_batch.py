"""The vectorised batch engine equals the single-order calculator, streams files and keeps bad rows apart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cbec_policy.errors import CbecError, InputError
from cbec_policy.rules.batch import PATHS, BatchEngine, ChunkResult, parse_orders, run_batch
from cbec_policy.rules.retail_import import retail_import_tax


def _random_orders(rows: int, buyers: int, seed: int) -> pd.DataFrame:
    """Orders in date order across every regime boundary, some over the limits, a few bad rows."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2016-03-20")
    days = np.sort(start + rng.integers(0, 365 * 4, rows))  # 2016-03-20 … 2020: covers 2016-04-08 and 2019-01-01
    price = np.round(rng.lognormal(6.5, 1.3, rows), 2).clip(0.01, 40000)
    frame = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(rows)],
            "date": days.astype(str),
            "price": price.astype(str),
            "freight": np.round(rng.uniform(0, 60, rows), 2).astype(str),
            "insurance": "",
            "items": rng.integers(1, 4, rows).astype(str),
            "vat_rate": np.where(rng.random(rows) < 0.2, "0.09", ""),
            "ct_rate": rng.choice(["", "0.1", "0.15", "0.3"], rows),
            "tariff_rate": rng.choice(["0", "0.05", "0.1", "0.15", ""], rows, p=[0.2, 0.2, 0.3, 0.2, 0.1]),
            "buyer_id": [f"b{i}" for i in rng.integers(0, buyers, rows)],
        }
    )
    frame.loc[5, "price"] = "abc"
    frame.loc[7, "date"] = "2019-02-30"
    return frame


def _reference(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """The single-order calculator row by row, carrying each buyer's year total itself."""
    totals: dict[tuple[str, int], Decimal] = {}
    expected: list[tuple[object, ...]] = []
    for row in frame.itertuples(index=False):
        try:
            day = date.fromisoformat(row.date)
            key = (row.buyer_id, day.year)
            result = retail_import_tax(
                day,
                row.price,
                freight=row.freight,
                insurance=row.insurance or 0,
                items=int(row.items),
                vat_rate=row.vat_rate or None,
                ct_rate=row.ct_rate or None,
                tariff_rate=row.tariff_rate or None,
                annual_before=totals.get(key, Decimal(0)),
            )
        except (CbecError, ValueError):
            expected.append(("error",))
            continue
        totals[key] = result.annual_after
        expected.append(
            (
                result.path,
                *(int(getattr(result, name) * 100) for name in ("tariff", "consumption_tax", "vat", "total_tax")),
                int(result.annual_before * 100),
                int(result.annual_after * 100),
                int(result.effective_rate * 1_000_000),
            )
        )
    return expected


def _batch_rows(results: list[ChunkResult]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for result in results:
        for i in range(len(result.path)):
            if result.path[i] < 0:
                rows.append(("error",))
                continue
            rows.append(
                (
                    PATHS[result.path[i]],
                    *(int(result.cents[name][i]) for name in ("tariff", "consumption_tax", "vat", "total_tax")),
                    int(result.cents["annual_before"][i]),
                    int(result.cents["annual_after"][i]),
                    int(result.rate_millionths[i]),
                )
            )
    return rows


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, list[tuple[object, ...]]]:
    frame = _random_orders(3000, buyers=50, seed=11)
    return frame, _reference(frame)


@pytest.mark.parametrize("chunk", [3000, 333])
def test_batch_equals_single_orders_on_random_sample(
    chunk: int, sample: tuple[pd.DataFrame, list[tuple[object, ...]]]
) -> None:
    """Every path, year and limit crossing: the batch gives the single calculator's results to the fen."""
    frame, expected = sample
    engine = BatchEngine()
    results = [engine.compute(parse_orders(frame.iloc[i : i + chunk])) for i in range(0, len(frame), chunk)]
    got = _batch_rows(results)
    paths = {row[0] for row in expected}
    assert {"cbec_within_limits", "cbec_full_tax", "general_trade", "error"} <= paths  # the sample covers all paths
    assert sum(1 for row in expected if row[0] == "general_trade" and row[5] > 0) > 0  # annual totals in play
    mismatches = [i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
    assert mismatches == [], f"rows {mismatches[:5]}: batch {got[mismatches[0]]} vs single {expected[mismatches[0]]}"


def test_half_fen_ties_round_up_exactly() -> None:
    """10.05 x 10% = 1.005 exactly: half up gives 1.01 (float64 alone would say 1.00)."""
    frame = pd.DataFrame(
        {
            "order_id": ["a"],
            "date": ["2025-06-01"],
            "price": ["10.05"],
            "items": ["2"],
            "vat_rate": ["0"],
            "tariff_rate": ["0.1"],
            "buyer_id": ["x"],
        }
    )
    engine = BatchEngine()
    first = engine.compute(
        parse_orders(
            pd.DataFrame(
                {"order_id": ["p"], "date": ["2025-01-01"], "price": ["26000"], "tariff_rate": ["0"], "buyer_id": ["x"]}
            )
        )
    )
    assert PATHS[first.path[0]] == "cbec_full_tax"  # one item over 5000, exactly the 26000 annual limit
    result = engine.compute(parse_orders(frame))
    assert PATHS[result.path[0]] == "general_trade"  # the buyer's 26000 is used up
    assert result.cents["tariff"][0] == 101
    assert result.exact_rows == 1


def test_bad_rows_get_messages_and_the_rest_go_on(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,date,price,items,tariff_rate,buyer_id\n"
        "1,2025-06-01,1000,1,,b\n"
        "2,2025-02-30,10,1,,b\n"
        "3,2016-04-07,10,1,,\n"
        "4,2025-06-02,12.345,1,,b\n"
        "5,2025-06-03,6000,1,,b\n"
        "6,2025-05-01,100,1,,b\n"
        "7,2025-06-04,x,1,,c\n",
        encoding="utf-8",
    )
    out = tmp_path / "results.csv"
    summary = run_batch(orders, out)
    results = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert results["order_id"].tolist() == ["1", "2", "3", "4", "5", "6", "7"]
    errors = dict(zip(results["order_id"], results["error"], strict=True))
    assert errors["1"] == ""
    assert "not a valid YYYY-MM-DD" in errors["2"]
    assert "before 2016-04-08" in errors["3"]
    assert "more than two decimal places" in errors["4"]
    assert "tariff_rate: needed" in errors["5"]
    assert "previous order" in errors["6"]  # out of date order for buyer b
    assert "price: not a number" in errors["7"]
    first = results.iloc[0]
    assert (first["path"], first["total_tax"], first["annual_after"]) == ("cbec_within_limits", "91.00", "1000.00")
    assert summary.rows == 7 and summary.errors == 6 and summary.paths["cbec_within_limits"] == 1


def test_parquet_round_trip_and_no_partial_file_on_failure(tmp_path: Path) -> None:
    frame = _random_orders(500, buyers=10, seed=3)
    source = tmp_path / "orders.parquet"
    frame.to_parquet(source, index=False)
    out = tmp_path / "results.parquet"
    summary = run_batch(source, out, chunk_rows=128)
    table = pq.read_table(out)
    assert table.num_rows == 500 and summary.rows == 500
    expected = _reference(frame)
    totals = [row[4] for row in expected if row[0] != "error"]
    got = [int(v * 100) for v, p in zip(table["total_tax"].to_pylist(), table["path"].to_pylist(), strict=True) if p]
    assert got == totals
    with pytest.raises(InputError, match="missing columns: price"):
        bad = tmp_path / "bad.csv"
        bad.write_text("order_id,date\n1,2025-01-01\n", encoding="utf-8")
        run_batch(bad, tmp_path / "never.csv")
    assert not (tmp_path / "never.csv").exists()
    assert not list(tmp_path.glob("*.partial*"))

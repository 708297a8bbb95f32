"""Rows outside the float fast path's proven bound still equal the single-order calculator.

The order-file engine trusts float64 only for consumption-tax rates up to 0.75 and taxes below
2**27 fen; high rates, very large orders, ties and rates with more than six decimals are
recomputed exactly. Each case here sits on one of those edges.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cbec_policy.rules.order_file import OrderFileEngine, parse_lines
from cbec_policy.rules.order_file.engine import RunningLedger
from cbec_policy.rules.regime import PATHS
from cbec_policy.rules.retail_import import retail_import_tax

# (price, items, ct_rate, tariff_rate, vat_rate): general trade carries the full tariff and ratio 1.
EDGE_ORDERS = [
    ("1234.57", 1, "0.8", "0.1", ""),  # c above 0.75: gross-up 1/(1-c) = 5
    ("99.99", 1, "0.999999", "0", ""),  # c just below 1: gross-up a million
    ("4999.99", 1, "0.75", "0", ""),  # exactly at the gate
    ("20000000.01", 2, "0.15", "0.2", "0.13"),  # general trade, taxes above 2**27 fen
    ("5.00", 1, "0", "0", "0.13"),  # within the limits: 500 fen x 13 % x 70 % = 45.5 fen, a half fen
    ("777.77", 2, "0.0712345678", "0", "0.09"),  # a rate with more than six decimals
    ("5000", 1, "0.3", "0.05", ""),  # exactly the single limit
]


def _expected(day: date, price: str, items: int, ct: str, tariff: str, vat: str) -> tuple[object, ...]:
    single = retail_import_tax(day, price, items=items, ct_rate=ct, tariff_rate=tariff, vat_rate=vat or None)
    return (
        single.path,
        *(int(getattr(single, name) * 100) for name in ("tariff", "consumption_tax", "vat", "total_tax")),
    )


@pytest.mark.parametrize("day", [date(2018, 6, 1), date(2025, 6, 1)])
def test_edge_rows_equal_single_order_calculator(day: date) -> None:
    frame = pd.DataFrame(
        {
            "order_id": [str(i) for i in range(len(EDGE_ORDERS))],
            "date": day.isoformat(),
            "price": [row[0] for row in EDGE_ORDERS],
            "items": [str(row[1]) for row in EDGE_ORDERS],
            "ct_rate": [row[2] for row in EDGE_ORDERS],
            "tariff_rate": [row[3] for row in EDGE_ORDERS],
            "vat_rate": [row[4] for row in EDGE_ORDERS],
        }
    )
    result = OrderFileEngine().compute(parse_lines(frame))
    assert (result.error == 0).all()
    for i, (price, items, ct, tariff, vat) in enumerate(EDGE_ORDERS):
        got = (
            PATHS[result.path[i]],
            *(int(result.cents[name][i]) for name in ("tariff", "consumption_tax", "vat", "total_tax")),
        )
        assert got == _expected(day, price, items, ct, tariff, vat), f"order {price} ct {ct} tariff {tariff}"
    assert (
        result.exact_lines + result.single_orders >= 4
    )  # the two high consumption-tax rates, the large taxes, the half fen


def test_fast_path_keeps_clear_rows_and_rejects_unbounded_values() -> None:
    """An ordinary order is not re-done; a dutiable value of 2**50 fen or more is a row error."""
    frame = pd.DataFrame(
        {
            "order_id": ["ok", "huge"],
            "date": ["2025-06-01", "2025-06-01"],
            "price": ["100.00", f"{2**50 / 100:.2f}"],
            "tariff_rate": ["0.1", "0.1"],
        }
    )
    result = OrderFileEngine().compute(parse_lines(frame))
    assert result.exact_lines == 0
    # 100 yuan within the limits on 2025-06-01: VAT 13 % × 70 % = 9.10 yuan.
    assert (PATHS[result.path[0]], int(result.cents["vat"][0])) == ("cbec_within_limits", 910)
    assert result.path[1] == -1 and "too large" in str(result.error_texts()[1])


def test_sum_of_two_decimal_floats_is_not_taken_for_two_decimals() -> None:
    """0.1 + 0.2 is not 0.3 as a double: the order-file engine flags it instead of taxing a value it did not get."""
    frame = pd.DataFrame(
        {"order_id": ["a", "b"], "date": ["2025-06-01"] * 2, "price": [0.1 + 0.2, 0.3], "tariff_rate": [0.0, 0.0]}
    )
    result = OrderFileEngine().compute(parse_lines(frame))
    texts = result.error_texts()
    assert texts[0] is not None and "two decimal" in texts[0]
    assert texts[1] is None and int(np.asarray(result.cents["dutiable_value"])[1]) == 30


@pytest.mark.parametrize("known_count", [3, 200])  # few known names: the known are hashed; many: the chunk's names
def test_buyer_ids_stay_the_same_across_chunks_and_new_buyers_get_new_ones(known_count: int) -> None:
    ledger = RunningLedger()
    first = [f"b{n}" for n in range(known_count)]
    assert ledger.ids(pa.array(first)).tolist() == list(range(known_count))
    later = ["x1", first[-1], "x2", first[0]]
    assert ledger.ids(pa.array(later)).tolist() == [known_count, known_count - 1, known_count + 1, 0]
    assert ledger.ids(pa.array(["x2", "x3"])).tolist() == [known_count + 1, known_count + 2]
    assert ledger.known.to_pylist() == [*first, "x1", "x2", "x3"]

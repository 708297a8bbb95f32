"""The stored buyer ledger as an order-file run sees it: each buyer's year so far, and the orders to record.

``cbec tax batch --ledger`` applies :mod:`~cbec_policy.rules.ledger`'s rules to every order of
the file: the year so far is what the ledger holds for the buyer (orders of that calendar year,
less those returned by the order's date) plus the file's earlier orders; an order declared
before one already recorded for the buyer in that year is refused; an order already recorded
is answered with its recorded year so far and not counted again (a re-run is idempotent); a
rejected order is not recorded. The run holds one transaction: the ledger changes only when
the whole file has been computed.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection

from cbec_policy.rules.ledger import record_orders, stored_orders
from cbec_policy.rules.order_file import parsing
from cbec_policy.rules.order_file.engine import ChunkResult
from cbec_policy.rules.regime import PATHS

_EPOCH = date(1970, 1, 1)


def _day(value: date) -> int:
    return (value - _EPOCH).days


class StoredLedger:
    """Buyers' stored years, loaded once per buyer, and the orders this run records (see the module docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.loaded: set[str] = set()
        self.recorded: dict[tuple[str, str], tuple[int, int]] = {}  # (buyer, order) -> (day, year so far in fen)
        self.year_total: dict[tuple[str, int], int] = {}  # counted fen of the year's recorded orders
        self.latest: dict[tuple[str, int], int] = {}  # the year's latest declaration day
        self.returns: dict[tuple[str, int], tuple[list[int], list[int]]] = {}  # return days, cumulative fen
        self.this_run: set[tuple[str, str]] = set()
        self.written = 0
        self.already = 0

    def _load(self, buyers: list[str]) -> None:
        new = sorted(set(buyers) - self.loaded)
        self.loaded.update(new)
        returned: dict[tuple[str, int], list[tuple[int, int]]] = {}
        for row in stored_orders(self.conn, new):
            key = (row.buyer_id, int(row.year))
            day = _day(row.declaration_date)
            self.recorded[(row.buyer_id, row.order_id)] = (day, int(row.annual_before_fen))
            self.year_total[key] = self.year_total.get(key, 0) + int(row.counted_fen)
            self.latest[key] = max(self.latest.get(key, day), day)
            if row.returned_on is not None:
                returned.setdefault(key, []).append((_day(row.returned_on), int(row.counted_fen)))
        for key, items in returned.items():
            items.sort()
            days = [day for day, _ in items]
            self.returns[key] = (days, np.cumsum([fen for _, fen in items]).tolist())

    def state(
        self, lines: parsing.Lines, days: np.ndarray, years: np.ndarray, skip: np.ndarray, error: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per order: the stored year so far (fen), whether it is already recorded, and its recorded year so far.

        Orders the ledger refuses get their error on their first line (``error``); ``skip``:
        orders rejected already.
        """
        buyers, order_ids = order_keys(lines)
        n = len(order_ids)
        base = np.zeros(n, dtype=np.int64)
        recorded = np.zeros(n, dtype=bool)
        recorded_before = np.zeros(n, dtype=np.int64)
        self._load([buyer for buyer in buyers if buyer is not None])
        for order, (buyer, order_id) in enumerate(zip(buyers, order_ids, strict=True)):
            row = int(lines.starts[order])
            if skip[order]:
                continue
            if buyer is None:
                error[row] = parsing.E_BUYER_NEEDED
                continue
            day, key = int(days[order]), (buyer, int(years[order]))
            if (buyer, order_id) in self.this_run:
                error[row] = parsing.E_REPEATED
            elif (buyer, order_id) in self.recorded:
                recorded_day, before = self.recorded[(buyer, order_id)]
                if recorded_day != day:
                    error[row] = parsing.E_RECORDED_DAY
                recorded[order], recorded_before[order] = True, before
            elif self.latest.get(key, day) > day:
                error[row] = parsing.E_LATE_STORED
            else:
                back = 0
                if key in self.returns:
                    return_days, cumulative = self.returns[key]
                    done = bisect_right(return_days, day)  # returns done by the order's date give quota back
                    back = cumulative[done - 1] if done else 0
                base[order] = self.year_total.get(key, 0) - back
        return base, recorded, recorded_before

    def record(self, result: ChunkResult) -> None:
        """Record the chunk's accepted orders not yet in the ledger, in the run's transaction."""
        lines = result.lines
        if not lines.orders:
            return
        buyers, order_ids = order_keys(lines)
        starts = lines.starts
        accepted = result.path[starts] >= 0
        recorded = result.ledger_recorded if result.ledger_recorded is not None else np.zeros(lines.orders, bool)
        dutiable = np.add.reduceat(result.cents["dutiable_value"], starts)
        tax = np.add.reduceat(result.cents["total_tax"], starts)
        before, after = result.annual_before[starts], result.annual_after[starts]
        rows = []
        for order in np.flatnonzero(accepted & ~recorded).tolist():
            buyer, order_id = buyers[order], order_ids[order]
            if buyer is None:
                continue
            day = _EPOCH + timedelta(days=int(lines.day[starts[order]]))
            self.this_run.add((buyer, order_id))
            rows.append(
                {
                    "buyer_id": buyer, "order_id": order_id, "year": day.year, "declaration_date": day,
                    "release_date": day, "path": PATHS[int(result.path[starts[order]])],
                    "dutiable_fen": int(dutiable[order]), "counted_fen": int(after[order] - before[order]),
                    "tax_fen": int(tax[order]), "annual_before_fen": int(before[order]),
                }
            )  # fmt: skip
        self.already += int((accepted & recorded).sum())
        record_orders(self.conn, rows)
        self.written += len(rows)


def order_keys(lines: parsing.Lines) -> tuple[list[str | None], list[str]]:
    """Each order's buyer (None: none given) and order id, as the ledger keys them."""
    names = lines.buyer_names.to_pylist()
    buyers = [names[index] if index >= 0 else None for index in lines.buyer_index.tolist()]
    return buyers, lines.order_id.take(pa.array(lines.starts)).to_pylist()

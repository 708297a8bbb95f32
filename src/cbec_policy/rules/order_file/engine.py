"""The order-file kernel: the import rules over millions of order lines, equal to the single-order path.

Per chunk: lines are summed into orders (value in fen, items); the regime comes from
:func:`~cbec_policy.rules.regime.choose` — the same vectorised rule the single-order path
runs, on the parameters' own lookup; each buyer's calendar year accumulates in date order
(the running ledger carried between chunks, the logic of :mod:`~cbec_policy.rules.ledger`:
a general-trade order does not count, an order before the buyer's previous one is refused);
then every line is taxed.

Taxes in float64 fen, rounded; where the unrounded value lies within 1e-6 fen of a half fen,
the consumption-tax rate exceeds 0.75 or a value reaches 2**27 fen (outside the proven error
bound γ16·X < 4.8e-7), the line is recomputed exactly in integers. Orders naming a goods
category, a price-test input or a rate with more than six decimals go through the
single-order calculator itself, with the year so far from the ledger. A rejected order never
reaches the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cbec_policy.errors import CbecError
from cbec_policy.rules import regime as rg
from cbec_policy.rules.order_file import parsing
from cbec_policy.rules.order_tax import order_import_tax
from cbec_policy.rules.orders import make_order
from cbec_policy.rules.parameters import ParameterSet, load_parameters

if TYPE_CHECKING:  # the stored ledger builds on the chunk result defined here
    from cbec_policy.rules.order_file.stored import StoredLedger

MONEY = ("dutiable_value", "tariff", "consumption_tax", "vat", "total_tax")
_TIE_EPS = 1e-6
_FAST_LIMIT = 2.0**27
_FAST_MAX_CT = 0.75
_EPOCH = date(1970, 1, 1)
_DAY_ONE = int(np.datetime64("1900-01-01", "D").astype(np.int64))
_DAY_YEARS = (
    np.arange("1900-01-01", "2201-01-01", dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int16) + 1970
)


def years(day: np.ndarray) -> np.ndarray:
    """Calendar year of each day number (a table look-up inside 1900–2200)."""
    if len(day) == 0 or day.min() < _DAY_ONE or day.max() >= _DAY_ONE + len(_DAY_YEARS):
        return day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return np.take(_DAY_YEARS, day - _DAY_ONE).astype(np.int64)


@dataclass
class ChunkResult:
    """Line results of one chunk: money in integer fen; order values repeated on their lines."""

    lines: parsing.Lines
    path: np.ndarray  # int8 per line, -1 on error
    cents: dict[str, np.ndarray]  # per line
    annual_before: np.ndarray  # per line (the order's)
    annual_after: np.ndarray
    error: np.ndarray  # per line reason codes; -1: rejected with its order
    extra: dict[int, str] = field(default_factory=dict)
    vat_warning: np.ndarray | None = None  # per line: a typed VAT rate that is neither rate in force that day
    exact_lines: int = 0
    single_orders: int = 0
    ledger_recorded: np.ndarray | None = None  # per order, with a stored ledger: already recorded before this run

    def error_texts(self) -> list[str | None]:
        """The error text of each line (None where fine)."""
        return parsing.order_messages(self.lines, self.error, self.extra)


class RunningLedger:
    """Per buyer across chunks: the latest calendar year, its CBEC total (fen) and the last date."""

    def __init__(self) -> None:
        self.known = pa.array([], pa.string())
        self.year = np.zeros(0, dtype=np.int64)
        self.total = np.zeros(0, dtype=np.int64)
        self.last_day = np.zeros(0, dtype=np.int64)
        self._last: tuple[pa.Array, np.ndarray] | None = None

    def ids(self, names: pa.Array) -> np.ndarray:
        """Stable integer id of each distinct name, registering new ones.

        Chunks of one Parquet row group share its dictionary of buyers: the same names as the
        last chunk's give the same ids without hashing them again.
        """
        if self._last is not None and self._last[0].equals(names):
            return self._last[1]
        ids = self._register(names)
        self._last = (names, ids)
        return ids

    def _register(self, names: pa.Array) -> np.ndarray:
        if len(names) * 16 < len(self.known):  # a few names (the order a read ends in): hash those, not the known
            where = pc.index_in(self.known, value_set=names)
            hit = np.flatnonzero(where.is_valid().to_numpy(zero_copy_only=False))
            found = np.full(len(names), np.nan)
            found[where.filter(where.is_valid()).to_numpy(zero_copy_only=False)] = hit
        else:
            found = pc.index_in(names, value_set=self.known).to_numpy(zero_copy_only=False)
        new = np.isnan(found)
        ids = np.where(new, 0, found).astype(np.int64)
        if new.any():
            start = len(self.known)
            ids[new] = np.arange(start, start + int(new.sum()))
            self.known = pa.concat_arrays([self.known, names.filter(pa.array(new))])
            grow = len(self.known) - len(self.year)
            self.year = np.r_[self.year, np.full(grow, -1, dtype=np.int64)]
            self.total = np.r_[self.total, np.zeros(grow, dtype=np.int64)]
            self.last_day = np.r_[self.last_day, np.full(grow, parsing.NO_DAY, dtype=np.int64)]
        return ids

    def accumulate(
        self, ids: np.ndarray, day: np.ndarray, value: np.ndarray, countable: np.ndarray, limit: np.ndarray,
        base: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Each order's year so far (fen) and a mask of orders out of date order (refused, not counted).

        Orders are put in buyer order by one stable sort; running totals are one cumulative
        sum; only where a buyer crosses the annual limit (an over-limit order does not count,
        so a later smaller one may still fit) is the rest of that buyer's year walked.
        ``base`` (per order, fen): what a stored ledger already holds for the buyer's year by
        that date; it is added to the file's own running totals, which alone are carried on.
        """
        before = np.zeros(len(ids), dtype=np.int64)
        late = np.zeros(len(ids), dtype=bool)
        rows = np.flatnonzero(ids >= 0)
        if len(rows) == 0:
            return before, late
        rows = rows[_stable_order(ids[rows])]
        who, when = ids[rows], day[rows]
        first = np.r_[True, who[1:] != who[:-1]]
        shift = who * 10_000_000
        running_max = np.maximum.accumulate(shift + when) - shift
        previous = np.r_[parsing.NO_DAY, running_max[:-1]]
        previous[first] = self.last_day[who[first]]
        is_late = when < previous
        if is_late.any():  # rare: most files keep each buyer's orders in date order
            late[rows[is_late]] = True
            rows, who, when = rows[~is_late], who[~is_late], when[~is_late]
        if len(rows) == 0:
            return before, late
        year = years(when)
        new_group = np.r_[True, (who[1:] != who[:-1]) | (year[1:] != year[:-1])]
        group = np.cumsum(new_group) - 1
        group_starts = np.flatnonzero(new_group)
        count_ok, val, lim = countable[rows], value[rows], limit[rows]
        held = base[rows] if base is not None else np.zeros(len(rows), dtype=np.int64)
        contrib = np.where(count_ok, val, 0)
        running = np.cumsum(contrib)
        offset = (running - contrib)[group_starts]
        start_ids = who[group_starts]
        carry = np.where(self.year[start_ids] == year[group_starts], self.total[start_ids], 0)
        run_before = running - contrib - offset[group] + carry[group]
        over = count_ok & (run_before + held + val > lim)
        if over.any():
            group_ends = np.r_[group_starts[1:], len(rows)]
            for g in np.unique(group[over]).tolist():
                begin, end = int(group_starts[g]), int(group_ends[g])
                j0 = begin + int(np.flatnonzero(over[begin:end])[0])
                total = int(run_before[j0])
                for j in range(j0, end):
                    run_before[j] = total
                    if count_ok[j] and total + held[j] + val[j] <= lim[j]:
                        total += int(val[j])
        before[rows] = run_before + held
        last = np.flatnonzero(np.r_[who[1:] != who[:-1], True])
        counted_last = count_ok[last] & (run_before[last] + held[last] + val[last] <= lim[last])
        self.total[who[last]] = run_before[last] + np.where(counted_last, val[last], 0)
        self.year[who[last]] = year[last]
        self.last_day[who[last]] = when[last]
        return before, late


def order_sums(run_of_line: np.ndarray, values: np.ndarray, orders: int) -> np.ndarray:
    """Per order, the sum of its lines' ``values`` (float64 fen or int64 counts), added in line order.

    A weighted count adds each line to its order in file order, as a running sum would, in
    float64: exact for fen (each below 2**50, an order's sum checked against the limits) and for
    counts below 2**31 a line; larger integer counts are summed as integers.
    """
    if values.dtype.kind == "f" or len(values) == 0 or values.max() < 2**31:
        sums = np.bincount(run_of_line, weights=values, minlength=orders)
        return sums if values.dtype.kind == "f" else sums.astype(values.dtype)
    return np.add.reduceat(values, np.flatnonzero(np.r_[True, run_of_line[1:] != run_of_line[:-1]]))


def any_line(run_of_line: np.ndarray, mask: np.ndarray, orders: int) -> np.ndarray:
    """Per order, whether any of its lines is in ``mask`` (few are: errors, goods categories)."""
    found = np.zeros(orders, dtype=bool)
    found[run_of_line[np.flatnonzero(mask)]] = True
    return found


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """Indices sorting non-negative integer ``keys`` stably: radix sorts on 16-bit digits (numpy's
    stable sort of 16-bit integers is a counting sort, about fifteen times faster than of int64)."""
    if len(keys) == 0 or keys.max() >= 2**32:
        return np.argsort(keys, kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    if keys.max() >= 2**16:
        order = order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]
    return order


def _cell(name: str, value: object) -> object:
    """A raw cell as the single-order path reads it (typed Parquet floats: their shortest text)."""
    if name == "quantity" and isinstance(value, float) and value.is_integer():
        return int(value)
    return repr(value) if isinstance(value, float) else value


def _rint_checked(values: np.ndarray, suspect: np.ndarray) -> np.ndarray:
    """rint as int64; values near a half or beyond the proven bound join ``suspect``."""
    rounded = np.rint(values)
    distance = values - rounded
    np.abs(distance, out=distance)
    suspect |= distance >= 0.5 - _TIE_EPS  # NaN compares False: such lines carry an error already
    if len(values) and np.nanmax(values, initial=0.0) >= _FAST_LIMIT:
        suspect |= values >= _FAST_LIMIT
    return rounded.astype(np.int64)


class OrderFileEngine:
    """Computes chunks of order lines; keeps the running buyer ledger between chunks of one file."""

    def __init__(self, params: ParameterSet | None = None, stored: StoredLedger | None = None) -> None:
        self.params = params or load_parameters()
        self.ledger = RunningLedger()
        self.stored = stored  # the buyer ledger in the store (``tax batch --ledger``), or None

    def compute(self, lines: parsing.Lines) -> ChunkResult:
        """Tax every line of the chunk; a bad line rejects its order, the rest go on."""
        params, n_orders = self.params, lines.orders
        error = lines.error.copy()
        starts = lines.starts
        run_of_line = lines.run_of_line
        day = lines.day[starts] if n_orders else np.zeros(0, dtype=np.int64)
        days = np.where(day == parsing.NO_DAY, 0, day).astype("datetime64[D]")
        value = order_sums(run_of_line, lines.value_f, n_orders).astype(np.int64)
        items = order_sums(run_of_line, lines.quantity, n_orders)
        lim = rg.limits(params, days)
        bad_order = any_line(run_of_line, error > 0, n_orders)
        first_line = starts
        no_regime = ~lim["covered"] & ~bad_order
        error[first_line[no_regime]] = parsing.E_REGIME
        bad_order |= no_regime
        single_ok = rg.single_ok(lim, value, items)
        over = value > lim["single"]
        # Over the single limit the order is taxed in full: every line needs its tariff rate.
        needs = over[run_of_line] & np.isnan(lines.tariff_rate) & ~bad_order[run_of_line]
        flag_rows = np.flatnonzero(needs)
        error[flag_rows] = parsing.E_TARIFF_NEEDED
        bad_order[run_of_line[flag_rows]] = True
        slow_order = any_line(run_of_line, lines.slow, n_orders)
        extra: dict[int, str] = {}
        slow_orders = self._check_slow(lines, np.flatnonzero(slow_order & ~bad_order), error, extra, bad_order)

        buyer_ids = np.full(n_orders, -1, dtype=np.int64)
        if len(lines.buyer_names):
            known = self.ledger.ids(lines.buyer_names)
            has = lines.buyer_index >= 0
            buyer_ids[has] = known[lines.buyer_index[has]]
        buyer_ids[bad_order] = -1  # a rejected order never reaches the ledger
        base = recorded = None
        if self.stored is not None:
            base, recorded, recorded_before = self.stored.state(
                lines, day, years(np.where(day == parsing.NO_DAY, 0, day)), bad_order, error
            )
            bad_order |= error[first_line] > 0
            buyer_ids[bad_order | recorded] = -1  # recorded orders are in the stored year already
        before, late = self.ledger.accumulate(buyer_ids, day, value, single_ok, lim["annual"], base)
        if recorded is not None:
            before[recorded] = recorded_before[recorded]  # a re-run answers as the first run did
        error[first_line[late]] = parsing.E_LATE
        bad_order |= late
        chosen = rg.choose(params, days, value, items, before)
        general_no_tariff = (chosen.path[run_of_line] != 0) & np.isnan(lines.tariff_rate)
        general_no_tariff &= ~bad_order[run_of_line]
        rows = np.flatnonzero(general_no_tariff)
        error[rows] = parsing.E_TARIFF_NEEDED
        bad_order[run_of_line[rows]] = True  # general trade: it was not counted, so the ledger is unchanged

        # Line taxes (fast path); rates per line.
        within = chosen.path[run_of_line] == 0
        vat_std, _ = params["import_vat_standard"].values_array(days)
        vat_low, _ = params["import_vat_low"].values_array(days)
        vat = np.where(np.isnan(lines.vat_rate), vat_std[run_of_line], lines.vat_rate)
        typed = ~np.isnan(lines.vat_rate)  # checked against the date, as the single path warns
        vat_warning = typed & (lines.vat_rate != vat_std[run_of_line]) & (lines.vat_rate != vat_low[run_of_line])
        ct = np.fmax(lines.ct_rate, 0.0)
        t = np.where(within, chosen.within_tariff[run_of_line], np.fmax(lines.tariff_rate, 0.0))
        k = chosen.ratio[run_of_line]
        value_f = lines.value_f
        suspect = ct > _FAST_MAX_CT
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            q = k / (1.0 - ct)
            tariff_x = value_f * t
            gross = (value_f + tariff_x) * q
            tariff_c = _rint_checked(tariff_x, suspect)
            ct_c = _rint_checked(gross * ct, suspect)
            vat_c = _rint_checked(gross * vat, suspect)
        cents = {
            "dutiable_value": value_f.astype(np.int64),
            "tariff": tariff_c,
            "consumption_tax": ct_c,
            "vat": vat_c,
        }
        bad_line = bad_order[run_of_line]
        suspect &= ~bad_line & ~lines.slow
        exact = np.flatnonzero(suspect)
        redo_orders = self._redo_exactly(exact, cents, t, ct, vat, k)
        cents["total_tax"] = cents["tariff"] + cents["consumption_tax"] + cents["vat"]
        after = before + np.where(chosen.counts, value, 0)
        path = chosen.path[run_of_line].astype(np.int8)
        result = ChunkResult(
            lines, path, cents, before[run_of_line], after[run_of_line], error, extra, vat_warning & ~lines.slow,
            len(exact), ledger_recorded=recorded,
        )  # fmt: skip
        single = np.union1d(slow_orders, run_of_line[redo_orders]).astype(np.int64)
        single = single[~bad_order[single]]
        self._single_path(lines, single, before, result)
        rejected_lines = bad_order[run_of_line] & (result.error == 0)
        result.error[rejected_lines] = -1
        result.path[bad_order[run_of_line]] = -1
        return result

    def _order(self, lines: parsing.Lines, order: int) -> Any:
        """The order at index ``order`` as the single-order path's Order, from the raw cells."""
        begin, end = int(lines.starts[order]), int(lines.starts[order] + lines.counts[order])
        table = lines.raw.slice(begin, end - begin).to_pylist()
        keep = set(parsing.NUMBER_COLUMNS) | set(parsing.TEXT_COLUMNS)
        records = [
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items() if k in keep - {"line"}}
            for row in table
        ]
        records = [{k: _cell(k, v) for k, v in row.items() if v is not None and v != ""} for row in records]
        day = _EPOCH + timedelta(days=int(lines.day[begin]))
        return make_order(lines.order_id[begin].as_py(), day, records)

    def _check_slow(
        self, lines: parsing.Lines, orders: np.ndarray, error: np.ndarray, extra: dict[int, str], bad_order: np.ndarray
    ) -> np.ndarray:
        """Validate orders for the single-order path before the ledger sees them; reject those that fail."""
        for order in orders.tolist():
            try:
                order_import_tax(self._order(lines, order), 0, self.params)
            except CbecError as exc:
                if "tariff_rate" in str(exc) and "needed" in str(exc):
                    continue  # depends on the year so far: decided after the ledger
                code = parsing.STATIC_CODES + len(extra)
                extra[code] = str(exc)
                error[lines.starts[order]] = code
                bad_order[order] = True
        return orders[~bad_order[orders]]

    def _redo_exactly(
        self, rows: np.ndarray, cents: dict[str, np.ndarray], t: np.ndarray, c: np.ndarray, v: np.ndarray,
        k: np.ndarray,
    ) -> np.ndarray:  # fmt: skip
        """Exact integer recomputation of lines the float path may not decide; returns lines it cannot do.

        tariff = P·t; CT = k·P(1+t)·c/(1−c); VAT = k·P(1+t)·v/(1−c), rates as millionths when a
        rate is the double nearest to m/1e6 (so its decimal, what the single path reads, is m/1e6).
        """
        if len(rows) == 0:
            return rows
        scale = 1_000_000
        whole = np.ones(len(rows), dtype=bool)
        scaled = []
        for values in (t[rows], c[rows], v[rows], k[rows]):
            rounded = np.rint(values * scale)
            whole &= rounded / scale == values
            scaled.append(rounded.astype(np.int64).astype(object))
        tt, cc, vv, kk = scaled
        value = cents["dutiable_value"][rows].astype(object)
        denominator = scale * scale * (scale - cc)
        grossed = kk * value * (scale + tt)

        def half_up(numerator: np.ndarray, denom: Any) -> np.ndarray:
            return ((2 * numerator + denom) // (2 * denom)).astype(np.int64)

        done = rows[whole]
        cents["tariff"][done] = half_up(value * tt, scale)[whole]
        cents["consumption_tax"][done] = half_up(grossed * cc, denominator)[whole]
        cents["vat"][done] = half_up(grossed * vv, denominator)[whole]
        return rows[~whole]

    def _single_path(self, lines: parsing.Lines, orders: np.ndarray, before: np.ndarray, result: ChunkResult) -> None:
        """Orders the kernel hands over: the single-order calculator with the ledger's year so far."""
        result.single_orders = len(orders)
        for order in orders.tolist():
            begin, count = int(lines.starts[order]), int(lines.counts[order])
            try:
                answer = order_import_tax(self._order(lines, order), Decimal(int(before[order])) / 100, self.params)
            except CbecError as exc:
                code = parsing.STATIC_CODES + len(result.extra)
                result.extra[code] = str(exc)
                result.error[begin] = code
                result.error[begin + 1 : begin + count] = -1
                result.path[begin : begin + count] = -1
                continue
            for offset, line in enumerate(answer.lines):
                for name in MONEY:
                    result.cents[name][begin + offset] = int(getattr(line, name) * 100)
            result.path[begin : begin + count] = rg.PATHS.index(answer.path)

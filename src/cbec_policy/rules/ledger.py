"""The buyer ledger: each buyer's CBEC retail imports per calendar year, stored, with returns.

The annual limit (个人年度交易限值, 20,000 then 26,000 yuan) is a sum over one buyer and one
calendar year. The ledger keeps one row per order in the store's ``buyer_ledger`` table
(SQLite by default, PostgreSQL by URL) and answers:

- :meth:`BuyerLedger.tax_order` — tax an order with the buyer's year so far and record it,
  in one transaction. Orders of a buyer go in date order: an order declared before one
  already recorded for the same buyer and year is refused (its regime would change the
  later ones). Recording the same order again changes nothing and returns the same answer
  (re-runs are idempotent). A rejected order writes nothing.
- :meth:`BuyerLedger.record_return` — a return of imported CBEC goods: applied for within
  30 days of release (财关税〔2016〕18号; 海关总署公告2020年第45号) and, from 2020-03-28, the
  goods back at the original supervised site, zone or B-type bonded centre within 45 days
  of release (2020年第45号). Then the tax is not collected and the quota comes back.
- :meth:`BuyerLedger.quota_left` — the buyer's quota left on a date.

The release date (放行日期) is what the return windows count from; without it the
declaration date stands in, and the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update

from cbec_policy.rules.citations import Citation, unique
from cbec_policy.rules.order_tax import OrderTax, order_import_tax
from cbec_policy.rules.orders import Order, OrderError
from cbec_policy.rules.parameters import ParameterSet, load_parameters
from cbec_policy.store import buyer_ledger

if TYPE_CHECKING:  # the ledger is handed an open store
    from cbec_policy.store import Store

_t = buyer_ledger


class LedgerConflict(OrderError):
    """An order that contradicts what the ledger holds: recorded on another day, or out of date order."""


class UnknownLedgerOrder(OrderError):
    """An order the ledger does not hold for that buyer (a return of it cannot be recorded)."""


def _fen(amount: Decimal) -> int:
    return int(amount * 100)


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Quota:
    """A buyer's year on a date: the limit, what is used, what is left, and the policies."""

    buyer_id: str
    day: date
    annual_limit: Decimal
    used: Decimal
    left: Decimal
    orders: int
    returned: int
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain record for JSON."""
        return {
            "buyer_id": self.buyer_id,
            "date": self.day.isoformat(),
            "annual_limit": self.annual_limit,
            "used": self.used,
            "left": self.left,
            "orders": self.orders,
            "returned_orders": self.returned,
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass(frozen=True)
class ReturnResult:
    """An accepted return: the tax no longer collected and the quota given back."""

    buyer_id: str
    order_id: str
    release_date: date
    applied_on: date
    back_on: date | None
    tax_reversed: Decimal
    quota_restored: Decimal
    citations: tuple[Citation, ...]
    explanation_zh: str
    caveats: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain record for JSON."""
        return {
            "buyer_id": self.buyer_id,
            "order_id": self.order_id,
            "release_date": self.release_date.isoformat(),
            "applied_on": self.applied_on.isoformat(),
            "back_on": self.back_on.isoformat() if self.back_on else None,
            "tax_reversed": self.tax_reversed,
            "quota_restored": self.quota_restored,
            "citations": [c.to_dict() for c in self.citations],
            "explanation_zh": self.explanation_zh,
            "caveats": list(self.caveats),
        }


class BuyerLedger:
    """Per buyer and calendar year, in the store (see the module docstring)."""

    def __init__(self, store: Store, params: ParameterSet | None = None) -> None:
        self.store = store
        self.params = params or load_parameters()

    @staticmethod
    def _used(conn: Connection, buyer: str, day: date, exclude: str | None = None) -> int:
        """Fen counted for ``buyer`` in ``day``'s year on orders up to ``day``, less returns done by then."""
        returned = (_t.c.returned_on.is_not(None)) & (_t.c.returned_on <= day)
        query = select(func.coalesce(func.sum(_t.c.counted_fen), 0)).where(
            _t.c.buyer_id == buyer, _t.c.year == day.year, _t.c.declaration_date <= day, ~returned
        )
        if exclude is not None:
            query = query.where(_t.c.order_id != exclude)
        return int(conn.execute(query).scalar_one())

    def tax_order(self, order: Order, release_date: date | None = None) -> OrderTax:
        """Tax ``order`` against the buyer's year so far and record it (see the module docstring)."""
        if order.buyer_id is None:
            raise OrderError(order.order_id, None, "buyer_id", "needed to keep the buyer's annual total")
        day = order.declaration_date
        with self.store.transaction() as conn:
            row = conn.execute(
                select(_t).where(_t.c.buyer_id == order.buyer_id, _t.c.order_id == order.order_id)
            ).first()
            if row is not None:  # already recorded: the same answer again, nothing written
                if row.declaration_date != day:
                    raise LedgerConflict(
                        order.order_id, None, "declaration_date",
                        f"this order is already recorded for buyer {order.buyer_id} on {row.declaration_date}",
                    )  # fmt: skip
                return self._with_ledger(order_import_tax(order, _yuan(row.annual_before_fen), self.params))
            latest = conn.execute(
                select(func.max(_t.c.declaration_date)).where(_t.c.buyer_id == order.buyer_id, _t.c.year == day.year)
            ).scalar()
            if latest is not None and latest > day:
                raise LedgerConflict(
                    order.order_id, None, "declaration_date",
                    f"{day} is before buyer {order.buyer_id}'s order of {latest} already recorded; "
                    "a buyer's orders are recorded in date order",
                )  # fmt: skip
            before = _yuan(self._used(conn, order.buyer_id, day))
            result = order_import_tax(order, before, self.params)  # raises before anything is written
            conn.execute(
                insert(_t).values(
                    buyer_id=order.buyer_id,
                    order_id=order.order_id,
                    year=day.year,
                    declaration_date=day,
                    release_date=release_date or day,
                    path=result.path,
                    dutiable_fen=_fen(result.dutiable_value),
                    counted_fen=_fen(result.dutiable_value) if result.counts else 0,
                    tax_fen=_fen(result.total_tax),
                    annual_before_fen=_fen(result.annual_before),
                )
            )
        return self._with_ledger(result)

    def _with_ledger(self, result: OrderTax) -> OrderTax:
        ledger = self.params["annual_limit_cny"].at(result.declaration_date).citation
        return OrderTax(**{**result.__dict__, "citations": tuple(unique([*result.citations, ledger]))})

    def quota_left(self, buyer: str, day: date) -> Quota:
        """The buyer's annual quota left on ``day`` (orders declared up to that day, returns done by then)."""
        annual_p = self.params["annual_limit_cny"].at(day)
        annual = Decimal(str(annual_p.value))
        with self.store.transaction(write=False) as conn:
            used = _yuan(self._used(conn, buyer, day))
            counts = conn.execute(
                select(func.count(), func.count(_t.c.returned_on)).where(
                    _t.c.buyer_id == buyer, _t.c.year == day.year, _t.c.declaration_date <= day
                )
            ).one()
        return Quota(
            buyer_id=buyer,
            day=day,
            annual_limit=annual,
            used=used,
            left=max(annual - used, Decimal(0)).quantize(Decimal("0.01")),
            orders=int(counts[0]),
            returned=int(counts[1]),
            citations=(annual_p.citation,),
        )

    def record_return(self, buyer: str, order_id: str, applied_on: date, back_on: date | None = None) -> ReturnResult:
        """Accept a return within the windows, reversing the order's tax and quota; refuse it otherwise."""
        with self.store.transaction() as conn:
            row = conn.execute(select(_t).where(_t.c.buyer_id == buyer, _t.c.order_id == order_id)).first()
            if row is None:
                raise UnknownLedgerOrder(order_id, None, "order_id", f"no order {order_id} recorded for buyer {buyer}")
            if row.returned_on is not None:
                raise OrderError(order_id, None, "return", f"already returned on {row.returned_on}")
            if row.path == "general_trade":
                raise OrderError(
                    order_id, None, "return", "the order was general trade; CBEC return rules do not apply to it"
                )
            release = row.release_date
            apply_p = self.params["return_apply_within_days"].at(release)
            periods = [apply_p]
            if applied_on < release:
                raise OrderError(order_id, None, "applied_on", f"{applied_on} is before the release on {release}")
            apply_by = release + timedelta(days=int(apply_p.value))
            if applied_on > apply_by:
                raise OrderError(
                    order_id, None, "applied_on",
                    f"退货申请{applied_on}晚于放行后{apply_p.value}日（{apply_by}），不能退税（{apply_p.citation.label()}）",
                )  # fmt: skip
            caveats = []
            back_param = self.params["return_back_within_days"]
            if back_param.periods[0].start is not None and release >= back_param.periods[0].start:
                back_p = back_param.at(release)
                periods.append(back_p)
                back_by = release + timedelta(days=int(back_p.value))
                if back_on is None:
                    raise OrderError(
                        order_id, None, "back_on", f"需填写货物运抵原监管场所的日期（放行后{back_p.value}日内）"
                    )
                if back_on > back_by or back_on < release:
                    raise OrderError(
                        order_id, None, "back_on",
                        f"货物{back_on}运抵，超过放行后{back_p.value}日（{back_by}），不能退税（{back_p.citation.label()}）",
                    )  # fmt: skip
            if row.release_date == row.declaration_date:
                caveats.append("未记录放行日期，退货时限按申报日期起算")
            done = back_on or applied_on
            conn.execute(
                update(_t)
                .where(_t.c.buyer_id == buyer, _t.c.order_id == order_id)
                .values(return_applied_on=applied_on, returned_on=done)
            )
        text = (
            f"订单{order_id}于{release}放行，{applied_on}申请退货"
            + (f"、{back_on}运抵原监管场所" if back_on else "")
            + f"，在规定时限内：不再征收税款{_yuan(row.tax_fen)}元，"
            + f"恢复{buyer}的年度额度{_yuan(row.counted_fen)}元。"
        )
        return ReturnResult(
            buyer_id=buyer,
            order_id=order_id,
            release_date=release,
            applied_on=applied_on,
            back_on=back_on,
            tax_reversed=_yuan(row.tax_fen),
            quota_restored=_yuan(row.counted_fen),
            citations=tuple(unique([p.citation for p in periods])),
            explanation_zh=text,
            caveats=tuple(caveats),
        )


# Bulk access for the order file (``cbec tax batch --ledger``): the same table and the same
# rules as :meth:`BuyerLedger.tax_order`, read and written a chunk of orders at a time.
_IN_CLAUSE = 500  # buyer ids per query: well inside SQLite's and PostgreSQL's parameter limits


def stored_orders(conn: Connection, buyers: list[str]) -> list[Any]:
    """Every recorded order of ``buyers``: buyer, order, year, dates, counted and year-so-far fen, return date."""
    rows: list[Any] = []
    for begin in range(0, len(buyers), _IN_CLAUSE):
        part = buyers[begin : begin + _IN_CLAUSE]
        rows.extend(
            conn.execute(
                select(
                    _t.c.buyer_id, _t.c.order_id, _t.c.year, _t.c.declaration_date, _t.c.counted_fen,
                    _t.c.annual_before_fen, _t.c.returned_on,
                ).where(_t.c.buyer_id.in_(part))
            ).all()
        )  # fmt: skip
    return rows


def record_orders(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert taxed orders (keys as the ``buyer_ledger`` columns) in the caller's transaction."""
    if rows:
        conn.execute(insert(_t), rows)

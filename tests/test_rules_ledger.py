"""The buyer ledger on SQLite and PostgreSQL: the year in date order, returns, idempotent re-runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cbec_policy.rules.ledger import BuyerLedger
from cbec_policy.rules.orders import OrderError, make_order
from cbec_policy.store import open_store


def test_ledger_keeps_the_year_and_returns_restore_quota(store_url: str) -> None:
    with open_store(store_url) as store:
        ledger = BuyerLedger(store)
        first = ledger.tax_order(make_order("L1", "2025-03-01", [{"price": "20000", "tariff_rate": "0.1"}], "LB"))
        assert (first.path, first.annual_after) == ("cbec_full_tax", Decimal("20000.00"))
        second = ledger.tax_order(make_order("L2", "2025-03-05", [{"price": "4000"}], "LB"))
        assert second.annual_before == Decimal("20000.00") and second.total_tax == Decimal("364.00")
        again = ledger.tax_order(make_order("L2", "2025-03-05", [{"price": "4000"}], "LB"))
        assert again.annual_before == Decimal("20000.00")  # recorded once
        assert ledger.quota_left("LB", date(2025, 3, 6)).left == Decimal("2000.00")
        with pytest.raises(OrderError, match="in date order"):
            ledger.tax_order(make_order("L0", "2025-03-02", [{"price": "1"}], "LB"))
        with pytest.raises(OrderError, match="line 1, price: more than two decimal places"):
            ledger.tax_order(make_order("L9", "2025-03-09", [{"price": "1.001"}], "LB"))
        done = ledger.record_return("LB", "L2", date(2025, 4, 4), date(2025, 4, 19))  # the last days of both windows
        assert (done.tax_reversed, done.quota_restored) == (Decimal("364.00"), Decimal("4000.00"))
        assert ledger.quota_left("LB", date(2025, 4, 20)).left == Decimal("6000.00")
        assert ledger.quota_left("LB", date(2025, 4, 20)).orders == 2  # the refused orders left no trace

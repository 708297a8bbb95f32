"""``tax batch --ledger``: starts from each buyer's stored year, records once, agrees with ``tax_order``."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cbec_policy.cli import cli
from cbec_policy.errors import CbecError
from cbec_policy.rules.ledger import BuyerLedger
from cbec_policy.rules.order_file import run_order_file
from cbec_policy.rules.orders import make_order
from cbec_policy.store import open_store

HEADER = "order_id,declaration_date,buyer_id,price,tariff_rate"
# Buyer B already has a 20,000 order of 2025-03-01 in the ledger (annual limit 26,000 from 2019:
# 财关税〔2018〕49号). The file: two 4,000 orders (the second would pass 26,000: general trade, not
# counted), one declared before the recorded order (refused), one without a buyer (refused with
# --ledger), one with a price in tenths of a fen (refused), and a first order of buyer C.
LINES = [
    "F1,2025-03-05,B,4000,0.1",
    "F2,2025-03-06,B,4000,0.1",
    "F0,2025-02-01,B,100,",
    "F3,2025-03-07,,100,",
    "F4,2025-03-08,B,1.001,",
    "G1,2025-03-05,C,1000,",
]


ANSWER = ("path", "total_tax", "annual_before", "annual_after")


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _single_path(store_url: str, prefix: str) -> dict[str, tuple]:
    """The same orders through ``BuyerLedger.tax_order`` one by one, for buyers renamed ``prefix + buyer``."""
    answers: dict[str, tuple] = {}
    with open_store(store_url) as store:
        ledger = BuyerLedger(store)
        ledger.tax_order(make_order("R0", "2025-03-01", [{"price": "20000", "tariff_rate": "0.1"}], prefix + "B"))
        for text in LINES:
            order_id, day, buyer, price, tariff = text.split(",")
            cells = {"price": price, **({"tariff_rate": tariff} if tariff else {})}
            try:
                order = make_order(order_id, day, [cells], prefix + buyer if buyer else None)
                result = ledger.tax_order(order)
            except CbecError:
                answers[order_id] = ("rejected",)
                continue
            answers[order_id] = (result.path, result.total_tax, result.annual_before, result.annual_after)
    return answers


def _order_file_answers(out: Path) -> dict[str, tuple]:
    rows = pq.read_table(out).to_pylist()
    return {
        r["order_id"]: ("rejected",)
        if r["error"]
        else (r["path"], r["total_tax"], r["annual_before"], r["annual_after"])
        for r in rows
    }


def test_order_file_reads_and_records_the_stored_ledger_like_tax_order(store_url: str, tmp_path: Path) -> None:
    expected = _single_path(store_url, "S-")
    with open_store(store_url) as store:
        BuyerLedger(store).tax_order(make_order("R0", "2025-03-01", [{"price": "20000", "tariff_rate": "0.1"}], "B"))
        source = _write(tmp_path / "orders.csv", LINES)
        summary = run_order_file(source, tmp_path / "out.parquet", store=store)
        answers = _order_file_answers(tmp_path / "out.parquet")
        assert answers == expected
        accepted = [order for order, answer in expected.items() if answer != ("rejected",)]
        assert summary.ledger_recorded == len(accepted) and summary.ledger_already == 0
        quota = BuyerLedger(store).quota_left("B", date(2025, 3, 31))
        single = BuyerLedger(store).quota_left("S-B", date(2025, 3, 31))
        assert (quota.used, quota.left, quota.orders) == (single.used, single.left, single.orders)
        assert quota.used == Decimal("24000.00")  # 20,000 recorded before + F1; F2 was general trade
        # A re-run of the same file records nothing and answers as the first run did.
        again = run_order_file(source, tmp_path / "again.parquet", store=store)
        assert again.ledger_recorded == 0 and again.ledger_already == len(accepted)
        assert _order_file_answers(tmp_path / "again.parquet") == answers
        assert BuyerLedger(store).quota_left("B", date(2025, 3, 31)) == quota


def test_a_return_gives_the_quota_back_from_the_day_it_is_done(store_url: str, tmp_path: Path) -> None:
    with open_store(store_url) as store:
        run_order_file(_write(tmp_path / "one.csv", LINES[:1]), tmp_path / "one.parquet", store=store)
        # applied for within 30 days of release, back in the bonded area within 45 (海关总署公告2020年第45号)
        BuyerLedger(store).record_return("B", "F1", date(2025, 3, 20), date(2025, 4, 1))
        # the return is done when the goods are back (2025-04-01): an order before that still sees F1
        two = _write(tmp_path / "two.csv", ["H0,2025-03-25,B,1000,", "H1,2025-04-02,B,5000,"])
        run_order_file(two, tmp_path / "two.parquet", store=store)
        rows = pq.read_table(tmp_path / "two.parquet").to_pylist()
        assert [(r["annual_before"], r["annual_after"]) for r in rows] == [
            (Decimal("4000.00"), Decimal("5000.00")),
            (Decimal("1000.00"), Decimal("6000.00")),
        ]
        assert BuyerLedger(store).quota_left("B", date(2025, 4, 2)).used == Decimal("6000.00")


def test_a_failed_run_leaves_the_ledger_as_it_was(store_url: str, tmp_path: Path) -> None:
    """The ledger lands with the results file: a run stopped after its first chunk records nothing."""
    work = tmp_path / "work"
    work.mkdir()
    source = _write(work / "orders.csv", LINES)

    def stop(rows: int) -> None:
        raise KeyboardInterrupt  # the user stops the run

    with open_store(store_url) as store:
        with pytest.raises(KeyboardInterrupt):
            run_order_file(source, work / "results.parquet", store=store, on_chunk=stop)
        assert BuyerLedger(store).quota_left("B", date(2025, 12, 31)).orders == 0
    assert list(work.iterdir()) == [source]  # neither results nor a temporary file


def test_cli_order_file_ledger_then_quota(store_url: str, tmp_path: Path) -> None:
    source = _write(tmp_path / "orders.csv", [LINES[0], LINES[-1]])
    runner = CliRunner()
    run = runner.invoke(cli, ["tax", "batch", str(source), "--out", str(tmp_path / "r.csv"), "--ledger",
                              "--db", store_url, "--format", "json"])  # fmt: skip
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["ledger_recorded"] == 2
    quota = runner.invoke(cli, ["tax", "quota", "--buyer", "B", "--date", "2025-03-31", "--db", store_url,
                                "--format", "json"])  # fmt: skip
    assert json.loads(quota.output)["used"] == 4000

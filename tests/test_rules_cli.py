"""``cbec tax ...`` and ``cbec codes``: JSON contract, readable tables, clear errors (exit code 2)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cbec_policy.cli import cli

IMPORT_KEYS = ["order_id", "declaration_date", "buyer_id", "path", "items", "dutiable_value", "tariff",
               "consumption_tax", "vat", "total_tax", "effective_rate"]  # fmt: skip


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_tax_import_json_keys_and_values() -> None:
    code, out = _run(
        "tax", "import", "--date", "2025-06-01", "--price", "1000", "--ct-rate", "0.15", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert list(data)[: len(IMPORT_KEYS)] == IMPORT_KEYS
    assert (data["path"], data["total_tax"], data["effective_rate"]) == ("cbec_within_limits", 230.59, 0.230588)
    assert [c["policy_id"] for c in data["citations"]][:2] == ["2016-caiguanshui-18", "2018-caiguanshui-49"]
    assert any("取整方式未经核实" in caveat for caveat in data["caveats"])
    assert data["lines"][0]["total_tax"] == 230.59


def test_tax_import_lines_itemised_and_ledger(tmp_path: Path) -> None:
    """A two-line order over 5,000 is general trade; the ledger keeps the year; a return restores it."""
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    code, out = _run("tax", "import", "--date", "2025-06-01", "--order-id", "M1",
                     "--line", "description=香水,category=high_end_cosmetics,price=1000,tariff_rate=0.03",
                     "--line", "description=奶粉,price=4500,tariff_rate=0.15", "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["path"] == "general_trade" and data["total_tax"] == 1717.04
    assert [line["total_tax"] for line in data["lines"]] == [369.29, 1347.75]
    order = tmp_path / "order.json"
    order.write_text(json.dumps({"order_id": "O2", "declaration_date": "2025-03-05", "buyer_id": "B1",
                                 "lines": [{"price": "4000"}]}), encoding="utf-8")  # fmt: skip
    for _ in range(2):  # recording the same order twice changes nothing
        code, out = _run("tax", "import", "--order", str(order), "--db", db, "--format", "json")
        assert code == 0 and json.loads(out)["annual_after"] == 4000.00
    code, out = _run("tax", "quota", "--buyer", "B1", "--date", "2025-03-06", "--db", db, "--format", "json")
    assert json.loads(out)["left"] == 22000.00
    code, out = _run("tax", "import-return", "--buyer", "B1", "--order-id", "O2", "--applied-on", "2025-03-20",
                     "--back-on", "2025-04-15", "--db", db)  # fmt: skip
    assert code == 0 and "不再征收税款364.00元" in out
    code, out = _run("tax", "quota", "--buyer", "B1", "--date", "2025-04-16", "--db", db)
    assert "剩余 26000.00 元" in out


def test_params_and_rules_test_commands() -> None:
    code, out = _run("params", "--format", "json")
    data = json.loads(out)
    assert code == 0 and len(data["parameters"]) >= 30
    assert all(value["source"] for p in data["parameters"] for value in p["values"])
    code, out = _run("params", "single_limit_cny", "--on", "2018-12-31", "--format", "json")
    assert json.loads(out)["parameters"][0]["value_on"] == 2000
    code, out = _run("params", "no_such")
    assert code == 2 and "unknown name" in out
    code, out = _run("rules", "test", str(Path(__file__).parent / "rules_cases"))
    assert code == 0 and "个用例通过" in out


def test_tax_import_table_explains_in_chinese() -> None:
    code, out = _run("tax", "import", "--date", "2019-01-01", "--price", "6000", "--tariff-rate", "0.1")
    assert code == 0
    assert "跨境电商渠道" in out and "全额征收" in out and "1656.00" in out  # 600 + 6600 x 0.16
    assert "财关税〔2018〕49号" in out


def test_tax_import_errors_are_one_line_with_exit_code_2() -> None:
    code, out = _run("tax", "import", "--date", "2016-04-07", "--price", "100")
    assert code == 2 and "no CBEC retail import regime before 2016-04-08" in out
    code, out = _run("tax", "import", "--date", "2025-02-30", "--price", "100")
    assert code == 2 and "declaration_date" in out and "no such date" in out
    code, out = _run("tax", "import", "--date", "2025-06-01", "--price", "abc")
    assert code == 2 and "price: not a number" in out
    code, out = _run("tax", "import", "--date", "2025-06-01", "--price", "100.005")
    assert code == 2 and "order order, line 1, price: more than two decimal places" in out


def test_tax_postal_compares_with_cbec() -> None:
    code, out = _run("tax", "postal", "--date", "2025-06-01", "--value", "250", "--item", "2", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["assessed_tax"], data["payable"], data["exempt"]) == (50.00, 0.00, True)
    assert data["cbec_total_tax"] == 22.75  # 0.7 x 250 x 0.13 on the same goods


def test_tax_returns_and_codes() -> None:
    code, out = _run("tax", "returns", "--export-date", "2025-12-31", "--code", "9610", "--return-date", "2026-06-30",
                     "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["eligible"] is True and data["return_by"] == "2026-06-30"
    code, out = _run("codes", "9710", "--format", "json")
    assert code == 0 and json.loads(out)["created_by"]["doc_number"] == "海关总署公告2020年第75号"
    code, out = _run("codes")
    assert code == 0 and all(c in out for c in ("9610", "1210", "1239", "9710", "9810"))
    code, out = _run("codes", "9999")
    assert code == 2 and "unknown supervision code" in out


def test_tax_export_income_uses_the_store(sqlite_store_url: str) -> None:
    """Hangzhou (1st batch, 2015-03-07) is a pilot zone; E9's deemed CIT is 50,000."""
    code, out = _run("tax", "export-income", "--date", "2020-12-31", "--zone", "杭州", "--revenue", "25000000",
                     "--relief-band", "1000000:0.05", "--db", sqlite_store_url, "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert code == 0
    assert data["invoice_free_eligible"] is True and data["cit"] == 50000.00
    code, out = _run("tax", "export-income", "--date", "2019-06-01", "--zone", "石家庄", "--db", sqlite_store_url,
                     "--format", "json")  # fmt: skip
    assert json.loads(out)["invoice_free_eligible"] is False  # approved only on 2019-12-15


def test_tax_batch_command_taxes_an_order_file(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,declaration_date,price\n1,2025-06-01,500\n2,2016-01-01,500\n", encoding="utf-8")
    out = tmp_path / "results.parquet"
    code, text = _run("tax", "batch", str(orders), "--out", str(out), "--format", "json")
    summary = json.loads(text)
    assert code == 1 and out.exists()  # one order rejected (listed), the other written
    assert summary["lines"] == 2 and summary["rejected_orders"] == 1
    assert summary["total_tax"] == "45.50"  # E1: 500 x 9.1%

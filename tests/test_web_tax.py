"""Web and API over the order rules: lines, the buyer ledger, export income, parameters and their page.

Money comes back as decimal strings (the API's convention: no binary rounding of yuan).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from cbec_policy.store import open_store
from cbec_policy.web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("web-tax")
    store = open_store(f"sqlite:///{folder / 'web.sqlite3'}")
    store.init()
    yield TestClient(create_app(store=store, token="", data_dir=folder / "data"))
    store.close()


MIXED = [
    {"description": "香水", "category": "high_end_cosmetics", "price": "1000", "tariff_rate": "0.03"},
    {"description": "奶粉", "price": "4500", "tariff_rate": "0.15"},
]


def test_order_api_itemises_lines_and_refuses_three_decimals(client: TestClient) -> None:
    body = {"order_id": "M1", "declaration_date": "2025-06-01", "lines": MIXED}
    data = client.post("/api/tax/order", json=body).json()
    assert data["path"] == "general_trade" and data["total_tax"] == "1717.04"
    assert [line["total_tax"] for line in data["lines"]] == ["369.29", "1347.75"]
    bad = {"declaration_date": "2025-06-01", "lines": [{"price": "100.005"}]}
    response = client.post("/api/tax/order", json=bad)
    assert response.status_code == 422 and "decimal" in response.text and "price" in response.text


def test_ledger_api_records_returns_and_answers_quota(client: TestClient) -> None:
    order = {"order_id": "Q1", "buyer_id": "WB1", "declaration_date": "2025-03-05", "lines": [{"price": "4000"}]}
    for _ in range(2):  # idempotent
        assert client.post("/api/tax/order?record=true", json=order).json()["annual_after"] == "4000.00"
    quota = client.get("/api/tax/quota", params={"buyer_id": "WB1", "date": "2025-03-06"}).json()
    assert quota["left"] == "22000.00"
    late = {"buyer_id": "WB1", "order_id": "Q1", "applied_on": "2025-04-20", "back_on": "2025-04-21"}
    response = client.post("/api/tax/import-return", json=late)
    assert response.status_code >= 400 and "30" in response.text
    ok = {"buyer_id": "WB1", "order_id": "Q1", "applied_on": "2025-03-20", "back_on": "2025-04-15"}
    assert client.post("/api/tax/import-return", json=ok).json()["quota_restored"] == "4000.00"
    quota = client.get("/api/tax/quota", params={"buyer_id": "WB1", "date": "2025-04-16"}).json()
    assert quota["left"] == "26000.00"


def test_ledger_refusals_are_404_for_an_unknown_order_and_409_for_a_conflict(client: TestClient) -> None:
    order = {"order_id": "R1", "buyer_id": "WB2", "declaration_date": "2025-05-10", "lines": [{"price": "800"}]}
    assert client.post("/api/tax/order?record=true", json=order).status_code == 200
    moved = client.post("/api/tax/order?record=true", json={**order, "declaration_date": "2025-05-12"})
    assert moved.status_code == 409 and "already recorded" in moved.text
    earlier = {**order, "order_id": "R2", "declaration_date": "2025-05-01"}  # before R1: out of date order
    assert client.post("/api/tax/order?record=true", json=earlier).status_code == 409
    unknown = {"buyer_id": "WB2", "order_id": "R9", "applied_on": "2025-05-20", "back_on": "2025-05-21"}
    response = client.post("/api/tax/import-return", json=unknown)
    assert response.status_code == 404 and "no order R9" in response.text
    # an order the calculator refuses is still a 422, not a ledger refusal
    bad = {**order, "order_id": "R3", "declaration_date": "2025-06-01", "lines": [{"price": "100.005"}]}
    assert client.post("/api/tax/order?record=true", json=bad).status_code == 422


def test_export_income_api_never_shows_a_deemed_tax_to_a_non_qualifying_exporter(client: TestClient) -> None:
    body = {"date": "2021-06-01", "zone": "杭州", "revenue": "1000000", "has_purchase_invoices": True}
    data = client.post("/api/tax/export-income", json=body).json()
    assert data["invoice_free_eligible"] is False and data["cit"] is None
    body["has_purchase_invoices"] = False
    assert client.post("/api/tax/export-income", json=body).json()["cit"] == "10000.00"


def test_parameters_api_and_page(client: TestClient) -> None:
    data = client.get("/api/parameters").json()
    names = {p["name"] for p in data["parameters"]}
    assert {"single_limit_cny", "annual_limit_cny", "import_vat_standard", "small_low_profit_relief_scale"} <= names
    assert all(value["source"] for p in data["parameters"] for value in p["values"])
    one = client.get("/api/parameters/single_limit_cny", params={"on": "2019-01-01"}).json()["parameters"][0]
    assert one["value_on"] == 5000 and one["values"][0]["source"] == "2016-caiguanshui-18"
    assert client.get("/api/parameters/no_such").status_code >= 400
    page = client.get("/parameters").text
    assert page.count('class="param-chart"') >= 10
    assert all(f'id="param-{name}"' in page for name in names)
    assert "财关税〔2018〕49号" in page


def test_tax_page_order_lines_with_net_content(client: TestClient) -> None:
    params = {
        "calc": "import", "declaration_date": "2025-11-14", "lines": "2",
        "l1_description": "面霜", "l1_category": "cosmetics", "l1_price": "425", "l1_net_content": "20",
        "l2_description": "奶粉", "l2_price": "300",
    }  # fmt: skip
    page = client.get("/tax", params=params).text
    # 425 / 20 g = 21.25 per g -> 高档化妆品: 98.00; 300 x 0.091 = 27.30
    assert 'id="tax-total_tax">125.30<' in page and "属高档化妆品" in page
    more = client.get("/tax", params={**params, "add_line": "1"}).text
    assert 'name="l3_price"' in more and 'id="tax-result"' not in more

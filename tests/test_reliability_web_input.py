"""Hostile and odd web input, on SQLite and PostgreSQL: control characters in a policy id, form
fields no route declares, order files the engine cannot read, and a deletion seen in the stats.

* a NUL or other control character in ``/api/policies/{id}`` is 422 naming the path, never 500,
  and the same keep-alive connection still answers the next request (a real ``cbec serve``);
* an unknown form field is treated as ``/openapi.json`` says: ignored where the body schema
  admits further fields, 422 where it forbids them;
* no order-upload error shows a server path (the job folder, the data directory, the temp folder);
* deleting an ingested policy takes from ``/api/stats`` exactly what that policy added,
  computed from the policy's own fields.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cbec_policy.store import open_store
from cbec_policy.web.app import create_app
from serving import cbec_serve

TOKEN = "input-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BUNDLED_ID = "2016-caiguanshui-18"
# A national notice (issued by ministries, with a 发文字号) that the corpus does not hold.
NATIONAL_NOTICE = (
    "财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知\n财关税〔2031〕7号\n"
    "各省、自治区、直辖市、计划单列市财政厅（局）：\n为促进跨境电子商务零售进口健康发展，现将有关税收政策通知如下。\n"
    "一、跨境电子商务零售进口商品的单次交易限值和年度交易限值按本通知执行。\n二、本通知自2031年3月2日起执行。\n"
    "财政部 海关总署 税务总局\n2031年3月2日\n"
)
CONTROL = ("%00", "%01", "%08", "%09", "%0A", "%0D", "%1B", "%1F", "%7F")
ORDERS_CSV = b"order_id,declaration_date,price\nA1,2024-05-06,120.00\nA2,2024-05-06,80.50\n"


@pytest.fixture
def live(store_url: str, tmp_path: Path) -> Iterator[str]:
    """A real ``cbec serve`` (write token set) over a throw-away database; yields host:port."""
    with cbec_serve(store_url, TOKEN, tmp_path / "data", init=False) as base:
        yield base.removeprefix("http://")


@pytest.fixture
def client(store_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app in process, writable, over a throw-away database, its files under ``tmp_path``."""
    store = open_store(store_url)
    try:
        yield TestClient(create_app(store=store, token=TOKEN, data_dir=tmp_path / "data"))
    finally:
        store.close()


def _ask(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
    headers = {**AUTH, "Content-Type": "application/json"} if body is not None or method != "GET" else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, json.loads(data) if data else None


def test_control_characters_in_a_policy_id_are_422_and_the_connection_lives_on(live: str) -> None:
    conn = http.client.HTTPConnection(live, timeout=30)
    try:
        for char in CONTROL:
            for method, path, body in (
                ("GET", f"/api/policies/x{char}y", None),
                ("GET", f"/api/policies/{BUNDLED_ID}{char}", None),
                ("DELETE", f"/api/policies/{char}{BUNDLED_ID}", None),
                ("PATCH", f"/api/policies/x{char}/labels", b"{}"),
            ):
                status, answer = _ask(conn, method, path, body)
                assert status == 422, (method, path, status, answer)
                assert answer["field"] == "path" and "control characters" in answer["message"]
            # the same connection (no reconnect: http.client would raise on a closed one) answers next
            status, answer = _ask(conn, "GET", f"/api/policies/{BUNDLED_ID}")
            assert status == 200 and answer["id"] == BUNDLED_ID
        assert conn.sock is not None  # never closed and reopened
    finally:
        conn.close()


def _body_schema(client: TestClient, path: str) -> dict[str, Any]:
    """The request body schema of ``POST path`` in /openapi.json, its reference followed."""
    spec = client.get("/openapi.json").json()
    content = spec["paths"][path]["post"]["requestBody"]["content"]
    schema = next(iter(content.values()))["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_unknown_form_fields_are_handled_as_the_schema_says(client: TestClient) -> None:
    notice = ("notice.txt", NATIONAL_NOTICE.encode(), "text/plain")
    upload = _body_schema(client, "/api/ingest")
    assert upload.get("additionalProperties") is not False  # the schema admits further fields: ignored
    plain = client.post("/api/ingest", files={"files": notice}, headers=AUTH)
    extra = client.post("/api/ingest", files={"files": notice}, data={"comment": "x", "lang": "en"}, headers=AUTH)
    assert plain.status_code == extra.status_code == 200
    assert plain.json()["counts"]["new"] == 1 and extra.json()["counts"]["unchanged"] == 1  # the same document

    order_upload = _body_schema(client, "/api/tax/batch")
    assert order_upload.get("additionalProperties") is not False
    orders = {"file": ("orders.csv", ORDERS_CSV, "text/csv")}
    for path in ("/api/tax/batch", "/tax/batch"):  # the API and the calculator page's form
        without = client.post(path, files=orders)
        with_extra = client.post(path, files=orders, data={"format": "xlsx", "note": "ignored"})
        assert without.status_code == with_extra.status_code == 200, with_extra.text
        assert with_extra.content == without.content and without.headers["X-Batch-Rows"] == "2"

    order = {"date": "2024-05-06", "price": "120.00", "tariff_rate": "0.1"}
    for path, body in (
        ("/api/tax/import", order),
        ("/api/tax/postal", {"date": "2024-05-06", "value": "900", "item": 1}),
    ):
        assert _body_schema(client, path)["additionalProperties"] is False  # the schema forbids further fields
        assert client.post(path, json=body).status_code == 200
        refused = client.post(path, json={**body, "coupon": "x"})
        assert refused.status_code == 422 and "coupon" in refused.json()["message"]


def test_order_upload_errors_name_the_uploaded_file_never_a_server_path(client: TestClient, tmp_path: Path) -> None:
    server_places = [str(tmp_path), str(tmp_path.resolve()), tempfile.gettempdir(), "order-upload-"]
    files = {
        "columns.csv": b"order,day,amount\n1,2024-05-06,3\n",
        "broken.parquet": os.urandom(400),
        "truncated.parquet": b"PAR1" + os.urandom(64) + b"PAR1",
        "binary.csv": bytes(range(256)) * 4,
        "empty.csv": b"",
        "orders.xlsx": b"PK\x03\x04not really",
    }
    for name, data in files.items():
        for path in ("/api/tax/batch", "/tax/batch"):
            answer = client.post(path, files={"file": (name, data)})
            assert answer.status_code == 422, (name, path, answer.status_code)
            text = answer.json()["message"] if path.startswith("/api") else answer.text
            assert name in text, (name, text)
            assert not any(place in text for place in server_places), (name, text)
            if path.startswith("/api"):  # (the page around the message links to /static/…)
                assert not re.search(r"(?<![\w-])/(?:[\w.-]+/)+[\w.-]+", text), (name, text)  # no path at all


def test_delete_takes_from_the_stats_exactly_what_the_policy_added(client: TestClient) -> None:
    """Upload, read the policy's own fields, delete: each figure moves by that policy's share only."""
    before = client.get("/api/stats").json()
    today = date.fromisoformat(before["as_of"])
    uploaded = client.post("/api/ingest", files={"files": ("n.txt", NATIONAL_NOTICE.encode(), "text/plain")},
                           headers=AUTH).json()  # fmt: skip
    policy_id = uploaded["results"][0]["policy_id"]
    policy = client.get(f"/api/policies/{policy_id}").json()
    # A ministries' notice signed 2031-03-02, in force from that day: a national CBEC tax document,
    # not in force today.
    assert (policy["is_cbec"], policy["level"], policy["policy_type"]) == (True, "national", "tax"), policy
    published = date.fromisoformat(policy["publish_date"])
    assert published == date(2031, 3, 2) and date.fromisoformat(policy["effective_date"]) > today
    assert policy["in_force_today"] is False
    during = client.get("/api/stats").json()

    # Its share of every count, from those fields.
    expected = json.loads(json.dumps(before["counts"]))
    expected["policies"] += 1
    expected["policies_by_status"][policy["status"]] += 1
    expected["policies_in_force_today"]["false"] += 1
    assert during["counts"] == expected
    # type × year: one more in its year and type; every other year as before (or an empty year
    # now shown because the axis reaches 2031)
    years_before = {row["year"]: row for row in before["type_by_year"]}
    for row in during["type_by_year"]:
        old = years_before.get(row["year"], {key: 0 for key in row} | {"year": row["year"]})
        added = int(row["year"] == published.year)
        assert {key: row[key] - old[key] for key in row if key != "year"} == {
            key: added * int(key in ("total", policy["policy_type"])) for key in row if key != "year"
        }, row["year"]
    assert {e["id"] for e in during["timeline"]} == {e["id"] for e in before["timeline"]} | {policy_id}
    assert during["provinces"] == before["provinces"] and during["batches"] == before["batches"]  # zones: no change

    assert client.delete(f"/api/policies/{policy_id}", headers=AUTH).status_code == 200
    after = client.get("/api/stats").json()
    assert after == before  # all it added is gone, nothing else moved


def test_a_number_is_no_date_a_parameter_takes_one_value_and_a_broken_body_is_400(client: TestClient) -> None:
    """Refusals the negative contract cases rely on, each with a message naming what was wrong."""
    as_number = client.get("/api/stats", params={"on": "0"})  # pydantic alone reads 0 as 1970-01-01
    assert as_number.status_code == 422 and "on: " in as_number.json()["message"]
    assert client.get("/api/stats", params={"on": "2020-01-01"}).json()["as_of"] == "2020-01-01"
    twice = client.get("/api/stats?on=2020-01-01&on=2021-01-01")
    assert twice.status_code == 422 and twice.json() == {
        "message": "on: given more than once; every parameter takes a single value",
        "field": "on",
    }
    assert client.get("/policies?theme=tax&theme=customs").status_code == 200  # a page's form may repeat a name
    broken = client.post("/api/tax/import", content=b"\xff\xfe\x01", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["message"]
    spec = client.get("/openapi.json").json()
    assert "400" in spec["paths"]["/api/tax/import"]["post"]["responses"]
    assert "422" in spec["paths"]["/api/batches"]["get"]["responses"]  # any query string is checked

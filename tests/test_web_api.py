"""REST API and server-rendered pages, checked against the paper and the bundled reference data.

Runs the app in-process (FastAPI TestClient) over a SQLite store built from the bundled data.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette's note about httpx versions is not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import reference_counts
from cbec_policy.reference.loader import load_national_policies, load_pilot_zones
from cbec_policy.store import open_store
from cbec_policy.web import stats as web_stats
from cbec_policy.web.app import create_app

TOKEN = "test-token-7f3a"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    folder = tmp_path_factory.mktemp("web-db")
    opened = open_store(f"sqlite:///{folder / 'web.sqlite3'}")
    opened.init()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-data") / "data"


@pytest.fixture(scope="module")
def client(store: object, data_dir: Path) -> TestClient:
    """A read-only server (no token)."""
    return TestClient(create_app(store=store, token="", data_dir=data_dir))


@pytest.fixture(scope="module")
def writer(store: object, data_dir: Path) -> TestClient:
    """A writable server over the same store, with a small upload limit."""
    return TestClient(create_app(store=store, token=TOKEN, data_dir=data_dir, max_upload_bytes=64 * 1024))


# ----------------------------------------------------------------------------- dashboard / stats


def test_stats_reproduce_pilot_zone_counts_of_the_paper(client: TestClient) -> None:
    # The paper: 165 comprehensive pilot zones after the 7th batch (2022); batch 8 (2025) → 181 approved, 178 in force.
    stats = client.get("/api/stats", params={"on": "2022-12-31"}).json()
    assert stats["counts"]["zones_in_force"] == 165
    cumulative = [row["cumulative_approved"] for row in stats["batches"]]
    assert cumulative[:8] == [1, 13, 35, 59, 105, 132, 165, 181]
    assert cumulative == reference_counts.cumulative_approved()
    assert stats["batches"][7]["in_force"] == 178
    assert stats["counts"]["policies"] == len(load_national_policies())


def test_stats_type_by_year_matches_reference_corpus(client: TestClient) -> None:
    rows = client.get("/api/stats").json()["type_by_year"]
    tax_2016 = sum(1 for p in load_national_policies() if p.policy_type == "tax" and p.publish_date.year == 2016)
    assert next(r for r in rows if r["year"] == 2016)["tax"] == tax_2016
    assert sum(r["total"] for r in rows) == len(load_national_policies())


def test_dashboard_page_has_every_section(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for section in ("timeline", "type-year", "theme-year", "batches", "map", "trade"):
        assert f'id="{section}"' in page.text
    assert "综试区试点阶段" in page.text  # period band of the paper's own nodes (§2.2)
    assert page.text.count("<svg") >= 4
    # every script, stylesheet and image comes from this server (external links to sources are fine)
    assert not re.search(r'(src|<link[^>]*href)="(https?:)?//', page.text)


def test_a_corpus_beyond_the_timeline_limit_is_drawn_as_yearly_columns(
    store: object, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With more dated national policies than the timeline lists, the dashboard draws each
    # year's count by type (linking to that year's list) instead of one dot per policy.
    monkeypatch.setattr(web_stats, "TIMELINE_LIMIT", 5)
    fresh = TestClient(create_app(store=store, token="", data_dir=data_dir))
    dated = sorted((p for p in load_national_policies() if p.publish_date), key=lambda p: (p.publish_date, p.id))
    stats = fresh.get("/api/stats", params={"on": "2024-06-30"}).json()
    assert stats["timeline_total"] == len(dated)
    assert [item["id"] for item in stats["timeline"]] == [p.id for p in dated[-5:]]
    page = fresh.get("/", params={"on": "2024-06-30"}).text
    timeline = page[page.index('id="timeline"') : page.index('id="type-year"')]
    assert "<circle" not in timeline
    tax_2016 = sum(1 for p in dated if p.policy_type == "tax" and p.publish_date.year == 2016)
    assert f"2016 税收类: {tax_2016}</title>" in timeline
    assert "/policies?type=tax&amp;date_from=2016-01-01&amp;date_to=2016-12-31" in timeline


# ----------------------------------------------------------------------------- policies


def test_filter_by_type_returns_exactly_the_reference_tax_policies(client: TestClient) -> None:
    expected = {p.id for p in load_national_policies() if p.policy_type == "tax"}
    body = client.get("/api/policies", params={"type": "税收类", "per_page": 100}).json()
    assert {item["id"] for item in body["items"]} == expected
    assert body["total"] == len(expected)


def test_policy_by_doc_number_in_any_bracket_form_with_relations_both_ways(client: TestClient) -> None:
    body = client.get("/api/policies/财关税[2016]18号").json()
    assert body["id"] == "2016-caiguanshui-18"
    assert body["publish_date"] == "2016-03-24"
    relations = {(r["kind"], r["policy_id"]) for r in body["relations"]}
    assert ("amended_by", "2018-caiguanshui-49") in relations  # stored on this policy
    assert ("related", "2020-gacc-45") in relations  # stored on the other policy, seen from here


def test_policy_page_shows_metadata_and_history(client: TestClient) -> None:
    page = client.get("/policies/2016-caiguanshui-18").text
    assert "财关税〔2016〕18号" in page and "2016-04-08" in page
    assert "法规沿革" in page and "/policies/2018-caiguanshui-49" in page


def test_unknown_policy_is_404_on_api_and_page(client: TestClient) -> None:
    assert client.get("/api/policies/no-such-policy").status_code == 404
    assert client.get("/policies/no-such-policy").status_code == 404


def test_pagination_and_sort(client: TestClient) -> None:
    total = len(load_national_policies())
    first = client.get("/api/policies", params={"per_page": 7, "sort": "date_asc"}).json()
    assert first["pages"] == math.ceil(total / 7) and len(first["items"]) == 7
    dates = [item["publish_date"] for item in first["items"]]
    assert dates == sorted(dates)
    assert dates[0] == min(p.publish_date for p in load_national_policies()).isoformat()
    last = client.get("/api/policies", params={"per_page": 7, "page": first["pages"]}).json()
    assert len(last["items"]) == total - 7 * (first["pages"] - 1)


def test_search_finds_retail_import_policies_and_highlights_hits(client: TestClient) -> None:
    body = client.get("/api/policies", params={"q": "零售进口"}).json()
    ids = [item["id"] for item in body["items"]]
    assert "2016-caiguanshui-18" in ids and "2018-caiguanshui-49" in ids
    page = client.get("/policies", params={"q": "零售进口"}).text
    assert "<mark>零售进口</mark>" in page


@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE policies; --",
        '" OR 1=1 --',
        "零售') OR ('1'='1",
        "*",
        "NEAR(跨境 电商)",
        "\\",
        "_",
        "%%",
        "policy_fts MATCH '*'",
    ],
)
def test_hostile_search_queries_cannot_change_the_sql(client: TestClient, store: object, hostile: str) -> None:
    before = store.count_policies()
    api = client.get("/api/policies", params={"q": hostile})
    page = client.get("/policies", params={"q": hostile})
    assert api.status_code == 200 and page.status_code == 200
    assert api.json()["total"] < before  # a wildcard or tautology would have matched every policy
    assert store.count_policies() == before
    assert store.get_policy("2016-caiguanshui-18") is not None


# ----------------------------------------------------------------------------- zones


@pytest.mark.parametrize(
    ("city", "on", "expected", "zone"),
    [
        ("杭州", "2015-03-06", False, "杭州市"),  # the day before batch 1 (国函〔2015〕44号, 2015-03-07)
        ("杭州", "2015-03-07", True, "杭州市"),
        ("海口", "2025-04-24", True, "海口市"),
        # 国函〔2025〕40号 revoked the 海口 zone and set up 海南全岛, whose area contains 海口.
        ("海口", "2025-04-25", True, "海南全岛"),
    ],
)
def test_zone_lookup_on_a_date(client: TestClient, city: str, on: str, expected: bool, zone: str) -> None:
    body = client.get("/api/zones/lookup", params={"city": city, "on": on}).json()
    assert body["is_pilot_zone"] is expected
    assert body["zone"]["zone_name"] == zone


def test_zone_list_filters_match_reference_data(client: TestClient) -> None:
    zones = load_pilot_zones()
    batch2 = client.get("/api/zones", params={"batch": 2}).json()
    assert batch2["total"] == sum(1 for z in zones if z.batch == 2) == 12
    west = client.get("/api/zones", params={"region": "west"}).json()
    assert west["total"] == sum(1 for z in zones if z.region == "西部")
    zhejiang = client.get("/api/zones", params={"province": "浙江", "on": "2022-12-31"}).json()
    assert zhejiang["total"] == sum(1 for z in zones if z.province == "浙江省" and z.in_force_on(date(2022, 12, 31)))


def test_zone_page_answers_the_city_question(client: TestClient) -> None:
    page = client.get("/zones", params={"city": "杭州", "on": "2016-01-01"}).text
    assert 'class="answer yes"' in page and "国函〔2015〕44号" in page
    page = client.get("/zones", params={"city": "杭州", "on": "2015-01-01"}).text
    assert 'class="answer no"' in page and "2015-03-07" in page


# ----------------------------------------------------------------------------- tax


def test_import_tax_within_limits_with_citations(client: TestClient) -> None:
    # rule_parameters.yaml: VAT 13 %, no consumption tax → effective rate 0.7 × 0.13 = 9.1 %
    body = client.post("/api/tax/import", json={"date": "2020-01-01", "price": 1000}).json()
    assert body["path"] == "cbec_within_limits"
    assert body["total_tax"] == "91.00" and body["vat"] == "91.00"
    cited = {c["policy_id"]: c["url"] for c in body["citations"]}
    assert cited["2018-caiguanshui-49"] == "/policies/2018-caiguanshui-49"


def test_import_tax_over_single_limit_single_item_is_full_tax_from_2019(client: TestClient) -> None:
    # 财关税〔2018〕49号: one item above the 5000-yuan single limit, within the annual limit
    # → full tax in the CBEC channel
    body = client.post(
        "/api/tax/import", json={"date": "2019-06-01", "price": 6000, "items": 1, "tariff_rate": 0.1}
    ).json()
    assert body["path"] == "cbec_full_tax"
    assert body["tariff"] == "600.00"


def test_postal_and_returns_endpoints(client: TestClient) -> None:
    # 50 yuan or less of assessed postal tax is not collected
    postal = client.post("/api/tax/postal", json={"date": "2020-01-01", "value": 100, "rate": 0.13}).json()
    assert postal["assessed_tax"] == "13.00" and postal["exempt"] is True and postal["payable"] == "0.00"
    returns = client.post(
        "/api/tax/returns", json={"export_date": "2023-03-01", "code": "9610", "return_date": "2023-06-01"}
    ).json()
    assert returns["eligible"] is True and returns["return_by"] == "2023-09-01"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"date": "2020-01-01", "price": -5}, "price"),
        ({"date": "2020-02-30", "price": 100}, "date"),
        ({"date": "2020-01-01", "price": 100, "items": 0}, "items"),
        ({"date": "2020-01-01", "price": 100, "vat_rate": 1.5}, "vat_rate"),
        ({"date": "2020-01-01", "price": 100, "colour": "red"}, "colour"),
    ],
)
def test_invalid_tax_input_is_422_naming_the_field(client: TestClient, payload: dict, field: str) -> None:
    response = client.post("/api/tax/import", json=payload)
    assert response.status_code == 422
    assert response.json()["message"].startswith(field)


def test_date_before_the_regime_is_a_clear_422(client: TestClient) -> None:
    response = client.post("/api/tax/import", json={"date": "2016-04-07", "price": 100})
    assert response.status_code == 422
    assert "2016-04-07" in response.json()["message"]


def test_tax_page_shows_path_and_linked_citation(client: TestClient) -> None:
    page = client.get("/tax", params={"calc": "import", "date": "2020-01-01", "price": "1000"}).text
    assert "cbec_within_limits" in page and 'id="tax-total_tax">91.00<' in page
    assert 'href="/policies/2018-caiguanshui-49"' in page


def test_invalid_query_values_are_422_naming_the_parameter(client: TestClient) -> None:
    response = client.get("/api/policies", params={"type": "不存在的类型"})
    assert response.status_code == 422 and response.json()["field"] == "type"
    response = client.get("/api/policies", params={"per_page": 1000})
    assert response.status_code == 422 and "per_page" in response.json()["message"]
    page = client.get("/policies", params={"date_from": "2020-13-45"})
    assert page.status_code == 422 and "date_from" in page.text


# ----------------------------------------------------------------------------- language, docs, headers


def test_chinese_by_default_english_toggle_remembered(store: object, data_dir: Path) -> None:
    fresh = TestClient(create_app(store=store, token="", data_dir=data_dir))
    assert "概览" in fresh.get("/").text
    english = fresh.get("/", params={"lang": "en"})
    assert "Dashboard" in english.text and english.cookies.get("lang") == "en"
    assert "Pilot zones" in fresh.get("/zones").text  # the cookie keeps English


def test_docs_served_offline_and_openapi_lists_endpoints(client: TestClient) -> None:
    docs = client.get("/docs").text
    assert "/vendor/swagger/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs
    assert client.get("/vendor/swagger/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/policies",
        "/api/zones/lookup",
        "/api/stats",
        "/api/tax/import",
        "/api/tax/batch",
        "/api/ingest",
    ):
        assert path in paths


def test_security_headers_forbid_inline_script(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


# ----------------------------------------------------------------------------- writing


def _doc(text: str, name: str = "notice.txt") -> dict:
    return {"files": (name, io.BytesIO(text.encode("utf-8")), "text/plain")}


SAMPLE_NOTICE = (
    "宁波市商务局关于做好跨境电子商务出口海外仓备案工作的通知\n"
    "甬商务〔2023〕17号\n各区县（市）商务主管部门：\n"
    "为促进跨境电子商务出口海外仓发展，现就备案事项通知如下。\n"
    "宁波市商务局\n2023年5月8日\n"
)


def test_write_endpoints_are_forbidden_without_a_configured_token(client: TestClient) -> None:
    assert client.post("/api/ingest", files=_doc(SAMPLE_NOTICE)).status_code == 403
    response = client.patch("/api/policies/2016-caiguanshui-18/labels", json={"themes": ["tax"]})
    assert response.status_code == 403


def test_write_endpoints_need_the_right_token(writer: TestClient) -> None:
    assert writer.post("/api/ingest", files=_doc(SAMPLE_NOTICE)).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert writer.post("/api/ingest", files=_doc(SAMPLE_NOTICE), headers=wrong).status_code == 401


def test_upload_ingests_a_document_and_it_becomes_searchable(writer: TestClient, data_dir: Path) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = writer.post("/api/ingest", files=_doc(SAMPLE_NOTICE), headers=auth).json()
    result = body["results"][0]
    assert result["status"] in ("new", "updated"), result
    stored = writer.get(f"/api/policies/{result['policy_id']}").json()
    assert stored["doc_number"] == "甬商务〔2023〕17号"
    assert stored["publish_date"] == "2023-05-08"
    hits = writer.get("/api/policies", params={"q": "海外仓备案"}).json()
    assert result["policy_id"] in [item["id"] for item in hits["items"]]
    assert (data_dir / "uploads" / result["stored_as"]).is_file()
    # the record names the upload by its stored name, never by the server's folders
    assert stored["source"] == f"uploads/{result['stored_as']}"
    assert str(data_dir) not in writer.get(f"/policies/{result['policy_id']}").text


def test_upload_name_with_path_traversal_stays_in_the_upload_directory(writer: TestClient, data_dir: Path) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = writer.post("/api/ingest", files=_doc(SAMPLE_NOTICE, "../../etc/x.txt"), headers=auth).json()
    stored_as = body["results"][0]["stored_as"]
    assert "/" not in stored_as and ".." not in stored_as and stored_as.endswith("x.txt")
    assert (data_dir / "uploads" / stored_as).is_file()
    assert not (data_dir.parent / "etc").exists() and not (data_dir / "etc").exists()


def test_upload_over_the_size_limit_or_of_a_wrong_type_is_refused(writer: TestClient, data_dir: Path) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    big = writer.post("/api/ingest", files=_doc("跨" * 40_000, "big.txt"), headers=auth).json()  # 120 KB > 64 KB
    assert big["results"][0]["status"] == "failed" and "limit" in big["results"][0]["reason"]
    exe = writer.post("/api/ingest", files=_doc("MZ", "tool.exe"), headers=auth).json()
    assert exe["results"][0]["status"] == "failed" and ".exe" in exe["results"][0]["reason"]
    assert not any("big" in p.name or "tool" in p.name for p in (data_dir / "uploads").glob("*"))


def test_label_edit_with_token_is_stored_and_keeps_the_previous_labels(writer: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = writer.get("/api/policies/2014-gacc-12").json()
    response = writer.patch(
        "/api/policies/2014-gacc-12/labels", json={"themes": ["customs", "监管"], "note": "review"}, headers=auth
    )
    assert response.status_code == 200
    after = writer.get("/api/policies/2014-gacc-12").json()
    assert after["themes"] == ["customs", "supervision"]
    assert after["classification_evidence"]["manual_edit"]["previous_themes"] == before["themes"]
    bad = writer.patch("/api/policies/2014-gacc-12/labels", json={"policy_type": "nonsense"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["field"] == "policy_type"


# ----------------------------------------------------------------------------- order upload (/api/tax/batch)


ORDERS_CSV = (
    "order_id,date,price,freight,insurance,items,vat_rate,ct_rate,tariff_rate,buyer_id\n"
    "A1,2020-01-01,1000,0,0,1,,,,\n"  # within limits: 1000 × 13 % × 70 % = 91.00
    "A2,2016-01-01,1000,0,0,1,,,,\n"  # before the CBEC retail import regime (2016-04-08): a row error
    "A3,2019-06-01,6000,0,0,1,,,0.1,\n"  # one item over the 5000 single limit → full tax in the CBEC channel
)


def test_order_upload_returns_one_result_row_per_order(client: TestClient) -> None:
    import csv

    response = client.post("/api/tax/batch", files={"file": ("../../orders.csv", ORDERS_CSV.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    assert response.headers["x-batch-rows"] == "3" and response.headers["x-batch-errors"] == "1"
    rows = {row["order_id"]: row for row in csv.DictReader(io.StringIO(response.text))}
    single = client.post("/api/tax/import", json={"date": "2019-06-01", "price": 6000, "tariff_rate": 0.1}).json()
    assert rows["A1"]["path"] == "cbec_within_limits" and rows["A1"]["total_tax"] == "91.00"
    assert rows["A2"]["error"] and not rows["A1"]["error"]
    assert rows["A3"]["path"] == single["path"] == "cbec_full_tax"
    assert rows["A3"]["total_tax"] == single["total_tax"]
    assert "orders-results.csv" in response.headers["content-disposition"]


def test_order_upload_of_a_wrong_file_type_is_422(client: TestClient) -> None:
    response = client.post("/api/tax/batch", files={"file": ("orders.xlsx", b"PK\x03\x04", "application/zip")})
    assert response.status_code == 422 and ".xlsx" in response.json()["message"]


# ----------------------------------------------------------------------------- report


@pytest.mark.slow
def test_report_page_builds_and_downloads_the_offline_report(client: TestClient) -> None:
    import zipfile

    response = client.post("/report", data={"lang": "zh"})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        names = set(bundle.namelist())
        assert {"cbec-report/index.html", "cbec-report/report.md", "cbec-report/cbec_report.xlsx"} <= names
        assert any(name.startswith("cbec-report/figures/") and name.endswith(".svg") for name in names)
        index = bundle.read("cbec-report/index.html").decode("utf-8")
    assert "165" in index  # the paper's count of pilot zones after batch 7 appears in the report
    assert client.post("/api/report", params={"lang": "fr"}).status_code == 422


# ----------------------------------------------------------------------------- helpers


def test_search_pages_do_not_overlap_when_more_hits_exist(client: TestClient) -> None:
    first = client.get("/api/policies", params={"q": "跨境", "per_page": 5}).json()
    second = client.get("/api/policies", params={"q": "跨境", "per_page": 5, "page": 2}).json()
    assert first["truncated"] is True and first["pages"] >= 2
    assert len(first["items"]) == len(second["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_highlight_escapes_first_then_marks() -> None:
    from cbec_policy.web.highlight import highlight, strip_hit_brackets

    marked = str(highlight('<b onclick="x">零售进口</b> &amp;', "零售 amp"))
    assert marked == "&lt;b onclick=&#34;x&#34;&gt;<mark>零售</mark>进口&lt;/b&gt; &amp;<mark>amp</mark>;"
    assert strip_hit_brackets("…跨境电商【零售】进口…", "零售") == "…跨境电商零售进口…"


def test_only_http_sources_become_links_and_upload_names_lose_their_path() -> None:
    from cbec_policy.web.policy_view import safe_url
    from cbec_policy.web.uploads import safe_filename

    assert safe_url("https://www.gov.cn/zhengce/content/2016-01/15/content_5033153.htm")
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("JaVaScRiPt:alert(1)") is None
    assert safe_url('https://example.com/"onmouseover="x') is None
    assert safe_filename("../../etc/x") == "x"
    assert safe_filename("..\\..\\windows\\政策 通知.txt") == "政策_通知.txt"
    assert safe_filename("/..") == "upload"


def test_shared_worker_socket_sends_without_nagle_delay() -> None:
    """The socket ``cbec serve --workers N`` shares is TCP, so asyncio sets TCP_NODELAY on each connection.

    uvicorn binds it with protocol 0; asyncio then leaves Nagle's algorithm on and every
    kept-alive response (headers, then body) waits about 40 ms for the client's delayed ACK.
    """
    import asyncio
    import socket

    from cbec_policy.cli.serve import tcp_listening_socket

    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # as uvicorn's Config.bind_socket does
    raw.bind(("127.0.0.1", 0))
    assert raw.proto == 0
    listening = tcp_listening_socket(raw)
    assert listening.proto == socket.IPPROTO_TCP

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connect(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.set_result(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=listening)
        _reader, writer = await asyncio.open_connection(*listening.getsockname())
        value = await asyncio.wait_for(seen, 5)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    assert asyncio.run(accepted_nodelay()) != 0


def test_read_lane_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from cbec_policy.errors import InputError
    from cbec_policy.web.read_lane import DEFAULT_READ_THREADS, READ_THREADS_ENV, read_threads

    monkeypatch.delenv(READ_THREADS_ENV, raising=False)
    assert read_threads() == DEFAULT_READ_THREADS
    monkeypatch.setenv(READ_THREADS_ENV, "5")
    assert read_threads() == 5
    for bad in ("many", "0"):
        monkeypatch.setenv(READ_THREADS_ENV, bad)
        with pytest.raises(InputError, match=READ_THREADS_ENV):
            read_threads()


def test_searches_run_in_their_own_lane(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request with search words takes the search lane, any other read the read lane; sizes from the environment."""
    from types import SimpleNamespace

    import anyio
    from starlette.requests import Request

    from cbec_policy.errors import InputError
    from cbec_policy.web import read_lane

    monkeypatch.setenv(read_lane.SEARCH_THREADS_ENV, "1")
    monkeypatch.setenv(read_lane.READ_THREADS_ENV, "4")
    lanes: list[float] = []

    async def run_sync(call: Any, *, limiter: anyio.CapacityLimiter) -> Any:
        lanes.append(limiter.total_tokens)
        return call()

    monkeypatch.setattr(read_lane, "to_thread", SimpleNamespace(run_sync=run_sync))
    wrapped = read_lane.reads_store(lambda request: request.url.path)

    def request(query: bytes) -> Request:
        return Request({"type": "http", "method": "GET", "path": "/policies", "query_string": query, "headers": []})

    async def main() -> None:
        for query in (b"q=%E8%B7%A8%E5%A2%83", b"q=+", b"status=x", b""):
            assert await wrapped(request=request(query)) == "/policies"

    anyio.run(main)
    assert lanes == [1, 4, 4, 4]
    monkeypatch.delenv(read_lane.SEARCH_THREADS_ENV)
    assert [read_lane.search_threads(d) for d in ("sqlite", "postgresql")] == [2, 4]
    monkeypatch.setenv(read_lane.SEARCH_THREADS_ENV, "0")
    with pytest.raises(InputError, match=read_lane.SEARCH_THREADS_ENV):
        read_lane.search_threads()


def test_default_workers_follow_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from cbec_policy.cli.serve import MAX_DEFAULT_WORKERS, default_workers

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert default_workers() == 2
    monkeypatch.setattr(os, "cpu_count", lambda: 32)
    assert default_workers() == MAX_DEFAULT_WORKERS
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert default_workers() == 1

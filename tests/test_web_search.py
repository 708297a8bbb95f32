"""The web's search, exports, honest counts, labels and request hygiene (TestClient, no browser)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from cbec_policy.store import open_store
from cbec_policy.web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("web-search")
    store = open_store(f"sqlite:///{folder / 'web.sqlite3'}")
    store.init()
    app = create_app(store=store, token="t0ken", data_dir=folder / "data")

    @app.get("/api/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("deliberate failure for the test")

    yield TestClient(app, raise_server_exceptions=False)
    store.close()


def test_api_search_uses_synonyms_fields_and_filters(client: TestClient) -> None:
    body = client.get("/api/policies", params={"q": "行邮税"}).json()
    assert [item["id"] for item in body["items"]] == ["2016-caiguanshui-18"]
    body = client.get("/api/policies", params={"q": "title:退运", "status": "现行有效"}).json()
    assert {item["id"] for item in body["items"]} == {"2026-announce-16"}


def test_json_uses_codes_with_labels_beside(client: TestClient) -> None:
    items = client.get("/api/policies", params={"per_page": 100}).json()["items"]
    unknown = next(item for item in items if item["status"] == "unknown")
    assert unknown["in_force_today"] is None  # nobody checked its status: not "yes"
    assert unknown["labels"]["in_force_today"] == {"zh": "未知", "en": "unknown"}
    assert unknown["labels"]["status"] == {"zh": "未知", "en": "unknown"}
    assert all(item["in_force_today"] in (True, False, None) for item in items)


def test_status_counts_are_separate_and_add_up(client: TestClient) -> None:
    body = client.get("/api/policies").json()
    assert body["status_counts"]["现行有效"] == 28 and sum(body["status_counts"].values()) == body["total"] == 59
    stats = client.get("/api/stats").json()["counts"]
    assert stats["policies_by_status"] == body["status_counts"] | {
        code: 0
        for code in ("现行有效", "已被修改", "部分失效", "已失效", "尚未生效", "unknown")
        if code not in body["status_counts"]
    }
    assert sum(stats["policies_in_force_today"].values()) == 59


def test_dashboard_counts_each_status(client: TestClient) -> None:
    html = client.get("/").text
    assert 'data-status="现行有效">28<' in html and 'data-status="unknown">15<' in html


def test_keyset_pages_continue_without_repeats(client: TestClient) -> None:
    first = client.get("/api/policies", params={"per_page": 25}).json()
    second = client.get("/api/policies", params={"per_page": 25, "after": first["next"]}).json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 50
    assert client.get("/api/policies", params={"after": "nonsense"}).status_code == 422


@pytest.mark.parametrize("fmt", ["csv", "ris", "bibtex", "xlsx"])
def test_export_carries_citation_fields(client: TestClient, fmt: str) -> None:
    response = client.get("/api/policies/export", params={"q": "财关税〔2018〕49号", "format": fmt})
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        text = " ".join(str(cell) for row in rows for cell in row if cell)
    else:
        text = response.content.decode("utf-8")
    for expected in ("财关税〔2018〕49号", "财政部", "国家税务总局", "2018-11-29", "现行有效"):
        assert expected.replace("-", "/") in text or expected in text
    if fmt == "ris":
        assert text.startswith("TY  - STAT") and "AU  - 海关总署" in text
    if fmt == "bibtex":
        assert text.startswith("@legislation{2018-caiguanshui-49,") and "number = {财关税〔2018〕49号}" in text


def test_spreadsheet_exports_neutralise_formulas() -> None:
    from cbec_policy.citation_export import safe_cell

    assert safe_cell('=HYPERLINK("http://x","y")').startswith("'=")
    assert safe_cell("国务院") == "国务院"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/policies", {"q": "跨境\x00"}),
        ("/api/policies", {"issuer": "a\x01"}),
        ("/policies", {"q": "\x00"}),
        ("/api/zones", {"province": "浙\x00"}),
    ],
)
def test_control_characters_are_refused(client: TestClient, path: str, params: dict[str, str]) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.headers["x-content-type-options"] == "nosniff"


def test_like_wildcards_match_themselves(client: TestClient) -> None:
    # '%' is no province: refused with the reason, never a wildcard matching every zone
    refused = client.get("/api/zones", params={"province": "%"})
    assert refused.status_code == 422 and "province" in refused.json()["message"]
    assert client.get("/api/policies", params={"region": "%"}).json()["total"] == 0


def test_internal_errors_carry_security_headers(client: TestClient) -> None:
    response = client.get("/api/boom")
    assert response.status_code == 500
    assert "deliberate" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_head_is_answered_without_a_body(client: TestClient) -> None:
    response = client.head("/policies")
    assert response.status_code == 200 and response.content == b""


def test_etag_on_the_change_counter(client: TestClient) -> None:
    first = client.get("/api/policies", params={"q": "综试区"})
    tag = first.headers["etag"]
    again = client.get("/api/policies", params={"q": "综试区"}, headers={"If-None-Match": tag})
    assert again.status_code == 304
    other = client.get("/api/policies", params={"q": "综试区", "lang": "en"})
    assert other.headers["etag"] != tag


def test_report_is_listed_once_and_reads_the_body_lang(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = client.get("/openapi.json").json()
    assert list(schema["paths"]["/api/report"]) == ["post"]
    assert len(schema["paths"]["/api/report"]["post"]["tags"]) == 1
    asked: list[str] = []

    def fake_build(store: object, work_dir: Path, lang: str) -> Path:
        asked.append(lang)
        archive = Path(work_dir) / "report.zip"
        archive.parent.mkdir(parents=True, exist_ok=True)
        archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
        return archive

    monkeypatch.setattr("cbec_policy.web.routes.api_write.build_report_zip", fake_build)
    client.post("/api/report", json={"lang": "en"}, headers={"Authorization": "Bearer t0ken"})
    assert asked == ["en"]


def test_english_pages_name_places_in_english(client: TestClient) -> None:
    html = client.get("/zones", params={"lang": "en"}).text
    assert "Hangzhou" in html and "Zhejiang" in html


def test_tax_results_show_labels_not_raw_values(client: TestClient) -> None:
    html = client.get(
        "/tax", params={"calc": "postal", "date": "2024-01-01", "value": "100", "item": "1", "lang": "zh"}
    ).text
    assert ">是<" in html or ">否<" in html
    assert "True" not in html and "False" not in html
    html = client.get(
        "/tax",
        params={
            "calc": "returns",
            "export_date": "2024-01-01",
            "code": "9610",
            "return_date": "2024-03-01",
            "lang": "zh",
        },
    ).text
    assert "import_tariff" not in html and "进口关税" in html and "[]" not in html


NOTICE = """浙江省商务厅关于推进跨境电子商务综合试验区建设的通知
浙商务发〔2023〕12号
各市商务局：
为加快跨境电商发展，推进综合试验区建设，现就有关事项通知如下。
一、支持企业开展跨境电子商务零售出口，落实出口退税政策。
浙江省商务厅
2023年5月6日
"""


def test_upload_is_reviewed_corrected_and_stored_on_confirm(client: TestClient) -> None:
    files = {"file": ("notice.txt", NOTICE.encode("utf-8"), "text/plain")}
    assert client.post("/upload/review", files=files, data={"token": "wrong"}).status_code == 401
    page = client.post("/upload/review", files=files, data={"token": "t0ken", "lang": "zh"})
    assert page.status_code == 200
    html = page.text
    assert 'value="浙商务发〔2023〕12号"' in html and "标题下的文号行" in html  # field, with its method
    review_id = html.split('name="review_id" value="')[1].split('"')[0]
    before = client.get("/api/policies", params={"q": "浙商务发〔2023〕12号"}).json()["total"]
    assert before == 0  # nothing stored by the review
    form = {
        "review_id": review_id, "token": "t0ken", "title": "浙江省商务厅关于推进跨境电子商务综合试验区建设的通知",
        "doc_number": "浙商务发〔2023〕12号", "issuers": "浙江省商务厅", "publish_date": "2023-05-06",
        "effective_date": "2023-06-01", "status": "现行有效", "level": "provincial", "region": "浙江省",
        "policy_type": "comprehensive", "themes": ["services", "tax"],
    }  # fmt: skip
    stored = client.post("/upload/confirm", data=form, follow_redirects=False)
    assert stored.status_code == 303
    policy_url = stored.headers["location"]
    detail = client.get("/api/policies/浙商务发〔2023〕12号").json()
    assert detail["effective_date"] == "2023-06-01" and detail["status"] == "现行有效"  # the corrections
    assert detail["themes"] == ["services", "tax"]
    assert "effective_date" in detail["extraction_evidence"]["review"]["changed"]
    assert policy_url.startswith("/policies/") and client.get(policy_url).status_code == 200
    again = client.post("/upload/confirm", data=form, follow_redirects=False)
    assert again.status_code == 422  # the review was used up

"""The policy evaluation page, the per-policy PMC page and their API routes."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette's note about httpx versions is not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import reference_counts
from cbec_policy.reference.loader import load_national_policies
from cbec_policy.store import open_store
from cbec_policy.web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("evaluation-web")
    store = open_store(f"sqlite:///{folder / 'web.sqlite3'}")
    store.init()
    yield TestClient(create_app(store=store, token="", data_dir=Path(folder) / "data"))
    store.close()


def test_api_pmc_scores_every_bundled_policy_with_evidence(client: TestClient) -> None:
    answer = client.get("/api/evaluation/pmc").json()
    assert answer["scheme"] == "cbec-default"
    assert len(answer["policies"]) == len(load_national_policies())
    ranks = sorted(p["rank"] for p in answer["policies"])
    assert ranks[0] == 1
    for policy in answer["policies"]:
        assert all(policy["evidence"][code]["excerpt"] for code, v in policy["values"].items() if v == 1)
    one = client.get("/api/evaluation/pmc", params={"ids": "2016-caiguanshui-18", "scheme": "cbec-default"}).json()
    assert [p["policy"] for p in one["policies"]] == ["2016-caiguanshui-18"]
    refused = client.get("/api/evaluation/pmc", params={"scheme": "/etc/passwd"})  # a bundled name, never a path
    assert refused.status_code == 422 and "scheme" in refused.json()["message"]


def test_api_treatment_table(client: TestClient) -> None:
    rows = client.get("/api/evaluation/treatment", params={"cutoff_month": 12}).json()
    approvals = [r for r in rows if r["row_kind"] == "approval"]
    assert len(approvals) == reference_counts.zones_approved()
    beijing = next(r for r in approvals if r["city"] == "北京市")
    assert beijing["first_treated_year"] == 2018 and beijing["approval_date"] == "2018-07-24"
    assert client.get("/api/evaluation/treatment", params={"cutoff_month": 13}).status_code == 422


def test_evaluation_page_shows_league_timing_and_what_panel_is_needed(client: TestClient) -> None:
    page = client.get("/evaluation", params={"lang": "zh"})
    assert page.status_code == 200
    html = page.text
    assert 'id="pmc-league"' in html and "/evaluation/pmc/2016-caiguanshui-18" in html
    assert "data:image/png;base64," in html
    assert "国函〔2025〕40号" in html and "海南全岛" in html
    assert "cbec did estimate panel.csv --unit city --time year --outcome exports" in html
    assert "不会编造" in html
    english = client.get("/evaluation", params={"lang": "en"}).text
    assert "never invents any" in english


def test_policy_pmc_page_lists_evidence(client: TestClient) -> None:
    page = client.get("/evaluation/pmc/2016-caiguanshui-18", params={"lang": "zh"})
    assert page.status_code == 200
    assert "X10 政策公开" in page.text and "<mark>" in page.text
    assert client.get("/evaluation/pmc/no-such-policy").status_code == 404

"""The local-policies page: tile map of local documents, focus tables with their test, the list."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():  # starlette's note about httpx versions is not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from cbec_policy.store import open_store
from cbec_policy.web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("web-local")
    store = open_store(f"sqlite:///{folder / 'web.sqlite3'}")
    store.init()
    yield TestClient(create_app(store=store, token="", data_dir=folder / "data"))
    store.close()


def test_local_page_shows_the_map_the_focus_tests_and_the_gaps(client: TestClient) -> None:
    page = client.get("/local")
    assert page.status_code == 200
    html = page.text
    assert 'class="chart tilemap"' in html and "/local?province=广东省" in html
    assert "贵州省、甘肃省、青海省、宁夏回族自治区、新疆维吾尔自治区" in html
    assert html.count("χ²(") == 2  # region and coastal/inland
    assert html.count("<tr><td>") >= 96  # every local document is listed
    assert 'href="/local"' in html  # the nav link


def test_local_page_filters_by_province_and_speaks_english(client: TestClient) -> None:
    page = client.get("/local", params={"province": "四川"})
    assert page.status_code == 200
    assert page.text.count("<td>四川省</td>") == 6
    english = client.get("/local", params={"lang": "en"})
    assert "Local documents per province" in english.text and "Focus by region" in english.text


def test_unknown_province_is_a_readable_error(client: TestClient) -> None:
    page = client.get("/local", params={"province": "火星"})
    assert page.status_code in (400, 422) and "火星" in page.text

"""ETag/304 and the kept answers of the dashboard, ``/api/stats`` and ``/policies``, on both backends.

The answers are kept in memory by ETag (the store's change counter); these tests check that
every kind of write (ingest, exclusion, deletion) shows at once, counted against the bundled
reference data.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from cbec_policy.reference.loader import load_national_policies
from cbec_policy.store import Store
from cbec_policy.store.curation import delete_ingested, set_relevance
from cbec_policy.web.app import create_app
from cbec_policy.web.caching import AnswerCache, CachedAnswer

TEMPLATE_ID = "2016-caiguanshui-18"


def _client(store: Store, tmp_path: Path) -> TestClient:
    return TestClient(create_app(store=store, token="", data_dir=tmp_path / "data"))


def _dashboard_count(html: str) -> int:
    found = re.search(r'data-count="policies">(\d+)<', html)
    assert found is not None
    return int(found.group(1))


def _figures(client: TestClient) -> tuple[int, int, int]:
    """National CBEC policies on the dashboard and in /api/stats, and the /api/policies total."""
    dashboard = _dashboard_count(client.get("/").text)
    stats = client.get("/api/stats").json()["counts"]["policies"]
    listed = client.get("/api/policies").json()["total"]
    return dashboard, stats, listed


def test_the_aggregates_follow_ingest_exclusion_and_deletion(store: Store, tmp_path: Path) -> None:
    national = len(load_national_policies())
    client = _client(store, tmp_path)
    assert _figures(client) == (national, national, national)
    assert _figures(client) == (national, national, national)  # now from the kept answers
    template = store.get_policy(TEMPLATE_ID)
    assert template is not None
    added = replace(template, id="test-caching-new", doc_number=None, title="测试用：缓存随写入更新", source="ingested")
    assert store.save_policy(added) == "new"
    assert _figures(client) == (national + 1, national + 1, national + 1)
    set_relevance(store, added.id, False, "test")  # out of every CBEC statistic, still listed
    assert _figures(client) == (national, national, national + 1)
    delete_ingested(store, added.id)
    assert _figures(client) == (national, national, national)


def test_etag_gives_304_until_a_write(store: Store, tmp_path: Path) -> None:
    client = _client(store, tmp_path)
    for path in ("/", "/api/stats", "/policies", "/api/policies?q=零售进口"):
        first = client.get(path)
        tag = first.headers["etag"]
        assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
        kept = client.get(path)
        assert kept.status_code == 200 and kept.headers["etag"] == tag and kept.content == first.content
        assert client.head(path).content == b""
    tag = client.get("/api/stats").headers["etag"]
    template = store.get_policy(TEMPLATE_ID)
    assert template is not None
    store.save_policy(replace(template, id="test-caching-etag", doc_number=None, title="测试用：新的标签"))
    after = client.get("/api/stats", headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag


def test_the_cache_keeps_only_whole_small_200_answers_without_cookies() -> None:
    cache = AnswerCache(max_bytes=10, max_entry_bytes=6)

    def answer(etag: str, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        record = cache.recorder(etag)
        record({"type": "http.response.start", "status": status, "headers": headers or []})
        record({"type": "http.response.body", "body": body[:2], "more_body": True})
        record({"type": "http.response.body", "body": body[2:], "more_body": False})

    answer("a", 200, b"12345")
    assert cache.get("a") == CachedAnswer({"type": "http.response.start", "status": 200, "headers": []}, b"12345")
    answer("b", 404, b"nope")
    answer("c", 200, b"1234567")  # over the entry bound
    answer("d", 200, b"ok", [(b"set-cookie", b"lang=en")])
    assert cache.get("b") is None and cache.get("c") is None and cache.get("d") is None
    answer("e", 200, b"abcdef")  # 5 + 6 bytes > 10: the least recently used goes
    assert cache.get("a") is None and cache.get("e") is not None and len(cache) == 1

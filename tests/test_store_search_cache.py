"""The search-ranking cache: repeated queries give the same answer, and any write is seen at once.

The cache keeps rankings per process; these tests write through a second store on the same
SQLite file (as an ingest in another process would) and check that the first store's next
search reflects the change instead of the cached ranking.
"""

from __future__ import annotations

from dataclasses import replace

from cbec_policy.store import Store, open_store

# Titles with 退运 in national_policies.csv (see test_store_search.py).
RETURN_TITLES = {"2023-announce-4", "2023-announce-34", "2026-announce-16"}


def _ids(store: Store, query: str) -> set[str]:
    return {hit.policy.id for hit in store.search(query)}


def test_a_repeated_search_equals_a_fresh_one(sqlite_store: Store, sqlite_store_url: str) -> None:
    first = sqlite_store.search("零售进口", limit=30)
    again = sqlite_store.search("零售进口", limit=30)  # from the cache
    fresh = open_store(sqlite_store_url)
    try:
        uncached = fresh.search("零售进口", limit=30)
    finally:
        fresh.close()
    as_tuples = [[(h.policy.id, h.score, h.snippet) for h in hits] for hits in (first, again, uncached)]
    assert as_tuples[0] == as_tuples[1] == as_tuples[2]
    assert "2016-caiguanshui-18" in {hit.policy.id for hit in first}


def test_a_policy_saved_by_another_store_is_found_at_once(sqlite_store: Store, sqlite_store_url: str) -> None:
    assert _ids(sqlite_store, "退运") == RETURN_TITLES  # ranking now cached
    other = open_store(sqlite_store_url)
    try:
        template = other.get_policy("2023-announce-34")
        assert template is not None
        added = replace(template, id="test-cache-new", title="测试用：跨境电商退运商品通关流程说明", doc_number=None)
        assert other.save_policy(added) == "new"
    finally:
        other.close()
    assert _ids(sqlite_store, "退运") == RETURN_TITLES | {"test-cache-new"}


def test_an_edited_title_and_a_deletion_leave_the_results(sqlite_store: Store, sqlite_store_url: str) -> None:
    assert _ids(sqlite_store, "退运") == RETURN_TITLES
    other = open_store(sqlite_store_url)
    try:
        policy = other.get_policy("2023-announce-4")
        assert policy is not None
        other.save_policy(replace(policy, title="测试用：改写后不含该词的标题", summary="", full_text=None))
        assert _ids(sqlite_store, "退运") == RETURN_TITLES - {"2023-announce-4"}
        assert other.delete_policy("2026-announce-16")
    finally:
        other.close()
    assert _ids(sqlite_store, "退运") == {"2023-announce-34"}

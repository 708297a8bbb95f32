"""The store's change counter, on SQLite and PostgreSQL: it moves on with every write and only then.

Caches (search rankings, dashboard aggregates, ETags) trust it, so each kind of write must move
it in the same transaction as the data, and a reader must never see it move before the data.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cbec_policy.rules.ledger import BuyerLedger
from cbec_policy.rules.orders import make_order
from cbec_policy.store import Store, open_store
from cbec_policy.store.curation import delete_ingested, set_relevance

TEMPLATE_ID = "2016-caiguanshui-18"  # a bundled policy of national_policies.csv


def _new_policy(store: Store, policy_id: str, title: str):  # type: ignore[no-untyped-def]
    template = store.get_policy(TEMPLATE_ID)
    assert template is not None
    return replace(template, id=policy_id, title=title, doc_number=None, source="ingested", relations=())


def test_every_kind_of_write_moves_the_counter_on(store: Store) -> None:
    start = store.change_counter()
    assert isinstance(start, int)
    added = _new_policy(store, "test-changes-new", "测试用：跨境电商计数器说明")
    assert store.save_policy(added) == "new"
    after_insert = store.change_counter()
    assert after_insert > start
    set_relevance(store, added.id, False, "test")
    after_exclude = store.change_counter()
    assert after_exclude > after_insert
    delete_ingested(store, added.id)
    after_delete = store.change_counter()
    assert after_delete > after_exclude
    with store.bulk() as session:
        session.save_policies([(_new_policy(store, "test-changes-bulk", "测试用：批量写入"), None)])
    assert store.change_counter() > after_delete


def test_reads_unchanged_saves_and_dry_runs_leave_it(store: Store) -> None:
    start = store.change_counter()
    store.search("零售进口")
    store.list_briefs()
    policy = store.get_policy(TEMPLATE_ID)
    assert policy is not None
    assert store.save_policy(policy, original_text=store.get_original_text(policy.id)) == "unchanged"
    with store.bulk(write=False) as session:  # a dry-run ingest: rolled back
        session.save_policies([(_new_policy(store, "test-changes-dry", "测试用：试运行"), None)])
    assert store.get_policy("test-changes-dry") is None
    assert store.change_counter() == start


def test_a_failed_write_leaves_data_and_counter(store: Store) -> None:
    start = store.change_counter()
    count = store.count_policies()
    with pytest.raises(RuntimeError), store.bulk() as session:
        session.save_policies([(_new_policy(store, "test-changes-failed", "测试用：失败的写入"), None)])
        raise RuntimeError("the chunk fails after its first document")
    assert store.count_policies() == count
    assert store.change_counter() == start


def test_another_process_sees_the_counter_only_with_the_data(store: Store, store_url: str) -> None:
    """While a write is open, a second store reads the old counter and the old data; after commit, both new."""
    reader = open_store(store_url)
    try:
        before = reader.change_counter()
        with store.bulk() as session:
            session.save_policies([(_new_policy(store, "test-changes-open", "测试用：未提交的写入"), None)])
            assert reader.change_counter() == before
            assert reader.get_policy("test-changes-open") is None
        assert reader.change_counter() > before
        assert reader.get_policy("test-changes-open") is not None
    finally:
        reader.close()


def test_a_buyer_ledger_write_leaves_the_policy_caches_alone(store: Store) -> None:
    """The ledger keeps its own table: taxing an order changes no policy page, list or statistic."""
    start = store.change_counter()
    taxed = BuyerLedger(store).tax_order(make_order("C1", "2025-03-01", [{"price": "100"}], "CB"))
    assert BuyerLedger(store).quota_left("CB", date(2025, 3, 2)).orders == 1 and taxed.total_tax > 0
    assert store.change_counter() == start

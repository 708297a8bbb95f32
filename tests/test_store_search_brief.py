"""SQLite's index of the short columns (title, number, summary): kept in step by every write, filled on upgrade.

The expected rows are the stored policies themselves, read from ``policies``; the searches are
checked against the bundled reference data.
"""

from __future__ import annotations

from dataclasses import replace

from cbec_policy.reference.loader import load_national_policies
from cbec_policy.store import Store, open_store

TEMPLATE_ID = "2016-caiguanshui-18"


def _brief_rows(store: Store) -> set[tuple[int, str, str, str]]:
    with store.transaction(write=False) as conn:
        return set(conn.exec_driver_sql("SELECT rowid, title, doc_number, summary FROM policy_brief_fts").all())


def _policy_rows(store: Store) -> set[tuple[int, str, str, str]]:
    with store.transaction(write=False) as conn:
        return set(
            conn.exec_driver_sql(
                "SELECT fts_rowid, title, coalesce(doc_number, ''), coalesce(summary, '') FROM policies"
            ).all()
        )


def test_the_brief_index_follows_insert_update_and_delete(sqlite_store_url: str) -> None:
    store = open_store(sqlite_store_url)
    try:
        assert len(_brief_rows(store)) == len(load_national_policies())
        template = store.get_policy(TEMPLATE_ID)
        assert template is not None
        added = replace(template, id="test-brief-new", doc_number=None, title="测试用：短列索引新增")
        store.save_policy(added)
        store.save_policy(replace(added, title="测试用：短列索引改名", summary="改过的摘要"))
        with store.bulk() as session:
            session.save_policies(
                [(replace(template, id="test-brief-bulk", doc_number=None, title="测试用：批量"), None)]
            )
        with store.transaction() as conn:
            conn.exec_driver_sql("DELETE FROM policies WHERE id = ?", (TEMPLATE_ID,))
        assert _brief_rows(store) == _policy_rows(store)
        titles = {row[1] for row in _brief_rows(store)}
        assert "测试用：短列索引改名" in titles and "测试用：短列索引新增" not in titles and "测试用：批量" in titles
        assert template.title not in titles
    finally:
        store.close()


def test_a_database_made_before_the_brief_index_gets_it_filled(sqlite_store_url: str) -> None:
    store = open_store(sqlite_store_url)
    with store.transaction() as conn:
        for trigger in ("insert", "update", "delete"):
            conn.exec_driver_sql(f"DROP TRIGGER policy_brief_fts_{trigger}")
        conn.exec_driver_sql("DROP TABLE policy_brief_fts")
    store.close()
    reopened = open_store(sqlite_store_url)
    try:
        assert _brief_rows(reopened) == _policy_rows(reopened)
        assert len(_brief_rows(reopened)) == len(load_national_policies())
    finally:
        reopened.close()


def test_a_short_word_beside_a_long_one_finds_the_title_holding_both(sqlite_store_url: str) -> None:
    # 零售进口 (long, narrowed through the brief index) with 税收 (two characters, LIKE): the
    # bundled tax policy on retail imports has both in its title, so it leads the ranking.
    store = open_store(sqlite_store_url)
    try:
        expected = {p.id for p in load_national_policies() if "零售进口" in p.title and "税收" in p.title}
        assert expected
        hits = store.search("零售进口 税收", limit=len(expected))
        assert {hit.policy.id for hit in hits} == expected and all(int(hit.score) == 2 for hit in hits)
    finally:
        store.close()

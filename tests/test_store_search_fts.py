"""SQLite's index of whole policies: no text copy of its own, exact after edits, moved from the copying form.

Every kind of write is checked against this index in ``test_store_search_brief.py``; here are
what the external-content form itself must do. Expected hits are the bundled reference policies
(财关税〔2016〕18号, the 2016 retail-import tax notice).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from cbec_policy.store import open_store
from cbec_policy.store.search_fts import index_matches_rows

TEMPLATE_ID = "2016-caiguanshui-18"


def _database_file(url: str) -> str:
    return url.removeprefix("sqlite:///")


def test_the_index_keeps_no_text_of_its_own(sqlite_store_url: str) -> None:
    store = open_store(sqlite_store_url)
    try:
        with store.transaction(write=False) as conn:
            tables = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
            assert index_matches_rows(conn)
        assert "policy_fts" in tables and "policy_fts_content" not in tables
        hits = store.search("零售进口税收政策", limit=5)
        assert TEMPLATE_ID in [hit.policy.id for hit in hits]
    finally:
        store.close()


def test_an_edited_text_is_found_by_its_new_words_only(sqlite_store_url: str) -> None:
    store = open_store(sqlite_store_url)
    try:
        template = store.get_policy(TEMPLATE_ID)
        assert template is not None
        text = "测试正文：设立跨境电商直购进口监管仓。"
        first = replace(template, id="test-fts-edit", doc_number=None, full_text=text)
        store.save_policy(first)
        assert [hit.policy.id for hit in store.search("直购进口监管仓", limit=5)] == ["test-fts-edit"]
        store.save_policy(replace(first, full_text="测试正文：保税备货模式的退货仓改建事项。"))
        assert [hit.policy.id for hit in store.search("退货仓改建", limit=5)] == ["test-fts-edit"]
        assert store.search("直购进口监管仓", limit=5) == []
        with store.transaction(write=False) as conn:
            assert index_matches_rows(conn)
    finally:
        store.close()


def test_the_check_fails_when_a_text_changes_behind_the_index(sqlite_store_url: str) -> None:
    # Without its triggers the index keeps the old trigrams: the check must see that.
    connection = sqlite3.connect(_database_file(sqlite_store_url))
    connection.execute("DROP TRIGGER policy_fts_update")
    connection.execute("UPDATE policies SET full_text = '测试：无人重建索引的正文' WHERE id = ?", (TEMPLATE_ID,))
    connection.commit()
    connection.close()
    store = open_store(sqlite_store_url)  # init puts the trigger back, not the lost entry
    try:
        with store.transaction(write=False) as conn:
            assert not index_matches_rows(conn)
    finally:
        store.close()


def test_a_database_with_the_copying_index_is_moved_to_the_external_form(sqlite_store_url: str) -> None:
    store = open_store(sqlite_store_url)
    before = [hit.policy.id for hit in store.search("跨境电子商务零售进口", limit=20)]
    store.close()
    # The form of earlier versions: the index held its own copy of every text, no triggers.
    connection = sqlite3.connect(_database_file(sqlite_store_url))
    connection.execute("DROP TRIGGER policy_fts_update")
    connection.execute("DROP TRIGGER policy_fts_delete")
    connection.execute("DROP TABLE policy_fts")
    connection.execute(
        "CREATE VIRTUAL TABLE policy_fts USING fts5(title, doc_number, summary, full_text, tokenize='trigram')"
    )
    connection.execute(
        "INSERT INTO policy_fts (rowid, title, doc_number, summary, full_text) SELECT fts_rowid, title, "
        "coalesce(doc_number, ''), coalesce(summary, ''), coalesce(full_text, '') FROM policies"
    )
    connection.commit()
    connection.close()
    reopened = open_store(sqlite_store_url)
    try:
        with reopened.transaction(write=False) as conn:
            made = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'policy_fts'").scalar()
            assert "content='policies'" in made
            assert index_matches_rows(conn)
        assert [hit.policy.id for hit in reopened.search("跨境电子商务零售进口", limit=20)] == before
        reopened.delete_policy(TEMPLATE_ID)
        with reopened.transaction(write=False) as conn:
            assert index_matches_rows(conn)
        assert TEMPLATE_ID not in [hit.policy.id for hit in reopened.search("零售进口税收政策", limit=20)]
    finally:
        reopened.close()


@pytest.mark.parametrize("column", ["title", "full_text"])
def test_a_plain_sql_edit_is_indexed_by_trigger(sqlite_store_url: str, column: str) -> None:
    store = open_store(sqlite_store_url)
    try:
        with store.transaction() as conn:
            edit = f"UPDATE policies SET {column} = '测试：脚本写入的跨境退货中心' WHERE id = ?"
            conn.exec_driver_sql(edit, (TEMPLATE_ID,))
        assert [hit.policy.id for hit in store.search("跨境退货中心", limit=5)] == [TEMPLATE_ID]
        with store.transaction(write=False) as conn:
            assert index_matches_rows(conn)
    finally:
        store.close()

"""SQLite's index of the short columns (title, number, summary): kept in step by every write, filled on upgrade.

Every kind of write is also checked against the main index of whole texts (store.search_fts).

The expected rows are the stored policies themselves, read from ``policies``; the searches are
checked against the bundled reference data.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from cbec_policy.analysis import NATIONAL
from cbec_policy.classify.labels_io import import_labels
from cbec_policy.reference.loader import load_national_policies
from cbec_policy.store import Store, ingest_one, ingest_paths, open_store
from cbec_policy.store.curation import delete_ingested, set_relevance
from cbec_policy.store.search_fts import index_matches_rows
from cbec_policy.store.tallies import tallies_match_rows

with warnings.catch_warnings():  # starlette's note about httpx versions is not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from cbec_policy.web.app import create_app

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


def _assert_exact(store: Store, after: str) -> None:
    """The brief index holds exactly one entry per policy with its current short columns, and is sound."""
    with store.transaction(write=False) as conn:
        entries = conn.exec_driver_sql(
            "SELECT rowid, title, doc_number, summary FROM policy_brief_fts ORDER BY rowid"
        ).all()
        source = conn.exec_driver_sql(
            "SELECT fts_rowid, title, coalesce(doc_number, ''), coalesce(summary, '') FROM policies "
            "WHERE fts_rowid IS NOT NULL ORDER BY fts_rowid"
        ).all()
        unindexed = conn.exec_driver_sql("SELECT count(*) FROM policies WHERE fts_rowid IS NULL").scalar()
    assert unindexed == 0, after
    assert entries == source, after
    with store.transaction() as conn:  # FTS5 checks its index against its stored rows (raises when not)
        conn.exec_driver_sql("INSERT INTO policy_brief_fts (policy_brief_fts, rank) VALUES ('integrity-check', 1)")
        # The main index, kept by the same writers and triggers, holds the trigrams of the rows' texts.
        assert index_matches_rows(conn), after
        # So do the dashboard's kept counts (store.tally_upkeep) hold the counts of the rows.
        assert tallies_match_rows(conn, NATIONAL, date.today()), after


_NOTICE = (
    "宁波市商务局关于做好跨境电子商务出口海外仓备案工作的通知\n甬商务〔2023〕17号\n各区县（市）商务主管部门：\n"
    "为促进跨境电子商务出口海外仓发展，现就备案事项通知如下。\n宁波市商务局\n2023年5月8日\n"
)


def _notice(number: int, title: str | None = None) -> str:
    head = title or f"测试市商务局关于第{number}批海外仓备案工作的通知"
    body = "各有关单位：\n现就备案事项通知如下。\n测试市商务局"
    return f"{head}\n测商务〔2024〕{number}号\n{body}\n2024年3月{number}日\n"


def test_every_kind_of_write_keeps_the_brief_index_exact(sqlite_store_url: str, tmp_path: Path) -> None:
    # Every path that writes ``policies`` on SQLite, each followed by the check: the store's own
    # writers (one policy, a chunk, init), ingest (new, unchanged, --update, an upload), the
    # researcher's edits (labels file, relevance, the web API's label edit), and deletions (the
    # store's, the web API's, and a script's plain SQL).
    store = open_store(sqlite_store_url)
    try:
        _assert_exact(store, "init")
        template = store.get_policy(TEMPLATE_ID)
        assert template is not None
        added = replace(template, id="test-brief-one", doc_number="测试〔2030〕1号", title="测试用：单条新增")
        steps: list[tuple[str, Callable[[], object]]] = [
            ("save_policy new", lambda: store.save_policy(added)),
            ("save_policy update", lambda: store.save_policy(replace(added, title="测试用：单条改名", summary="摘要"))),
            ("save_policy drops the number", lambda: store.save_policy(replace(added, doc_number=None))),
            ("bundled policy edited", lambda: store.save_policy(replace(template, summary="改过的摘要"))),
            ("init restores it", store.init),
        ]
        documents = tmp_path / "documents"
        documents.mkdir()
        for number in range(1, 6):
            (documents / f"n{number}.txt").write_text(_notice(number), encoding="utf-8")
        paths = sorted(str(path) for path in documents.iterdir())
        steps += [
            ("ingest a chunk", lambda: ingest_paths(paths, store, classify=False)),
            ("ingest it again (unchanged)", lambda: ingest_paths(paths, store, classify=False)),
        ]

        def retitle_and_update() -> object:
            (documents / "n2.txt").write_text(_notice(2, "测试市商务局关于改名后的备案工作的通知"), encoding="utf-8")
            return ingest_paths(paths, store, update=True, classify=False)

        upload = tmp_path / "upload.txt"
        upload.write_text(_notice(9), encoding="utf-8")
        labels = tmp_path / "labels.csv"
        labels.write_text("id,type,themes\n2016-caiguanshui-18,tax,tax\n", encoding="utf-8")
        steps += [
            ("ingest --update with a new title", retitle_and_update),
            ("ingest_one (an upload)", lambda: ingest_one(str(upload), store, classify=False, source="upload.txt")),
            ("labels file", lambda: import_labels(labels, store)),
            ("excluded", lambda: set_relevance(store, TEMPLATE_ID, False, "test")),
            ("included again", lambda: set_relevance(store, TEMPLATE_ID, True, "test")),
            ("delete_policy", lambda: store.delete_policy("test-brief-one")),
        ]
        for name, write in steps:
            write()
            _assert_exact(store, name)
        ingested = {outcome.policy_id for outcome in ingest_paths(paths, store, classify=False).outcomes}
        first, second, *_ = sorted(ingested)
        delete_ingested(store, first)
        _assert_exact(store, "delete_ingested")

        token = "brief-test-token"
        auth = {"Authorization": f"Bearer {token}"}
        web = TestClient(create_app(store=store, token=token, data_dir=tmp_path / "data"))
        files = {"files": ("notice.txt", io.BytesIO(_NOTICE.encode("utf-8")), "text/plain")}
        assert web.post("/api/ingest", files=files, headers=auth).status_code == 200
        _assert_exact(store, "web upload")
        edit = web.patch(f"/api/policies/{TEMPLATE_ID}/labels", json={"themes": ["customs"]}, headers=auth)
        assert edit.status_code == 200
        _assert_exact(store, "web label edit")
        assert web.delete(f"/api/policies/{second}", headers=auth).status_code == 200
        _assert_exact(store, "web delete")

        with store.transaction() as conn:  # a script beside the store, plain SQL
            conn.exec_driver_sql("UPDATE policies SET title = '脚本改的标题' WHERE id = ?", (TEMPLATE_ID,))
        _assert_exact(store, "plain SQL update")
        with store.transaction() as conn:
            conn.exec_driver_sql("DELETE FROM policies WHERE id = ?", (TEMPLATE_ID,))
        _assert_exact(store, "plain SQL delete")
        assert store.search("改名后的备案", limit=5)[0].policy.title == "测试市商务局关于改名后的备案工作的通知"
    finally:
        store.close()


def test_a_store_made_with_the_insert_trigger_loses_it_and_stays_exact(sqlite_store_url: str) -> None:
    # Versions before this one kept new rows by an insert trigger too; the writers do that now,
    # and the two together would give a chunk's new rows two entries each.
    store = open_store(sqlite_store_url)
    with store.transaction() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER policy_brief_fts_insert AFTER INSERT ON policies WHEN new.fts_rowid IS NOT NULL "
            "BEGIN INSERT INTO policy_brief_fts (rowid, title, doc_number, summary) VALUES "
            "(new.fts_rowid, new.title, coalesce(new.doc_number, ''), coalesce(new.summary, '')); END"
        )
    store.close()
    reopened = open_store(sqlite_store_url)
    try:
        with reopened.transaction(write=False) as conn:
            triggers = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars().all()
        assert "policy_brief_fts_insert" not in triggers
        template = reopened.get_policy(TEMPLATE_ID)
        assert template is not None
        with reopened.bulk() as session:
            added = replace(template, id="test-brief-after", doc_number=None, title="测试：升级后")
            session.save_policies([(added, None)])
        _assert_exact(reopened, "a chunk after the upgrade")
    finally:
        reopened.close()


def test_a_database_made_before_the_brief_index_gets_it_filled(sqlite_store_url: str) -> None:
    store = open_store(sqlite_store_url)
    with store.transaction() as conn:
        for trigger in ("update", "delete"):
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

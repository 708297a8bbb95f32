"""The dashboard's kept counts (store.tally_upkeep) stay equal to the counts grouped from the rows.

Every kind of write is followed by the comparison, on both backends, on days before, inside
and after the test policies' dates, so the part read from the rows (policies the day
excludes) is exercised as well as the kept part.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from cbec_policy.analysis import NATIONAL
from cbec_policy.store import Store, ingest_paths, open_store
from cbec_policy.store.curation import delete_ingested, set_relevance
from cbec_policy.store.tallies import corpus_tallies, scanned_corpus_tallies, timeline_rows

TEMPLATE_ID = "2016-caiguanshui-18"
DAYS = (date(2015, 1, 1), date(2016, 4, 8), date(2024, 6, 30), date(2031, 1, 1))


def _assert_kept(store: Store, after: str) -> None:
    with store.transaction(write=False) as conn:
        for day in DAYS:
            kept, scanned = corpus_tallies(conn, NATIONAL, day), scanned_corpus_tallies(conn, NATIONAL, day)
            assert kept == scanned, f"{after}, on {day}"
        assert sum(scanned.by_level_status.values()) > 0, after
        # The timeline's total comes from the kept counts too: the dated national CBEC policies.
        dated = conn.execute(
            text(
                "SELECT count(*) FROM policies WHERE level = :national AND publish_date IS NOT NULL"
                " AND (is_cbec IS NULL OR is_cbec = :yes)"
            ),
            {"national": NATIONAL, "yes": True},
        ).scalar_one()
        assert timeline_rows(conn, NATIONAL, 0, complete_only=True)[1] == dated, after


def _pending(store: Store) -> int:
    with store.transaction(write=False) as conn:
        return sum(
            int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
            for name in ("policy_tally_change", "policy_theme_tally_change")
        )


def _notice(number: int, title: str | None = None) -> str:
    head = title or f"海关总署关于第{number}批跨境电子商务零售进口监管事项的公告"
    return (
        f"{head}\n海关总署公告2024年第{number}号\n为规范跨境电子商务零售进口监管，现将有关事项公告如下。\n"
        f"一、本公告自2024年{number}月1日起施行。\n海关总署\n2024年{number}月{number}日\n"
    )


def _plain_sql(store: Store, statement: str, values: dict[str, object]) -> None:
    """A script beside the store: plain SQL in a transaction the store does not count."""
    with store.transaction() as conn:
        conn.execute(text(statement), values)


def test_every_kind_of_write_keeps_the_kept_counts_equal_to_the_rows(store: Store, tmp_path: Path) -> None:
    _assert_kept(store, "init")
    template = store.get_policy(TEMPLATE_ID)
    assert template is not None
    one = replace(template, id="test-kept-one", doc_number=None, title="测试用：计数单条")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("save a new policy", lambda: store.save_policy(one)),
        ("its themes, one of them twice", lambda: store.save_policy(replace(one, themes=("tax", "tax", "customs")))),
        ("made local", lambda: store.save_policy(replace(one, level="provincial", themes=("tax",)))),
        ("national again, repealed and ended", lambda: store.save_policy(
            replace(one, status="已失效", end_date=date(2018, 3, 31), themes=("tax", "services")))),
        ("not yet in force", lambda: store.save_policy(replace(one, effective_date=date(2030, 1, 1)))),
        ("undated, without a type", lambda: store.save_policy(
            replace(one, publish_date=None, effective_date=None, policy_type=None, paper=None))),
        ("excluded as not CBEC", lambda: set_relevance(store, TEMPLATE_ID, False, "test")),
        ("included again", lambda: set_relevance(store, TEMPLATE_ID, True, "test")),
        ("dated again, with themes", lambda: store.save_policy(replace(one, themes=("tax", "customs")))),
        ("delete_policy", lambda: store.delete_policy("test-kept-one")),
    ]  # fmt: skip
    documents = tmp_path / "documents"
    documents.mkdir()
    for number in range(1, 5):
        (documents / f"n{number}.txt").write_text(_notice(number), encoding="utf-8")
    paths = sorted(str(path) for path in documents.iterdir())

    def retitle_and_update() -> object:
        (documents / "n2.txt").write_text(_notice(2, "海关总署关于调整跨境电子商务监管事项的公告"), encoding="utf-8")
        return ingest_paths(paths, store, update=True, classify=False)

    steps += [
        ("ingest a chunk", lambda: ingest_paths(paths, store, classify=False)),
        ("ingest --update with a new title", retitle_and_update),
    ]
    for name, write in steps:
        write()
        _assert_kept(store, name)
        assert _pending(store) == 0, f"{name}: the store's write folded its changes"

    ingested = sorted(outcome.policy_id for outcome in ingest_paths(paths, store, classify=False).outcomes)
    delete_ingested(store, ingested[0])
    _assert_kept(store, "delete_ingested")

    # A script's plain SQL: counted by the triggers, summed with the kept counts until a store write folds them.
    plain = [
        ("a level changed", "UPDATE policies SET level = 'municipal' WHERE id = :id", {"id": ingested[1]}),
        ("a date changed", "UPDATE policies SET end_date = :day WHERE id = :id", {"id": TEMPLATE_ID,
                                                                                   "day": date(2020, 1, 1)}),
        ("a theme given twice", "INSERT INTO policy_themes (policy_id, position, theme) VALUES (:id, 90, 'tax')",
         {"id": TEMPLATE_ID}),
        ("a theme changed", "UPDATE policy_themes SET theme = 'finance' WHERE policy_id = :id AND position = 90",
         {"id": TEMPLATE_ID}),
        ("a theme removed", "DELETE FROM policy_themes WHERE policy_id = :id AND position = 0", {"id": TEMPLATE_ID}),
        ("a policy without themes deleted", "DELETE FROM policies WHERE id = :id", {"id": ingested[2]}),
        ("a policy with themes deleted", "DELETE FROM policies WHERE id = :id", {"id": TEMPLATE_ID}),
    ]  # fmt: skip
    for name, statement, values in plain:
        _plain_sql(store, statement, values)
        _assert_kept(store, f"plain SQL: {name}")
    assert _pending(store) > 0
    store.save_policy(one)
    assert _pending(store) == 0
    _assert_kept(store, "the next store write folds the script's changes")


def test_a_database_made_before_the_kept_counts_gets_them_filled(store_url: str) -> None:
    store = open_store(store_url)
    try:
        template = store.get_policy(TEMPLATE_ID)
        assert template is not None
        old = replace(template, id="test-kept-old", doc_number=None, title="测试用：旧库", level="municipal")
        store.save_policy(old)
        with store.transaction() as conn:  # as an older version left it: no tallies, no triggers
            for name in ("policy_tally", "policy_tally_change", "policy_theme_tally", "policy_theme_tally_change"):
                conn.execute(text(f"DROP TABLE {name}"))
            for name in (
                "policy_tally_insert",
                "policy_tally_update",
                "policy_tally_delete",
                "policy_theme_tally_insert",
                "policy_theme_tally_delete",
                "policy_theme_tally_update",
            ):
                if store.dialect == "sqlite":
                    conn.execute(text(f"DROP TRIGGER {name}"))
                else:
                    conn.execute(text(f"DROP FUNCTION {name}() CASCADE"))  # its trigger goes with it
    finally:
        store.close()
    store = open_store(store_url)
    try:
        with store.transaction(write=False) as conn:
            kept = conn.execute(text("SELECT sum(n) FROM policy_tally")).scalar_one()
        assert kept == sum(1 for p in store.list_policies() if p.is_cbec is not False)
        _assert_kept(store, "filled on open")
        store.delete_policy("test-kept-old")
        _assert_kept(store, "a write after the fill")
    finally:
        store.close()


def test_a_writer_does_not_wait_for_another_writers_open_transaction(store: Store) -> None:
    # PostgreSQL: the triggers only append changes, so a writer holding its transaction open
    # (a long ingest chunk) does not make a second writer wait on the counts' rows.
    if store.dialect != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's (SQLite takes one writer at a time)")
    template = store.get_policy(TEMPLATE_ID)
    assert template is not None
    held = threading.Event()
    release = threading.Event()

    def open_writer() -> None:
        with store.transaction() as conn:
            conn.execute(text("UPDATE policies SET status = '已被修改' WHERE id = :id"), {"id": TEMPLATE_ID})
            held.set()
            release.wait(30)

    thread = threading.Thread(target=open_writer)
    thread.start()
    try:
        assert held.wait(30)
        started = time.monotonic()
        store.save_policy(replace(template, id="test-kept-beside", doc_number=None, title="测试用：并行写入"))
        waited = time.monotonic() - started
        assert waited < 10, f"the second writer waited {waited:.1f} s for the open transaction"
        _assert_kept(store, "a write beside an open transaction")
    finally:
        release.set()
        thread.join(30)
    _assert_kept(store, "both committed")
    kept = store.get_policy(TEMPLATE_ID)
    assert kept is not None and kept.status == "已被修改"

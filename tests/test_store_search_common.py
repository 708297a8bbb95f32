"""Words found in most documents: the first page comes from a few rows and equals the fully ranked answer.

The corpus is built here: 80 policies added to the bundled 59, dated one apart, holding a common
word (in 80 of 139 documents, some in the summary, two in the title) as often as their number
says, a medium word (in 20), and a word just at half of the documents. Expected pages are
worked out from those documents alone (dates, columns), or from the fully ranked path of the
same store (SQLite's bm25 over every match; PostgreSQL's body index over every match).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from cbec_policy.query import Term, parse_query
from cbec_policy.store import Store, search_common, search_pg
from cbec_policy.store import search as search_module
from cbec_policy.store.filters import PolicyFilters

COMMON, MEDIUM, EDGE = "甲乙丙丁戊", "庚辛壬癸子", "卯辰巳午未"
ADDED = 80
SUMMARY_AT, TITLE_AT = {3, 17, 40}, {5, 60}
MEDIUM_AT = set(range(0, ADDED, 4))  # 20 documents


def _day(i: int) -> date:
    # Not in the order of the numbers, so newest first differs from the order of the counts.
    return date(2001, 1, 1) + timedelta(days=(i * 37) % ADDED)


def _text(i: int) -> str:
    filler = "本文件为测试所写，内容无实际意义。"
    parts = [filler * (1 + i % 7)]
    parts += [f"第{n}段提到{COMMON}。" for n in range(1 + i % 5)]
    if i in MEDIUM_AT:
        parts += [f"另见{MEDIUM}。"] * (1 + i % 3)
    return "".join(parts) + filler


def _add_corpus(store: Store) -> dict[str, date]:
    template = store.get_policy("2016-caiguanshui-18")
    assert template is not None
    days = {}
    for i in range(ADDED):
        policy_id = f"test-common-{i:03d}"
        days[policy_id] = _day(i)
        title = f"测试文件第{i}号{'（' + COMMON + '）' if i in TITLE_AT else ''}"
        summary = f"摘要提到{COMMON}。" if i in SUMMARY_AT else "测试摘要。"
        added = replace(
            template, id=policy_id, title=title, doc_number=None, summary=summary, full_text=_text(i),
            publish_date=days[policy_id], effective_date=None, relations=(), paper=None,
        )  # fmt: skip
        assert store.save_policy(added) == "new"
    return days


def _newest(ids: list[str], days: dict[str, date]) -> list[str]:
    return sorted(ids, key=lambda i: (days[i], i), reverse=True)


def _page(store: Store, query: str, limit: int, **filters: object) -> list[tuple[str, float]]:
    return [(hit.policy.id, hit.score) for hit in store.search(query, limit=limit, filters=PolicyFilters(**filters))]


def test_the_first_page_of_a_common_word_is_its_tiers_newest_first_on_both_backends(store: Store) -> None:
    days = _add_corpus(store)
    titles = {f"test-common-{i:03d}" for i in TITLE_AT}
    summaries = {f"test-common-{i:03d}" for i in SUMMARY_AT}
    texts = _newest([i for i in days if int(i[-3:]) not in SUMMARY_AT | TITLE_AT], days)
    hits = _page(store, COMMON, 21)
    assert {i for i, _ in hits[:2]} == titles and all(score >= 2 for _, score in hits[:2])
    assert {i for i, _ in hits[2:5]} == summaries and all(1 <= score < 2 for _, score in hits[2:5])
    # The text tier newest first, the same page on SQLite and PostgreSQL; further pages continue it.
    assert hits[5:] == [(i, 0.0) for i in texts[:16]]
    assert [i for i, _ in _page(store, COMMON, 60)[5:]] == texts[:55]
    if store.dialect == "sqlite":  # bm25 cannot order the summary tier either: newest first
        assert hits[2:5] == [(i, 1.0) for i in _newest(list(summaries), days)]


def _ranked(store: Store, query: str, limit: int, monkeypatch: pytest.MonkeyPatch, **filters: object) -> list:
    with monkeypatch.context() as patch:
        patch.setattr(search_module, "unrankable", lambda conn, terms: False)
        store._search_cache = search_module.SearchCache()  # a fresh ranking, not the cached one
        return _page(store, query, limit, **filters)


def test_sqlite_gives_the_fully_ranked_hits_and_scores_with_ties_newest_first(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = _add_corpus(sqlite_store)
    with sqlite_store.transaction(write=False) as conn:
        assert search_common.unrankable(conn, parse_query(COMMON).terms)
        assert not search_common.unrankable(conn, parse_query(MEDIUM).terms)
    ranked_all = _ranked(sqlite_store, COMMON, 500, monkeypatch)
    assert len(ranked_all) == ADDED
    # The ranked path's scores differ from the tier only below the fourth decimal (a tie to the
    # user, except in the title tier); the new page is that answer with ties newest first.
    expected = sorted(ranked_all, key=lambda hit: (hit[1], days[hit[0]], hit[0]), reverse=True)
    for limit in (1, 5, 21, 50, 500):
        sqlite_store._search_cache = search_module.SearchCache()
        assert _page(sqlite_store, COMMON, limit) == expected[:limit]
    # The first page really is another choice among equal scores than bm25's sixth decimal.
    ranked_page = _ranked(sqlite_store, COMMON, 21, monkeypatch)
    assert sorted(s for _, s in ranked_page) == sorted(s for _, s in expected[:21])
    assert [i for i, _ in ranked_page] != [i for i, _ in expected[:21]]


def test_sqlite_ranks_a_word_of_fewer_than_half_the_documents_exactly_as_before(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_corpus(sqlite_store)
    for query in (MEDIUM, f"{COMMON} {MEDIUM}", "跨境电子商务"):
        for limit in (5, 21, 200):
            ranked = _ranked(sqlite_store, query, limit, monkeypatch)
            sqlite_store._search_cache = search_module.SearchCache()
            assert _page(sqlite_store, query, limit) == ranked


def test_sqlite_takes_the_newest_path_exactly_when_fts5_floors_the_weight(sqlite_store: Store) -> None:
    """bm25's weight of a phrase is floored at 1e-6 from half of the rows on; the check agrees at the edge."""
    template = sqlite_store.get_policy("2016-caiguanshui-18")
    assert template is not None
    with sqlite_store.transaction(write=False) as conn:
        rows = conn.exec_driver_sql("SELECT count(*) FROM policy_fts").scalar()
    for i in range(rows):  # the word in n = i + 1 of rows + n documents, until that is half
        policy = replace(template, id=f"test-edge-{i:03d}", title=f"边界测试{i}", doc_number=None,
                         summary="", full_text=f"正文{EDGE}。", relations=(), paper=None)  # fmt: skip
        assert sqlite_store.save_policy(policy) == "new"
        with sqlite_store.transaction(write=False) as conn:
            weights = [-value for (value,) in conn.exec_driver_sql(
                "SELECT bm25(policy_fts) FROM policy_fts WHERE policy_fts MATCH ?", (f'"{EDGE}"',))]  # fmt: skip
            decided = search_common.unrankable(conn, parse_query(EDGE).terms)
        half = 2 * (i + 1) >= rows + i + 1
        assert (max(weights) < 2.2e-6) == half == decided, i
        if half:
            break
    assert half


def test_sqlite_newest_path_reads_the_index_when_the_newest_rows_hold_too_few(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = _add_corpus(sqlite_store)
    full = _page(sqlite_store, COMMON, 500)
    monkeypatch.setattr(search_common, "WALK_MIN", 3)
    monkeypatch.setattr(search_common, "WALK_PER_HIT", 1)
    for limit in (5, 21, 500):
        sqlite_store._search_cache = search_module.SearchCache()
        assert _page(sqlite_store, COMMON, limit) == full[:limit]
    # A filter leaving few candidates: the full answer's hits that pass it, in the same order.
    cutoff = date(2001, 1, 20)
    sqlite_store._search_cache = search_module.SearchCache()
    narrowed = _page(sqlite_store, COMMON, 500, date_to=cutoff)
    assert narrowed == [hit for hit in full if days[hit[0]] <= cutoff] and len(narrowed) == 20


def test_postgresql_text_tier_walk_equals_the_body_index_answer(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    if store.dialect != "postgresql":
        pytest.skip("the newest-first walk of the body is PostgreSQL's")
    _add_corpus(store)
    queries = (COMMON, MEDIUM, f"{COMMON} {MEDIUM}", "跨境电子商务", "退运")
    walked = {(q, n): _page(store, q, n) for q in queries for n in (1, 5, 21, 200)}
    # Walks that find nothing: the few-hits probe or the whole body index answers every page.
    monkeypatch.setattr(search_pg, "_newest_walk", lambda *args: [])
    for (query, limit), hits in walked.items():
        store._search_cache = search_module.SearchCache()
        assert _page(store, query, limit) == hits, (query, limit)


def test_sqlite_a_synonym_found_nowhere_keeps_the_newest_path_and_the_ranked_answer(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form no document holds adds nothing to bm25: the page equals the ranked one, ties newest first."""
    days = _add_corpus(sqlite_store)
    with_absent = replace(parse_query(COMMON), terms=(Term(None, (COMMON, "Nowhere Phrase")),))
    cased_common = replace(parse_query(COMMON), terms=(Term(None, (COMMON, "Test")),))
    for index, policy_id in enumerate(sorted(days)[: ADDED // 2 + 40]):  # "test" in more than half the rows
        policy = sqlite_store.get_policy(policy_id)
        assert (
            policy is not None
            and sqlite_store.save_policy(replace(policy, full_text=f"{policy.full_text} test{index}")) == "updated"
        )
    with sqlite_store.transaction(write=False) as conn:
        assert search_common.unrankable(conn, with_absent.terms)
        assert not search_common.unrankable(conn, cased_common.terms)
        assert not search_common.unrankable(conn, (Term(None, ("Nowhere Phrase",)),))
    ranked = _ranked(sqlite_store, with_absent, 500, monkeypatch)
    assert len(ranked) == ADDED
    expected = sorted(ranked, key=lambda hit: (hit[1], days[hit[0]], hit[0]), reverse=True)
    for limit in (1, 21, 500):
        sqlite_store._search_cache = search_module.SearchCache()
        assert _page(sqlite_store, with_absent, limit) == expected[:limit]


def test_postgresql_title_tier_is_shortest_title_first_by_either_plan(store: Store) -> None:
    """A word of many titles: the first page is the shortest titles, newest first among equals.

    Worked out from the titles alone. The same page must come whether the server walks the
    title-length index (its choice for a word in most titles) or finds every match by the
    trigram index and sorts them (index scans switched off for the comparison).
    """
    if store.dialect != "postgresql":
        pytest.skip("ordering the title tier by the title's length is PostgreSQL's")
    word = "寅卯辰巳"
    titles = _add_titled(store, word, 60)
    by_length = sorted(titles, key=lambda i: (-titles[i][0], titles[i][1], i), reverse=True)
    terms = parse_query(word).terms
    with store._engine.connect() as conn:
        chosen = search_pg.postgresql_search(conn, terms, 12, None, search_module._TIER_COLUMNS)
        conn.exec_driver_sql("SET enable_indexscan = off")
        sorted_by_server = search_pg.postgresql_search(conn, terms, 12, None, search_module._TIER_COLUMNS)
        conn.rollback()
    assert [policy_id for policy_id, _ in chosen] == by_length[:12]
    assert sorted_by_server == chosen
    scores = [score for _, score in chosen]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) > 1
    assert _page(store, word, 12) == [(i, round(score, 4)) for i, score in chosen]


def _add_titled(store: Store, word: str, count: int) -> dict[str, tuple[int, date]]:
    """``count`` policies with ``word`` in their titles of repeating lengths: (length, date) by id."""
    template = store.get_policy("2016-caiguanshui-18")
    assert template is not None
    titles: dict[str, tuple[int, date]] = {}
    for i in range(count):
        policy_id = f"test-title-{i:03d}"
        # Lengths repeat (i % 9), so ties on length are broken by the date, then the id.
        title = f"关于{word}{'的有关' * (i % 9)}事项的通知"
        day = date(2010, 1, 1) + timedelta(days=(i * 13) % 60)
        titles[policy_id] = (len(title), day)
        added = replace(
            template, id=policy_id, title=title, doc_number=None, summary="测试摘要。", full_text="正文。",
            publish_date=day, effective_date=None, relations=(), paper=None,
        )  # fmt: skip
        assert store.save_policy(added) == "new"
    return titles


@pytest.mark.parametrize("stretches", ["as set", "one row, then two"])
def test_postgresql_title_tier_gives_the_same_page_by_every_way_of_finding_it(
    store: Store, monkeypatch: pytest.MonkeyPatch, stretches: str
) -> None:
    """Shortest titles first, newest first among equals, for pages smaller and larger than the matches.

    With the stretches cut to one row and then two, the first looks fall short: a page of
    fewer hits than the 30 matches comes from the trigram indexes (every match sorted), a
    larger one from the probe that finds them all.
    """
    if store.dialect != "postgresql":
        pytest.skip("the title tier's stretches and probes are PostgreSQL's")
    word = "申酉戌亥"
    titles = _add_titled(store, word, 30)
    by_length = sorted(titles, key=lambda i: (-titles[i][0], titles[i][1], i), reverse=True)
    if stretches != "as set":
        for name, value in (("FIRST_MIN", 1), ("FIRST_PER_HIT", 0), ("WALK_MIN", 2), ("WALK_PER_HIT", 0)):
            monkeypatch.setattr(search_pg, name, value)
    for limit in (1, 7, 29, 30, 31, 100):
        store._search_cache = search_module.SearchCache()
        assert [policy_id for policy_id, _ in _page(store, word, limit)] == by_length[:limit], limit
    narrowed = _page(store, word, 100, date_to=date(2010, 1, 31))
    assert [i for i, _ in narrowed] == [i for i in by_length if titles[i][1] <= date(2010, 1, 31)]


def test_postgresql_a_word_in_no_document_is_looked_up_by_the_trigram_indexes(store: Store) -> None:
    """No statement of the search scans a whole table, whichever plan the server would prefer.

    The planner cannot price the bodies (compressed apart from their rows) nor tell a rare
    Chinese word from a common one, and at 100,000 policies it scanned every body for a word
    found in none: 10 s. Each statement the search sends is explained on the same cursor,
    in the same transaction, so with the settings the search gave it.
    """
    if store.dialect != "postgresql":
        pytest.skip("planner settings for the trigram indexes are PostgreSQL's")
    from sqlalchemy import event

    plans: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "LIKE" in statement:
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    engine = store._engine
    event.listen(engine, "before_cursor_execute", explain)
    try:
        assert store.search("综试区不存在的词", limit=20) == []
        found = [hit.policy.id for hit in store.search("退运商品", limit=20)]
    finally:
        event.remove(engine, "before_cursor_execute", explain)
    assert found, "the bundled corpus has documents on returned goods"
    for policy_id in found:
        policy = store.get_policy(policy_id)
        assert policy is not None and "退运商品" in f"{policy.title}{policy.summary}{policy.full_text}"
    everything = "\n".join(plans)
    assert "Seq Scan on policy_search" not in everything and "Seq Scan on policies" not in everything
    assert "Bitmap Index Scan on ix_policy_search_body" in everything
    assert "Bitmap Index Scan on ix_policies_title_trgm" in everything
    with store._engine.connect() as conn:  # the settings were put back for the reads that follow
        assert [conn.exec_driver_sql(f"SHOW {name}").scalar() for name in search_pg._WHOLE_SCANS] == ["on"] * 3

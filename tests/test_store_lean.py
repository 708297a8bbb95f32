"""Lean reads on both backends: the hit type's fields, index snippets, and keyset pages that hold still.

Expected values come from the bundled reference data (national_policies.csv through the
loader), not from what the store happens to return.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date

from cbec_policy.reference.loader import load_national_policies
from cbec_policy.store import Store
from cbec_policy.store.filters import PolicyFilters
from cbec_policy.store.finding import cursor_of
from cbec_policy.store.records import PolicyBrief
from cbec_policy.web.stats import TIMELINE_LIMIT, dashboard_stats, store_dashboard_stats

LIST_FIELDS = {"id", "title", "doc_number", "issuers", "publish_date", "effective_date", "end_date", "status",
               "level", "region", "policy_type", "themes", "is_cbec", "summary"}  # fmt: skip


def test_a_hit_carries_the_list_fields_and_no_text(store: Store) -> None:
    assert {f.name for f in dataclasses.fields(PolicyBrief)} == LIST_FIELDS  # no full text, evidence, relations
    bundled = {p.id: p for p in load_national_policies()}
    hits = store.search("跨境电子商务零售进口税收政策")
    assert "2016-caiguanshui-18" in {hit.policy.id for hit in hits}
    for hit in hits:
        expected = bundled[hit.policy.id]
        brief = hit.policy
        assert (brief.title, brief.doc_number, brief.publish_date, brief.status, brief.policy_type) == (
            expected.title, expected.doc_number, expected.publish_date, expected.status, expected.policy_type,
        )  # fmt: skip
        assert brief.issuers == expected.issuers and brief.themes == expected.themes


def test_snippets_mark_the_hit_in_the_text(store: Store) -> None:
    template = store.get_policy("2016-caiguanshui-18")
    assert template is not None
    filler = "各地要结合本地实际，明确责任分工。" * 40
    text = filler + "对海外仓储示范企业给予支持。" + filler
    store.save_policy(replace(template, id="test-lean-text", doc_number=None, title="测试用：长文", summary="",
                              full_text=text))  # fmt: skip
    hit = next(h for h in store.search("海外仓储示范") if h.policy.id == "test-lean-text")
    assert "【" in hit.snippet and "】" in hit.snippet
    marked = hit.snippet.replace("【", "").replace("】", "").strip("…")
    assert "海外仓储示范" in marked and marked in text and len(marked) < 200


def _walk(store: Store, per_page: int, order: str) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        page = store.list_briefs(PolicyFilters(), order=order, after=after, limit=per_page)
        ids.extend(brief.id for brief in page)
        if len(page) < per_page:
            return ids
        after = cursor_of(page[-1], order)


def test_keyset_pages_cover_every_policy_once_in_date_order(store: Store) -> None:
    bundled = load_national_policies()
    newest_first = sorted(bundled, key=lambda p: (p.publish_date or date.min, p.id), reverse=True)
    assert _walk(store, 7, "date_desc") == [p.id for p in newest_first]
    assert _walk(store, 7, "date_asc") == [p.id for p in reversed(newest_first)]


def test_a_page_holds_still_when_newer_policies_arrive(store: Store) -> None:
    first = store.list_briefs(PolicyFilters(), order="date_desc", limit=10)
    cursor = cursor_of(first[-1], "date_desc")
    before = [b.id for b in store.list_briefs(PolicyFilters(), order="date_desc", after=cursor, limit=10)]
    template = store.get_policy("2016-caiguanshui-18")
    assert template is not None
    newest = max(p.publish_date for p in load_national_policies() if p.publish_date)
    store.save_policy(replace(template, id="test-lean-newest", doc_number=None, title="测试用：最新",
                              publish_date=date(newest.year + 1, 1, 1)))  # fmt: skip
    after = [b.id for b in store.list_briefs(PolicyFilters(), order="date_desc", after=cursor, limit=10)]
    assert after == before  # an offset would have shifted every later page by one
    assert store.list_briefs(PolicyFilters(), order="date_desc", limit=1)[0].id == "test-lean-newest"


def test_the_grouped_counts_give_the_dashboard_of_the_full_policies(store: Store) -> None:
    # Beside the bundled corpus: a local document, one judged not CBEC, an undated one, one
    # without a type, one of unknown level, repealed and ended ones, one not yet in force, and
    # a theme given twice, so every group and every in-force verdict is exercised.
    template = store.get_policy("2016-caiguanshui-18")
    assert template is not None
    day = date(2024, 6, 30)
    extras = [
        dict(level="municipal"), dict(is_cbec=False), dict(publish_date=None, effective_date=None),
        dict(policy_type=None, paper=None), dict(level="unknown"), dict(status="已失效", end_date=None),
        dict(status="已失效", end_date=date(2020, 1, 1)), dict(effective_date=date(2030, 1, 1)),
        dict(status="unknown", end_date=None), dict(end_date=day), dict(effective_date=day),
        dict(themes=("tax", "tax", "services")),
    ]  # fmt: skip
    for number, changes in enumerate(extras):
        title = f"测试用：分组计数{number}"
        store.save_policy(replace(template, id=f"test-tally-{number}", doc_number=None, title=title, **changes))
    zones, batches, trade = store.list_zones(), store.list_batches(), store.list_trade_stats()
    full = dashboard_stats(store.list_cbec_policies(), zones, batches, trade, day)
    assert store_dashboard_stats(store, zones, batches, trade, day) == full
    national = len(load_national_policies())
    assert full["counts"]["policies"] == national + 9  # the local, excluded and unknown-level ones are apart
    assert full["counts"]["local_policies"] == 1 and full["counts"]["policies_level_unknown"] == 1
    assert full["counts"]["policies_undated"] == 1


def test_the_timeline_lists_the_newest_and_tells_how_many_there_are(store: Store) -> None:
    zones, batches, trade, day = store.list_zones(), store.list_batches(), store.list_trade_stats(), date(2024, 6, 30)
    stats = store_dashboard_stats(store, zones, batches, trade, day)
    dated = sorted((p for p in load_national_policies() if p.publish_date), key=lambda p: (p.publish_date, p.id))
    assert stats["timeline_total"] == len(dated)
    assert [item["id"] for item in stats["timeline"]] == [p.id for p in dated[-TIMELINE_LIMIT:]]

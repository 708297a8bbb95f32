"""The store on SQLite and PostgreSQL: init, filters, validity on a date, relations, documents, saving."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

import reference_counts
from cbec_policy.errors import InputError
from cbec_policy.models import Policy, Relation
from cbec_policy.store import Store, loading, policy_rows

# Hand count from national_policies.csv: proposed_type 税收类, read row by row against
# status, effective/publish date and end date for 2024-06-30. Left out: 2025-sat-announce-3
# (published 2025-01-27) and 2026-announce-16 (effective 2026-01-01).
TAX_IN_FORCE_2024_06_30 = {
    "2013-caishui-96",  # 现行有效 since 2014-01-01
    "2016-caiguanshui-18",  # 部分失效: still partly in force
    "2018-caishui-103",
    "2018-caiguanshui-49",
    "2019-sat-announce-36",
    "2023-announce-4",  # 已被修改, runs to 2025-12-31
    "2023-announce-34",  # 已失效 now, but its end date is 2025-12-31
}


def test_init_again_changes_nothing(store: Store) -> None:
    summary = store.init()
    assert not summary.changed
    assert summary.tables["policies"].unchanged == 59  # 26 Table 1 rows + 33 verified additions
    assert summary.tables["pilot_zones"].unchanged == reference_counts.zones_approved()
    assert summary.tables["pilot_batches"].unchanged == len(reference_counts.batch_numbers())
    assert all(counts.new == counts.updated == 0 for counts in summary.tables.values())


def test_first_init_counts_every_bundled_row_as_new(tmp_path) -> None:
    from cbec_policy.store import open_store

    with open_store(f"sqlite:///{tmp_path / 'fresh.sqlite3'}") as fresh:
        first = fresh.init()
        second = fresh.init()
    assert first.changed and not second.changed
    assert first.tables["policies"].new == 59
    assert first.tables["pilot_zones"].new == reference_counts.zones_approved()
    assert first.tables["pilot_batches"].new == len(reference_counts.batch_numbers())
    assert "nothing changed" in "\n".join(second.lines())


def test_a_changed_bundled_row_is_an_update_that_keeps_ingested_text(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = store.get_policy("2016-caiguanshui-18")
    assert original is not None and original.full_text is None
    # An ingest attaches the document's text to the bundled policy ...
    store.save_policy(dataclasses.replace(original, full_text="正文：本通知就零售进口税收作出安排。"))
    # ... then a later release corrects the bundled row's notes.
    bundled = loading.load_national_policies()
    changed = [
        dataclasses.replace(p, notes=p.notes + " Corrected.") if p.id == "2016-caiguanshui-18" else p for p in bundled
    ]
    monkeypatch.setattr(loading, "load_national_policies", lambda: changed)
    summary = store.init()
    assert summary.tables["policies"].updated == 1
    assert summary.tables["policies"].unchanged == 58
    upgraded = store.get_policy("2016-caiguanshui-18")
    assert upgraded is not None
    assert upgraded.notes.endswith("Corrected.")
    assert upgraded.full_text == "正文：本通知就零售进口税收作出安排。"
    assert not store.init().changed


def test_tax_policies_in_force_on_2024_06_30_match_the_hand_count(store: Store) -> None:
    found = store.list_policies(policy_type="税收类", in_force_on=date(2024, 6, 30))
    assert {p.id for p in found} == TAX_IN_FORCE_2024_06_30
    assert [p.publish_date for p in found] == sorted(p.publish_date for p in found)


def test_repealed_with_unknown_end_date_is_kept_and_undecided(store: Store) -> None:
    # 已失效 rows without an end date in national_policies.csv: the day they stopped is unknown.
    day = date(2016, 6, 1)
    found = {p.id: p for p in store.list_policies(in_force_on=day)}
    for policy_id in ("2014-gacc-56", "2015-huifa-7"):
        assert policy_id in found
        assert found[policy_id].in_force_on(day) is None
    # Published after the day: never in force then.
    assert "2016-gacc-26" not in {p.id for p in store.list_policies(in_force_on=date(2016, 4, 1))}


def test_type_filter_takes_code_or_chinese_label(store: Store) -> None:
    assert len(store.list_policies(policy_type="税收类")) == 9  # proposed_type 税收类 in the CSV
    assert {p.id for p in store.list_policies(policy_type="tax")} == {
        p.id for p in store.list_policies(policy_type="税收类")
    }


def test_issuer_filter_is_alias_aware(store: Store) -> None:
    full = store.list_policies(issuer="国家税务总局")
    assert len(full) == 12  # rows whose issuers include 国家税务总局
    assert [p.id for p in store.list_policies(issuer="税务总局")] == [p.id for p in full]


def test_theme_status_level_and_dates_filter(store: Store) -> None:
    tax_theme = store.list_policies(theme="税收")
    assert tax_theme and all("tax" in p.themes for p in tax_theme)
    repealed = store.list_policies(status="已失效")
    assert len(repealed) == 8 and all(p.status == "已失效" for p in repealed)
    assert len(store.list_policies(level="国家级")) == 59
    in_2018 = store.list_policies(date_from=date(2018, 1, 1), date_to=date(2018, 12, 31))
    assert in_2018 and all(p.publish_date.year == 2018 for p in in_2018)
    assert "2018-caiguanshui-49" in {p.id for p in in_2018}


@pytest.mark.parametrize("value", ["财税类", "unknown-type"])
def test_unknown_type_is_an_input_error(store: Store, value: str) -> None:
    with pytest.raises(InputError, match="policy type"):
        store.list_policies(policy_type=value)


def test_unknown_theme_region_are_input_errors(store: Store) -> None:
    with pytest.raises(InputError, match="theme"):
        store.list_policies(theme="电商")
    with pytest.raises(InputError, match="region"):
        store.list_zones(region="南部")


@pytest.mark.parametrize(
    "written",
    ["财关税〔2016〕18号", "财关税[2016]18号", "财关税(2016)18号", "财关税（2016）18号", "财关税 〔2016〕 18 号"],
)
def test_get_policy_by_document_number_in_any_bracket_form(store: Store, written: str) -> None:
    policy = store.get_policy(written)
    assert policy is not None and policy.id == "2016-caiguanshui-18"
    assert policy.paper is not None and policy.paper.date_text == "2016.03.24"
    assert policy.issuers == ("财政部", "海关总署", "国家税务总局")


def test_get_policy_unknown_is_none(store: Store) -> None:
    assert store.get_policy("财关税〔2099〕1号") is None
    assert store.get_policy("") is None


def test_relations_are_seen_from_both_sides(store: Store) -> None:
    amended = dict((other.id, kind) for kind, other in store.relations_of("2016-caiguanshui-18"))
    assert amended["2018-caiguanshui-49"] == "amended_by"
    amending = dict((other.id, kind) for kind, other in store.relations_of("2018-caiguanshui-49"))
    assert amending["2016-caiguanshui-18"] == "amends"
    # 国函〔2025〕40号 amends the three batch replies that named 海口, 三亚 and 阿拉山口.
    batch8 = {other.id for kind, other in store.relations_of("2025-guohan-40") if kind == "amends"}
    assert batch8 == {"2018-guohan-93", "2020-guohan-47", "2022-guohan-8"}
    # Written on both rows in the CSV, listed once.
    kinds = [kind for kind, other in store.relations_of("2023-announce-34") if other.id == "2026-announce-16"]
    assert kinds == ["extended_by"]


def test_round_trip_keeps_every_field(store: Store) -> None:
    bundled = {p.id: p for p in loading.load_national_policies()}
    for policy in store.list_policies():
        assert policy == bundled[policy.id]


def _new_policy(**changes: object) -> Policy:
    base = Policy(
        id="test-local-1",
        title="某市关于促进跨境电子商务发展的若干措施（测试文件）",
        doc_number="某政办〔2021〕7号",
        issuers=("某市人民政府办公室",),
        publish_date=date(2021, 5, 6),
        effective_date=None,
        end_date=None,
        status="现行有效",
        level="municipal",
        policy_type="comprehensive",
        themes=("services",),
        relations=(Relation("implements", "2020-guohan-47"),),
        summary="测试用的虚构地方文件摘要。",
        full_text="第一条 本条为测试而写，暗号甲乙丙丁，不含真实政策内容。",
        source="tests/fixture.txt",
        region="某省 某市",
    )
    return dataclasses.replace(base, **changes)


def test_save_policy_new_unchanged_updated(store: Store) -> None:
    policy = _new_policy()
    assert store.save_policy(policy, original_text="原文") == "new"
    assert store.save_policy(policy, original_text="原文") == "unchanged"
    assert store.save_policy(dataclasses.replace(policy, notes="复核后补充")) == "updated"
    stored = store.get_policy("某政办[2021]7号")
    assert stored is not None and stored.notes == "复核后补充" and stored.issuers == ("某市人民政府办公室",)
    assert ("implemented_by", "test-local-1") in [(k, o.id) for k, o in store.relations_of("2020-guohan-47")]
    assert store.list_policies(level="市级") == [stored]


def test_saved_text_is_searchable_and_reindexed_on_update(store: Store) -> None:
    store.save_policy(_new_policy())
    assert [h.policy.id for h in store.search("甲乙丙丁")] == ["test-local-1"]
    assert [h.policy.id for h in store.search("乙丙")] == ["test-local-1"]  # 2 characters: LIKE fallback
    store.save_policy(_new_policy(full_text="第一条 改写后的测试条文，暗号戊己庚辛。"))
    assert store.search("甲乙丙丁") == []
    assert [h.policy.id for h in store.search("戊己庚辛")] == ["test-local-1"]


def test_invalid_policy_is_rejected_and_nothing_written(store: Store) -> None:
    with pytest.raises(InputError, match="test-local-1"):
        store.save_policy(_new_policy(themes=("not-a-theme",)))
    with pytest.raises(InputError, match="status"):
        store.save_policy(_new_policy(status="有效"))
    assert store.get_policy("test-local-1") is None


def test_failure_half_way_leaves_nothing_behind(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_index(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index failure")

    # The main row and the link rows are written before the full-text entry fails.
    monkeypatch.setattr(policy_rows, "index_policy", broken_index)
    with pytest.raises(RuntimeError):
        store.save_policy(_new_policy())
    monkeypatch.undo()
    assert store.get_policy("test-local-1") is None
    assert store.count_policies() == 59
    assert store.save_policy(_new_policy()) == "new"


def test_find_matching_policy(store: Store) -> None:
    assert store.find_matching_policy("财关税[2016]18号", None, None) == "2016-caiguanshui-18"
    title = "财政部 海关总署 国家税务总局关于跨境电子商务零售进口税收政策的通知"
    assert store.find_matching_policy(None, f"《{title}》", date(2016, 3, 24)) == "2016-caiguanshui-18"
    assert store.find_matching_policy(None, title, date(2017, 1, 1)) is None
    assert store.find_matching_policy("某发〔2030〕1号", "没有这个文件", None) is None


def test_trade_stats_keep_preliminary_and_survey_releases(store: Store) -> None:
    rows = [t for t in store.list_trade_stats() if t.year == 2022 and t.period == "full-year"]
    assert {(t.release, t.total) for t in rows} == {("preliminary", 21100.0), ("survey", 20578.0)}
    assert len(store.list_positive_list_versions()) == 5


def test_deleted_policy_leaves_no_search_entry(store: Store) -> None:
    store.save_policy(_new_policy())
    assert store.delete_policy("test-local-1")
    assert store.get_policy("test-local-1") is None
    assert store.search("甲乙丙丁") == []
    assert not store.delete_policy("test-local-1")


def test_search_survives_vacuum(sqlite_store: Store, sqlite_store_url: str) -> None:
    import sqlite3

    # Delete a row early in the table so VACUUM has rowids it may renumber, then compact by hand.
    assert sqlite_store.delete_policy("2013-guobanfa-89")
    with sqlite3.connect(sqlite_store_url.removeprefix("sqlite:///"), isolation_level=None) as conn:
        conn.execute("VACUUM")
        assert conn.execute("SELECT count(*) FROM policy_fts").fetchone() == (58,)
    assert {hit.policy.id for hit in sqlite_store.search("退运")} == {
        "2023-announce-4",
        "2023-announce-34",
        "2026-announce-16",
    }
    assert sqlite_store.search("财关税[2016]18号")[0].policy.id == "2016-caiguanshui-18"


def test_relations_list_the_stated_ones_first_in_their_order(store: Store) -> None:
    # A policy page lists what a policy says of others in its own order, then what others say of it.
    bundled = {p.id: p for p in loading.load_national_policies()}
    for policy in bundled.values():
        stated = [(rel.kind, rel.target_id) for rel in policy.relations if rel.target_id in bundled]
        stated = [pair for i, pair in enumerate(stated) if pair not in stated[:i] and pair[1] != policy.id]
        seen = [(kind, other.id) for kind, other in store.relations_of(policy.id)]
        assert seen[: len(stated)] == stated, policy.id
        incoming_from = [other for _, other in seen[len(stated) :]]
        assert incoming_from == sorted(incoming_from), policy.id

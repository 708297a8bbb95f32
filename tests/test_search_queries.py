"""Search as users search: normalised queries, synonyms, field words, filters in the query, lean hits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from cbec_policy.errors import InputError
from cbec_policy.query import expand, parse_query
from cbec_policy.store import Store
from cbec_policy.store.filters import PolicyFilters

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "search_queries.yaml"


def ids(store: Store, text: str, limit: int = 10, **filters: object) -> list[str]:
    return [hit.policy.id for hit in store.search(text, limit=limit, filters=PolicyFilters(**filters))]


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        # The searches of the issue, each with the document it must find (reference data).
        ("行邮税", "2016-caiguanshui-18"),
        ("综试区", "2015-guohan-44"),
        ("跨境電子商務", "2016-caiguanshui-18"),
        ("正面清单", "2016-mof-announce-40"),
        ("9610", "2014-gacc-12"),
        ("9710", "2020-gacc-75"),
        ("税务总局 核定征收", "2019-sat-announce-36"),
    ],
)
def test_queries_of_the_issue_find_their_document(store: Store, query: str, wanted: str) -> None:
    assert wanted in ids(store, query, limit=100)


def test_abbreviation_finds_every_national_approval_of_pilot_zones(store: Store) -> None:
    # 综合试验区 spelled out finds the batch approvals; the abbreviation must find the same ones.
    assert set(ids(store, "综合试验区", limit=50)) <= set(ids(store, "综试区", limit=50))
    assert {"2016-guohan-17", "2018-guohan-93", "2022-guohan-126"} <= set(ids(store, "综试区", limit=50))


def test_short_form_finds_titles_that_spell_the_term_out(store: Store) -> None:
    found = set(ids(store, "跨境电商", limit=100))
    assert "2013-caishui-96" in found  # title: 跨境电子商务, never 跨境电商
    assert "2024-gacc-167" in found  # title: 跨境电商


def test_traditional_and_full_width_queries_equal_simplified(store: Store) -> None:
    assert ids(store, "跨境電子商務 零售進口") == ids(store, "跨境电子商务 零售进口")
    assert ids(store, "ＧＢ／Ｔ 40290") == ids(store, "GB/T 40290")


def test_a_lone_latin_letter_does_not_match_inside_english_summaries(store: Store) -> None:
    for hit in store.search("x", limit=100):
        assert "x" in (hit.policy.title + (hit.policy.doc_number or "")).lower()
    assert len(ids(store, "B", limit=100)) < 10  # "b" is in nearly every English summary


def test_field_words_restrict_the_column(store: Store) -> None:
    in_title = ids(store, "title:退运", limit=50)
    assert set(in_title) == {"2023-announce-4", "2023-announce-34", "2026-announce-16"}
    by_number = ids(store, "number:〔2018〕49号")
    assert by_number == ["2018-caiguanshui-49"]
    by_issuer = set(ids(store, "issuer:外汇局", limit=50))
    assert by_issuer == {"2015-huifa-7", "2019-huifa-13", "2020-huifa-11"}  # the three SAFE documents
    with_text = set(ids(store, "text:positive list", limit=50))
    assert "2016-mof-announce-40" in with_text


def test_title_hits_rank_before_text_hits(store: Store) -> None:
    hits = store.search("零售进口", limit=50)
    in_title = [hit.policy.id for hit in hits if "零售进口" in hit.policy.title]
    assert [hit.policy.id for hit in hits[: len(in_title)]] == in_title


def test_filters_apply_inside_the_search(store: Store) -> None:
    found = store.search("跨境电商", limit=100, filters=PolicyFilters(status="现行有效", policy_type="tax"))
    assert found and all(hit.policy.status == "现行有效" and hit.policy.policy_type == "tax" for hit in found)
    dated = ids(store, "跨境电商", limit=100, date_from=date(2020, 1, 1), date_to=date(2020, 12, 31))
    assert dated and all(policy_id.startswith("2020-") for policy_id in dated)
    with pytest.raises(InputError, match="policy type"):
        store.search("跨境", filters=PolicyFilters(policy_type="财税类"))


def test_hits_are_lean_and_snippets_mark_the_hit(store: Store) -> None:
    hit = store.search("行邮税")[0]
    assert not hasattr(hit.policy, "full_text")
    assert "【postal-article tax】" in hit.snippet


def test_lists_page_by_key(store: Store) -> None:
    first = store.list_briefs(limit=10)
    from cbec_policy.store.finding import cursor_of

    second = store.list_briefs(limit=10, after=cursor_of(first[-1], "date_desc"))
    everything = store.list_briefs(limit=100)
    assert [p.id for p in first + second] == [p.id for p in everything[:20]]
    with pytest.raises(InputError, match="cursor"):
        store.list_briefs(after="not-a-cursor")


def test_status_counts_are_separate(store: Store) -> None:
    counts = store.count_by_status()
    # Bundled corpus (reference/national_policies.csv): 28 现行有效, 15 unknown of 59.
    assert counts["现行有效"] == 28 and counts["unknown"] == 15 and sum(counts.values()) == 59


def test_synonym_expansion_replaces_inside_longer_words() -> None:
    assert "跨境电子商务零售进口" in expand("跨境电商零售进口")
    assert expand("国家税务总局")[0] == "国家税务总局" and "税务总局" in expand("国家税务总局")


def test_unknown_field_name_is_part_of_the_word() -> None:
    parsed = parse_query("10:30")
    assert parsed.terms[0].forms[0] == "10:30" and parsed.terms[0].field is None


def test_benchmark_has_thirty_queries_with_expected_hits() -> None:
    queries = yaml.safe_load(BENCHMARK.read_text(encoding="utf-8"))["queries"]
    assert len(queries) >= 30 and all(item["expect"] for item in queries)


def test_benchmark_queries_reach_the_recall_target(sqlite_store: Store) -> None:
    queries = yaml.safe_load(BENCHMARK.read_text(encoding="utf-8"))["queries"]
    recalls = []
    for item in queries:
        found = ids(sqlite_store, str(item["q"]))
        recalls.append(sum(1 for i in item["expect"] if i in found) / len(item["expect"]))
    assert sum(recalls) / len(recalls) >= 0.95

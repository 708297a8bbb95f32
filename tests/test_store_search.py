"""Full-text search: Chinese substrings of any length, ranking, document numbers, hostile input."""

from __future__ import annotations

import pytest

from cbec_policy.store import Store


def test_two_character_query_uses_the_like_fallback(store: Store) -> None:
    # Titles with 退运 in national_policies.csv (trigrams cannot match a 2-character term).
    assert {hit.policy.id for hit in store.search("退运")} == {
        "2023-announce-4",
        "2023-announce-34",
        "2026-announce-16",
    }


def test_longer_query_finds_substrings_and_ranks_title_hits_first(store: Store) -> None:
    hits = store.search("零售进口", limit=50)
    ids = [hit.policy.id for hit in hits]
    # Every bundled policy with 零售进口 in its title (11 rows) is found.
    for policy_id in ("2016-caiguanshui-18", "2018-caiguanshui-49", "2022-mof-announce-7"):
        assert policy_id in ids
    title_hits = [hit for hit in hits if "零售进口" in hit.policy.title]
    assert len(title_hits) == 11
    assert hits[: len(title_hits)] == title_hits  # title matches outrank text-only matches
    assert all("【零售进口】" in hit.snippet for hit in title_hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_document_number_in_another_bracket_form_is_found(store: Store) -> None:
    assert store.search("财关税[2016]18号")[0].policy.id == "2016-caiguanshui-18"


def test_all_terms_must_match(store: Store) -> None:
    ids = {hit.policy.id for hit in store.search("退运 延续")}
    assert ids == {"2023-announce-34"}  # the only 退运 title that also says 延续


def test_limit_is_respected(store: Store) -> None:
    assert len(store.search("跨境电子商务", limit=3)) == 3


@pytest.mark.parametrize(
    "hostile",
    ["'; DROP TABLE policies; --", '"', "*", "NEAR(", 'NEAR("a" "b")', "税收 OR 1=1", "%", "_", "\\", "a'b", "   "],
)
def test_hostile_queries_neither_fail_nor_change_anything(store: Store, hostile: str) -> None:
    hits = store.search(hostile)
    assert isinstance(hits, list)
    for hit in hits:  # whatever is found really contains the text
        full = store.get_policy(hit.policy.id)  # hits are lean: the full text is on the policy
        text = " ".join([full.title, full.doc_number or "", full.summary, full.full_text or ""])
        assert all(term.lower() in text.lower() for term in hostile.split())
    assert store.count_policies() == 59
    assert store.get_policy("2016-caiguanshui-18") is not None


def test_a_full_text_hit_shows_the_text_around_its_first_occurrence_on_both_backends(store: Store) -> None:
    """The snippet of a word found only in the full text: its first occurrence marked, the same on each backend."""
    from dataclasses import replace

    template = store.get_policy("2016-caiguanshui-18")
    assert template is not None
    text = "第一条 适用范围。" * 12 + "口岸查验结果互认先行。" + "第二条 其他事项。" * 12 + "再次提到口岸查验结果互认。"
    policy = replace(template, id="test-snippet-window", title="测试片段文件", doc_number=None, summary="",
                     full_text=text, relations=(), paper=None)  # fmt: skip
    assert store.save_policy(policy) == "new"
    [hit] = [hit for hit in store.search("查验结果互认", limit=50) if hit.policy.id == "test-snippet-window"]
    assert hit.score < 1  # the full-text tier
    assert "【查验结果互认】先行" in hit.snippet and "适用范围" in hit.snippet and "再次提到" not in hit.snippet

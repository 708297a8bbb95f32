"""The fast matching paths of the classifier say exactly what their specifications say.

The lexicon finds terms with an Aho–Corasick automaton, the cited-number mask searches for
the tail of a document number and walks back, and the language check counts characters with
regular expressions. Each is checked here against its plain definition: hand-written cases
with known answers, plus seeded random strings built from the characters that matter.
"""

from __future__ import annotations

import random

import pytest

from cbec_policy.classify.base import Document
from cbec_policy.classify.lexicon import MAX_EVIDENCE_PER_LABEL, LexiconClassifier
from cbec_policy.classify.textcheck import _CITED_NUMBER, _count_letters, mask_cited_numbers, require_chinese
from cbec_policy.errors import InputError


def _spec_mask(text: str) -> str:
    """The mask as specified: every match of the full pattern blanked with spaces."""
    return _CITED_NUMBER.sub(lambda match: " " * len(match.group()), text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 财关税〔2016〕18号 is the paper's retail import tax notice; cited, it is masked whole
        # (at most four Chinese characters before the bracket count as its prefix: 据财关税)
        ("依据财关税〔2016〕18号执行", "依" + " " * 13 + "执行"),
        ("根据国务院办公厅国办发〔2015〕46号", "根据国务院办公" + " " * 13),
        ("海关总署公告2018年第194号", " " * 16),
        # a bracketed year with no prefix is not a document number
        ("〔2018〕49号", "〔2018〕49号"),
        # ... but the second one has a prefix (号和): whatever Chinese precedes counts, up to four
        ("〔2018〕49号和〔2019〕1号", "〔2018〕49" + " " * 10),
    ],
)
def test_cited_numbers_are_masked_as_specified(text: str, masked: str) -> None:
    assert mask_cited_numbers(text) == masked
    assert mask_cited_numbers(text) == _spec_mask(text)
    assert len(mask_cited_numbers(text)) == len(text)


def test_mask_agrees_with_its_pattern_on_random_strings() -> None:
    pieces = ["财关税", "海关总署", "根据", "公告", "〔", "2018", "〕", "49", "号", "年", "第", " ", "[", "（", "）"]
    rng = random.Random(11)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 16)))
        assert mask_cited_numbers(text) == _spec_mask(text), text


def test_letter_counts_follow_the_character_classes() -> None:
    # 3 Chinese, 2 kana, 3 Latin letters; digits, 〇 and ② are not letters
    assert _count_letters("跨境电アイabc123〇②") == (3, 2, 8)
    with pytest.raises(InputError, match="only 2 of 10 letters"):
        require_chinese("跨境 commerce!!", "sample")
    with pytest.raises(InputError, match="Japanese kana"):
        require_chinese("越境ＥＣの輸入について", "sample")


def _greedy_matches(terms: list[str], text: str) -> list[tuple[str, int]]:
    """Leftmost-longest matching as specified: at each position the longest term, then jump past it."""
    found, position = [], 0
    while position < len(text):
        here = [term for term in terms if text.startswith(term, position)]
        if here:
            term = max(here, key=len)
            found.append((term, position))
            position += len(term)
        else:
            position += 1
    return found


def test_term_matches_equal_a_greedy_longest_first_scan() -> None:
    lexicon = LexiconClassifier()
    index = lexicon._index
    words = [*sorted(lexicon.taxonomy.relevance.terms), "税收政策", "海外仓", "电子商务", "所得税", "企业所得税"]
    rng = random.Random(5)
    for _ in range(300):
        text = "".join(rng.choice(words) if rng.random() < 0.6 else rng.choice("的和，。在") for _ in range(12))
        scan = index.scan("", text)
        got = sorted((index.terms[row], start) for row, starts in scan.text.items() for start in starts)
        assert got == sorted(_greedy_matches(index.terms, text)), text


def test_a_longer_term_carries_the_weights_of_terms_nested_in_it() -> None:
    # 企业所得税 is a type:tax term; the tax theme lists only 所得税, which the longer match hides
    lexicon = LexiconClassifier()
    nested, alone = (lexicon.raw_scores(Document(title="", text=text))[0] for text in ("缴纳企业所得税", "缴纳所得税"))
    assert alone["theme:tax"] > 0
    assert nested["theme:tax"] == pytest.approx(alone["theme:tax"])
    # 跨境电子商务 counts once for relevance, not also as 电子商务 and 跨境
    index = lexicon._index
    column = index.column("is_cbec")
    full, generic = (index.raw(index.scan("", text), 2.0, 3.0, 1.0)[column] for text in ("跨境电子商务", "电子商务"))
    weights = lexicon.taxonomy.relevance.terms
    assert (full, generic) == (weights["跨境电子商务"], weights["电子商务"])


def test_evidence_is_capped_strongest_first_title_first() -> None:
    lexicon = LexiconClassifier()
    text = "支持跨境电商企业发展。" * 100
    result = lexicon.explain(Document(title="关于跨境电商的通知", text=text))
    evidence = [item for item in result.evidence["is_cbec"] if "cue" not in item]
    assert len(evidence) == MAX_EVIDENCE_PER_LABEL
    # 跨境电商 (weight 3) leads; its title hit comes before the body hits, which follow by position
    assert evidence[0] == {"term": "跨境电商", "start": 2, "end": 6, "weight": 3.0, "field": "title"}
    body = [item["start"] for item in evidence[1:] if item["term"] == "跨境电商"]
    assert body == sorted(body) and body[:2] == [2, 13]

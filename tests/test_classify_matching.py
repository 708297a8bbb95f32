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


def _naive_hits(lexicon: LexiconClassifier, text: str) -> dict[str, set[tuple[int, str]]]:
    """Per label, (start, term) of every term occurrence not covered by a longer term of that label."""
    taxonomy = lexicon.taxonomy
    labels = {"is_cbec": taxonomy.relevance}
    labels.update({f"type:{c.code}": c for c in taxonomy.types})
    labels.update({f"theme:{c.code}": c for c in taxonomy.themes})
    labels.update({f"instrument:{c.code}": c for c in taxonomy.instruments})
    found: dict[str, set[tuple[int, str]]] = {}
    for key, category in labels.items():
        spans = [(start, start + len(term), term) for term in category.terms
                 for start in range(len(text)) if text.startswith(term, start)]  # fmt: skip
        covered = {(s, e) for s, e, _t in spans for s2, e2, _t2 in spans if s2 <= s and e <= e2 and (s2, e2) != (s, e)}
        kept = {(s, t) for s, e, t in spans if (s, e) not in covered}
        if kept:
            found[key] = kept
    return found


def test_term_hits_equal_a_naive_search_with_nesting() -> None:
    lexicon = LexiconClassifier()
    terms = [*sorted(lexicon.taxonomy.relevance.terms), "税收政策", "海外仓", "电子商务", "所得税"]
    rng = random.Random(5)
    for _ in range(300):
        text = "".join(rng.choice(terms) if rng.random() < 0.6 else rng.choice("的和，。在") for _ in range(12))
        hits = lexicon._term_hits(Document(title="", text=text))
        got = {key: {(start, term) for _o, _r, term, _w, _f, starts in groups for start in starts}
               for key, (groups, _counts) in hits.items()}  # fmt: skip
        assert got == _naive_hits(lexicon, text), text


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

"""Rule classifier: weighted terms and cues from ``taxonomy.yaml``, no training data needed.

Every label gets a raw score, the sum of its cues found in the document:

* a term in the title counts ``weight × title_multiplier``;
* a term in the body counts ``weight × min(1 + ln(count), repeat_cap)``, damped for long texts;
* a title pattern, document-number pattern or issuer cue counts its weight once.

Inside one label, a match nested in a longer match of the same label is not counted again
(跨境电子商务 does not also count 电子商务), and document numbers cited in the body are skipped
(财关税〔2018〕49号 says nothing about tax). Themes, instruments and relevance turn raw scores into
``1 - exp(-raw / scale)`` and keep the labels at or above the threshold; the policy type is the
type with the largest raw score, its score the share of that type among all positive raws.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, Self

from cbec_policy.classify.base import (
    RELEVANCE_KEY,
    Classification,
    Document,
    LabelledRecord,
    instrument_key,
    theme_key,
    type_key,
)
from cbec_policy.classify.taxonomy import Category, Taxonomy, load_taxonomy
from cbec_policy.classify.textcheck import fold, mask_cited_numbers

# Enough occurrences to show why, without storing every hit of a long document.
MAX_EVIDENCE_PER_LABEL = 40


# One occurrence of a term: (field, start, end, term, weight). Plain tuples: a long document
# yields thousands and they sort by field and position for free.
_Hit = tuple[str, int, int, str, float]


def _trie_regex(terms: Iterable[str]) -> str:
    """One regular expression matching the longest lexicon term at a position.

    The terms are arranged as a trie (``跨境(?:电(?:商|子商务))?``), which the regex engine walks
    far faster than a flat alternation of hundreds of words.
    """
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _drop_nested(hits: list[_Hit]) -> list[_Hit]:
    """Within one label and field, drop a hit lying inside a longer hit of that label.

    One sweep over the hits sorted by start (longest first at equal starts): a hit is nested
    when an earlier hit of the same field reaches at least as far. Two hits of one label never
    share a span (that would be the same term), so "reaches as far" means "is longer".
    """
    kept = []
    reach: dict[str, int] = {}
    for hit in sorted(hits, key=lambda h: (h[0], h[1], -h[2])):
        field, _start, end = hit[0], hit[1], hit[2]
        if reach.get(field, -1) >= end:
            continue
        kept.append(hit)
        reach[field] = max(reach.get(field, -1), end)
    return kept


def _saturate(raw: float, scale: float) -> float:
    return 1.0 - math.exp(-max(raw, 0.0) / scale)


class LexiconClassifier:
    """The rule classifier of :mod:`taxonomy.yaml`; ``fit`` is accepted and ignored."""

    name = "lexicon"

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        # key -> category, in a fixed order: relevance, types, themes, instruments
        self._targets: list[tuple[str, Category]] = [(RELEVANCE_KEY, self.taxonomy.relevance)]
        self._targets += [(type_key(c.code), c) for c in self.taxonomy.types]
        self._targets += [(theme_key(c.code), c) for c in self.taxonomy.themes]
        self._targets += [(instrument_key(c.code), c) for c in self.taxonomy.instruments]
        # term -> [(key, weight)]: each distinct term is searched once per field
        self._terms: dict[str, list[tuple[str, float]]] = {}
        for key, category in self._targets:
            for term, weight in category.terms.items():
                self._terms.setdefault(term, []).append((key, weight))
        # All terms occurring at a position are the longest one there and the terms that are its
        # prefixes, so a single scan for the longest match finds every (overlapping) occurrence.
        self._pattern = re.compile("(?=(" + _trie_regex(self._terms) + "))")
        self._prefixes = {term: [t for t in self._terms if term.startswith(t)] for term in self._terms}

    def fit(self, records: Sequence[LabelledRecord]) -> Self:
        """Nothing to learn: the weights come from the scheme's definitions."""
        return self

    def predict(self, documents: Sequence[Document]) -> list[Classification]:
        """Classify each document (evidence included: it costs nothing extra here)."""
        return [self.explain(document) for document in documents]

    # ------------------------------------------------------------------ scoring

    def _term_hits(self, document: Document) -> dict[str, list[_Hit]]:
        hits: dict[str, list[_Hit]] = {}
        for field, value in (("title", document.title), ("text", mask_cited_numbers(document.text))):
            folded = fold(value)
            if not folded:
                continue
            for match in self._pattern.finditer(folded):
                start = match.start()
                for term in self._prefixes[match.group(1)]:
                    for key, weight in self._terms[term]:
                        hits.setdefault(key, []).append((field, start, start + len(term), term, weight))
        return {key: _drop_nested(found) for key, found in hits.items()}

    def _raw_terms(self, hits: list[_Hit], text_length: int) -> tuple[float, list[dict[str, Any]]]:
        scoring = self.taxonomy.scoring
        damp = min(1.0, math.sqrt(scoring.reference_chars / text_length)) if text_length else 1.0
        counts: dict[tuple[str, str], int] = {}
        weights: dict[str, float] = {}
        for field, _start, _end, term, weight in hits:
            counts[(term, field)] = counts.get((term, field), 0) + 1
            weights[term] = weight
        raw = 0.0
        for (term, field), count in counts.items():
            if field == "title":
                raw += weights[term] * scoring.title_multiplier
            else:
                raw += weights[term] * min(1.0 + math.log(count), scoring.repeat_cap) * damp
        # only the strongest hits become evidence records: a long text has thousands
        strongest = sorted(hits, key=lambda h: (-abs(h[4]), h[0] != "title", h[1]))[:MAX_EVIDENCE_PER_LABEL]
        evidence = [{"term": term, "start": start, "end": end, "weight": weight, "field": field}
                    for field, start, end, term, weight in strongest]  # fmt: skip
        return raw, evidence

    @staticmethod
    def _raw_cues(category: Category, document: Document) -> tuple[float, list[dict[str, Any]]]:
        raw = 0.0
        evidence: list[dict[str, Any]] = []
        title = fold(document.title.strip())
        for cue in category.title_patterns:
            match = cue.pattern.search(title)
            if match:
                raw += cue.weight
                evidence.append(
                    {"term": match.group(0), "start": match.start(), "end": match.end(), "weight": cue.weight,
                     "field": "title", "cue": cue.pattern.pattern}
                )  # fmt: skip
        number = fold(document.doc_number or "")
        for cue in category.doc_number_patterns:
            match = cue.pattern.search(number)
            if match:
                raw += cue.weight
                evidence.append(
                    {"term": match.group(0), "start": match.start(), "end": match.end(), "weight": cue.weight,
                     "field": "doc_number", "cue": cue.pattern.pattern}
                )  # fmt: skip
        offset = 0
        for issuer in document.issuers:
            best: tuple[float, str, int] | None = None
            for name, weight in category.issuers.items():
                position = issuer.find(name)
                if position != -1 and (best is None or abs(weight) > abs(best[0])):
                    best = (weight, name, position)
            if best is not None:
                raw += best[0]
                evidence.append(
                    {"term": best[1], "start": offset + best[2], "end": offset + best[2] + len(best[1]),
                     "weight": best[0], "field": "issuers"}
                )  # fmt: skip
            offset += len(issuer) + 1  # issuers are shown joined by "、"
        return raw, evidence

    def raw_scores(self, document: Document) -> tuple[dict[str, float], dict[str, list[dict[str, Any]]]]:
        """Raw score and evidence of every label key (``is_cbec``, ``type:…``, ``theme:…``, ``instrument:…``)."""
        hits = self._term_hits(document)
        text_length = len(document.text)
        raws: dict[str, float] = {}
        evidence: dict[str, list[dict[str, Any]]] = {}
        for key, category in self._targets:
            raw, found = self._raw_terms(hits.get(key, []), text_length)
            cue_raw, cue_found = self._raw_cues(category, document)
            raws[key] = raw + cue_raw
            found = sorted(cue_found + found, key=lambda item: -abs(item["weight"]))  # stable: cues first on ties
            if found:
                evidence[key] = found[:MAX_EVIDENCE_PER_LABEL]
        return raws, evidence

    def explain(self, document: Document) -> Classification:
        """Labels, scores and evidence for one document."""
        taxonomy = self.taxonomy
        scoring = taxonomy.scoring
        raws, evidence = self.raw_scores(document)

        relevance = _saturate(raws[RELEVANCE_KEY], scoring.relevance.scale)
        theme_scores = {c: _saturate(raws[theme_key(c)], scoring.themes.scale) for c in taxonomy.theme_codes()}
        themes = [c for c, s in theme_scores.items() if s >= scoring.themes.threshold]
        instrument_scores = {
            c: _saturate(raws[instrument_key(c)], scoring.instruments.scale) for c in taxonomy.instrument_codes()
        }
        instruments = [c for c, s in instrument_scores.items() if s >= scoring.instruments.threshold]

        # Breadth: a document spanning many themes is comprehensive by definition.
        type_raws = {c: raws[type_key(c)] for c in taxonomy.type_codes()}
        extra_themes = len(themes) - scoring.breadth_min_themes + 1
        if extra_themes > 0:
            bonus = extra_themes * scoring.breadth_weight
            type_raws[scoring.breadth_type] += bonus
            evidence.setdefault(type_key(scoring.breadth_type), []).insert(
                0, {"term": f"{len(themes)} themes", "start": 0, "end": 0, "weight": bonus, "field": "themes"}
            )
        shares = type_shares(type_raws)
        best = max(type_raws, key=lambda code: type_raws[code])
        policy_type = best if type_raws[best] > 0 else None

        return Classification(
            is_cbec=relevance >= scoring.relevance.threshold,
            is_cbec_score=relevance,
            policy_type=policy_type,
            policy_type_score=shares[best] if policy_type else 0.0,
            themes=themes,
            instruments=instruments,
            evidence=evidence,
            scores={
                "is_cbec": round(relevance, 4),
                "type": {c: round(v, 4) for c, v in shares.items()},
                "type_raw": {c: round(v, 4) for c, v in type_raws.items()},
                "themes": {c: round(v, 4) for c, v in theme_scores.items()},
                "instruments": {c: round(v, 4) for c, v in instrument_scores.items()},
            },
            method=self.name,
        )


def type_shares(raws: dict[str, float]) -> dict[str, float]:
    """Each type's share of the positive raw scores (all zero when nothing points at any type)."""
    total = sum(value for value in raws.values() if value > 0)
    if total <= 0:
        return {code: 0.0 for code in raws}
    return {code: max(value, 0.0) / total for code, value in raws.items()}

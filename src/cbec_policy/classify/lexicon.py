"""Rule classifier: weighted terms and cues from ``taxonomy.yaml``, no training data needed.

Every label gets a raw score, the sum of its cues found in the document:

* a term in the title counts ``weight × title_multiplier``;
* a term in the body counts ``weight × min(1 + ln(count), repeat_cap)``, damped for long texts;
* a title, document-number or text pattern or an issuer cue counts its weight once;
* relevance mentioned only in passing (no cue in the title, number or a strong pattern, few body
  mentions and none in the opening paragraph or a heading) is damped (taxonomy.yaml: passing).

Inside one label, a match nested in a longer match of the same label is not counted again
(跨境电子商务 does not also count 电子商务), and document numbers cited in the body are skipped
(财关税〔2018〕49号 says nothing about tax). Themes, instruments and relevance turn raw scores into
``1 - exp(-raw / scale)`` and keep the labels at or above the threshold; the policy type is the
type with the largest raw score, its score the share of that type among all positive raws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any, Self

from ahocorasick_rs import AhoCorasick, MatchKind

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


# The kept occurrences of one term in one field for one label:
# (-|weight|, field is not the title, term, weight, field, sorted start positions).
# Sorted natively they come in evidence order: strongest first, then title before text.
_Hits = tuple[float, bool, str, float, str, list[int]]
# (first start, -first end, term, field, count) of one term in one field for one label.
_Count = tuple[int, int, str, str, int]

# Fields scanned for terms, in the order their hits are kept (and their raw scores summed).
_TERM_FIELDS = ("text", "title")


class _TermMatcher:
    """Every occurrence of every lexicon term in one pass (Aho–Corasick), grouped by term.

    Trying a regular expression at every position of the text cost several milliseconds per
    10 KB document; the automaton walks the text once in native code. Per term it keeps the
    labels that count it and, for each such label, the longer terms of that label that contain
    it (with the offset), which is all that is needed to drop nested hits.
    """

    def __init__(self, terms: dict[str, list[tuple[str, float]]]) -> None:
        self.terms = list(terms)
        index_of = {term: index for index, term in enumerate(self.terms)}
        label_terms: dict[str, list[str]] = {}
        for term, targets in terms.items():
            for key, _weight in targets:
                label_terms.setdefault(key, []).append(term)
        # term index -> ((key, weight, -|weight|, ((container index, offset), ...)), ...)
        self.targets: list[tuple[tuple[str, float, float, tuple[tuple[int, int], ...]], ...]] = []
        for term in self.terms:
            entries = []
            for key, weight in terms[term]:
                containers = tuple(
                    (index_of[other], offset)
                    for other in label_terms[key]
                    if other != term
                    for offset in _offsets(other, term)
                )
                entries.append((key, weight, -abs(weight), containers))
            self.targets.append(tuple(entries))
        # Standard match kind + overlapping search reports all terms at all positions, i.e. both
        # 跨境电子商务 and the 电子商务 inside it; nesting is resolved per label afterwards.
        self._automaton = AhoCorasick(self.terms, matchkind=MatchKind.Standard) if self.terms else None

    def positions(self, folded: str) -> dict[int, list[int]]:
        """Term index -> sorted start positions of its occurrences in ``folded``."""
        if self._automaton is None or not folded:
            return {}
        found = self._automaton.find_matches_as_indexes(folded, overlapping=True)
        found.sort()
        return {index: [start for _index, start, _end in group] for index, group in groupby(found, itemgetter(0))}


def _offsets(container: str, term: str) -> list[int]:
    """Every offset at which ``term`` occurs inside ``container``."""
    found = []
    offset = container.find(term)
    while offset != -1:
        found.append(offset)
        offset = container.find(term, offset + 1)
    return found


def _strongest_hits(hits: list[_Hits]) -> list[dict[str, Any]]:
    """The MAX_EVIDENCE_PER_LABEL strongest hits as evidence records (a long text has thousands).

    Order: strongest weight first, then title before text, then by position. Only the groups
    that reach the cap are expanded: records are built for the hits shown, not for all of them.
    """
    hits.sort(key=itemgetter(0, 1))
    evidence: list[dict[str, Any]] = []
    index = 0
    while index < len(hits) and len(evidence) < MAX_EVIDENCE_PER_LABEL:
        # one block = same weight and field kind; its hits are merged by position (two hits of
        # one label and field never share a start: the shorter one would be nested)
        block_end = index + 1
        while block_end < len(hits) and hits[block_end][:2] == hits[index][:2]:
            block_end += 1
        if block_end == index + 1:
            _order, _rank, term, weight, field, starts = hits[index]
            ordered = [(start, term, weight, field) for start in starts[: MAX_EVIDENCE_PER_LABEL - len(evidence)]]
        else:
            ordered = sorted(
                (start, term, weight, field)
                for _order, _rank, term, weight, field, starts in hits[index:block_end]
                for start in starts
            )
        for start, term, weight, field in ordered[: MAX_EVIDENCE_PER_LABEL - len(evidence)]:
            evidence.append({"term": term, "start": start, "end": start + len(term), "weight": weight, "field": field})
        index = block_end
    return evidence


_SENTENCE_END = "。！？；，：.;"


def _opening_end(text: str) -> int:
    """End of the opening paragraph: the line that holds the first full stop (the whole text if none)."""
    stop = text.find("。")
    if stop == -1:
        return len(text)
    line_end = text.find("\n", stop)
    return len(text) if line_end == -1 else line_end


def _in_heading(text: str, position: int, heading_chars: int) -> bool:
    """True when ``position`` lies on a short line that does not end a sentence (a heading)."""
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start : len(text) if line_end == -1 else line_end].strip()
    return 0 < len(line) <= heading_chars and line[-1] not in _SENTENCE_END


def _passing_note(raw: float, factor: float) -> dict[str, Any]:
    """Evidence record saying that the relevance raw was damped as a passing mention."""
    return {"term": f"passing mention ×{factor:g}", "start": 0, "end": 0, "weight": round(raw * (factor - 1), 4),
            "field": "relevance"}  # fmt: skip


def _weight_order(item: dict[str, Any]) -> float:
    return -abs(item["weight"])


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
        self._matcher = _TermMatcher(self._terms)

    def fit(self, records: Sequence[LabelledRecord]) -> Self:
        """Nothing to learn: the weights come from the scheme's definitions."""
        return self

    def predict(self, documents: Sequence[Document]) -> list[Classification]:
        """Classify each document (evidence included: it costs nothing extra here)."""
        return [self.explain(document) for document in documents]

    # ------------------------------------------------------------------ scoring

    def _term_hits(
        self, document: Document, folded_text: str | None = None
    ) -> dict[str, tuple[list[_Hits], list[_Count]]]:
        """Per label key, its hits grouped by term and field, and their counts.

        Within one label and field, a hit lying inside a longer hit of that label is dropped
        (跨境电子商务 does not also count 电子商务): a hit is dropped exactly when another
        occurrence of a term of its label covers its span, i.e. when a term of the label that
        contains it occurs at the matching offset. The counts come field by field (text, then
        title); sorted by first start, longest first, they give the order in which raw scores
        are summed. ``folded_text`` is the body already masked and folded, when the caller has it.
        """
        matcher = self._matcher
        terms, targets = matcher.terms, matcher.targets
        found: dict[str, tuple[list[_Hits], list[_Count]]] = {}
        for field in _TERM_FIELDS:
            if field == "text":
                folded = folded_text if folded_text is not None else fold(mask_cited_numbers(document.text))
            else:
                folded = fold(document.title)
            not_title = field != "title"
            positions = matcher.positions(folded)
            starts: dict[int, set[int]] = {}  # container index -> its start positions, built on demand
            for index, term_starts in positions.items():
                term = terms[index]
                length = len(term)
                for key, weight, order, containers in targets[index]:
                    kept = term_starts
                    for container, offset in containers:
                        if container not in positions:
                            continue
                        covered = starts.get(container)
                        if covered is None:
                            covered = starts[container] = set(positions[container])
                        kept = [start for start in kept if start - offset not in covered]
                    if not kept:
                        continue
                    entry = found.get(key)
                    if entry is None:
                        found[key] = entry = ([], [])
                    entry[0].append((order, not_title, term, weight, field, kept))
                    entry[1].append((kept[0], -(kept[0] + length), term, field, len(kept)))
        return found

    def _raw_terms(
        self, category: Category, hits: list[_Hits], counts: list[_Count], damp: float
    ) -> tuple[float, list[dict[str, Any]]]:
        scoring = self.taxonomy.scoring
        weights = category.terms
        title_multiplier, repeat_cap = scoring.title_multiplier, scoring.repeat_cap
        raw = 0.0
        # summed in the order of first occurrence (text before title): floating-point sums depend on order
        text_counts = sorted(item for item in counts if item[3] == "text")
        title_counts = sorted(item for item in counts if item[3] == "title")
        for _start, _end, term, field, count in text_counts + title_counts:
            if field == "title":
                raw += weights[term] * title_multiplier
            else:
                raw += weights[term] * min(1.0 + math.log(count), repeat_cap) * damp
        return raw, _strongest_hits(hits)

    @staticmethod
    def _raw_cues(
        category: Category, document: Document, title: str, number: str, text: str
    ) -> tuple[float, list[dict[str, Any]]]:
        """Title, document-number and text pattern cues and issuer cues; ``title``, ``number``, ``text`` come folded."""
        raw = 0.0
        evidence: list[dict[str, Any]] = []
        for cue in category.text_patterns:
            match = cue.pattern.search(text)
            if match:
                raw += cue.weight
                evidence.append(
                    {"term": match.group(0), "start": match.start(), "end": match.end(), "weight": cue.weight,
                     "field": "text", "cue": cue.pattern.pattern}
                )  # fmt: skip
        for cue in category.title_patterns:
            match = cue.pattern.search(title)
            if match:
                raw += cue.weight
                evidence.append(
                    {"term": match.group(0), "start": match.start(), "end": match.end(), "weight": cue.weight,
                     "field": "title", "cue": cue.pattern.pattern}
                )  # fmt: skip
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

    def _passing_factor(self, hits: list[_Hits], cue_raw: float, text: str) -> float:
        """1, or the passing factor when the document mentions CBEC only in passing (taxonomy.yaml: passing).

        A cue in the title, the document number or a strong pattern names the subject: no damping.
        Otherwise the core mentions of the body are counted; fewer than the minimum count still
        as the subject when one of them stands in the opening paragraph or in a heading.
        """
        passing = self.taxonomy.scoring.passing
        if cue_raw > 0:
            return 1.0
        core_starts: list[int] = []
        for _order, not_title, _term, weight, _field, starts in hits:
            if weight < passing.core_weight:
                continue
            if not not_title:
                return 1.0  # a core term in the title
            core_starts.extend(starts)
        if not core_starts:
            return passing.factor
        if len(core_starts) >= passing.min_mentions:
            return 1.0
        opening_end = _opening_end(text)
        for start in core_starts:
            if start < opening_end or _in_heading(text, start, passing.heading_chars):
                return 1.0
        return passing.factor

    def raw_scores(self, document: Document) -> tuple[dict[str, float], dict[str, list[dict[str, Any]]]]:
        """Raw score and evidence of every label key (``is_cbec``, ``type:…``, ``theme:…``, ``instrument:…``)."""
        folded_text = fold(mask_cited_numbers(document.text))
        hits = self._term_hits(document, folded_text)
        text_length = len(document.text)
        # body cues of long documents are damped (see taxonomy.yaml: reference_chars)
        damp = min(1.0, math.sqrt(self.taxonomy.scoring.reference_chars / text_length)) if text_length else 1.0
        title, number = fold(document.title.strip()), fold(document.doc_number or "")
        raws: dict[str, float] = {}
        evidence: dict[str, list[dict[str, Any]]] = {}
        for key, category in self._targets:
            entry = hits.get(key)
            raw, found = self._raw_terms(category, *entry, damp) if entry else (0.0, [])
            cue_raw, cue_found = self._raw_cues(category, document, title, number, folded_text)
            if key == RELEVANCE_KEY:
                factor = self._passing_factor(entry[0] if entry else [], cue_raw, document.text)
                if factor < 1.0:
                    found = [*found, _passing_note(raw + cue_raw, factor)]
                    raw, cue_raw = raw * factor, cue_raw * factor
            raws[key] = raw + cue_raw
            if cue_found:
                # term evidence is already strongest first; cues go first on ties (stable sort)
                found = sorted(cue_found + found, key=_weight_order)[:MAX_EVIDENCE_PER_LABEL]
            if found:
                evidence[key] = found
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

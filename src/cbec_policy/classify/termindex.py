"""Every lexicon term of every label found in one pass, scored for all labels at once.

The lexicon has some seven hundred terms shared by about forty labels (relevance, types, themes,
instruments). A document is scanned once per field (title, body) by an Aho–Corasick automaton
in leftmost-longest mode: where terms nest (跨境电子商务 holds 电子商务 and 跨境), only the
longest is reported, so a phrase is counted once, as what it says in full. For a label that
does not list the longer term itself, the longer term carries the weights of the label's terms
nested in it (跨境电商零售进口 counts for a label that lists only 零售进口), so that no label
loses a cue because another label knows a longer phrase.

Scoring is a product: per-term feature values (the title presence times the title multiplier,
the body count as ``min(1 + ln(count), repeat_cap)`` times the length damping) against the
term × label weight matrix. Evidence is built afterwards from the same matches, only for the
labels asked for.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ahocorasick_rs import AhoCorasick, MatchKind

# Enough occurrences to show why, without storing every hit of a long document.
MAX_EVIDENCE_PER_LABEL = 40
# Terms per label in a stored summary of the evidence (each with its first position and count).
SUMMARY_TERMS = 5


def _nested_weights(term: str, longest_first: list[tuple[str, float]]) -> float:
    """Sum of the weights of a label's terms found inside ``term``, each span counted once.

    ``longest_first`` is the label's terms with their weights, longest first: a longer nested
    term is taken first and a shorter one is not counted inside a span already taken, as when
    the label's own terms are matched in a text.
    """
    taken: list[tuple[int, int]] = []
    total = 0.0
    for other, weight in longest_first:
        if len(other) >= len(term):
            continue
        start = term.find(other)
        while start != -1:
            end = start + len(other)
            if not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                total += weight
            start = term.find(other, start + 1)
    return total


@dataclass(frozen=True)
class Scan:
    """The matches of one document: per matched term, its start positions in the title and the body."""

    title: dict[int, list[int]]
    text: dict[int, list[int]]


def _group(matches: list[tuple[int, int, int]]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for index, start, _end in matches:
        starts = grouped.get(index)
        if starts is None:
            grouped[index] = [start]
        else:
            starts.append(start)
    return grouped


class TermIndex:
    """The automaton over all terms and the term × label weight matrix."""

    def __init__(self, labels: Sequence[tuple[str, dict[str, float]]]) -> None:
        self.keys = [key for key, _terms in labels]
        terms: list[str] = []
        seen: set[str] = set()
        for _key, label_terms in labels:
            for term in label_terms:
                if term not in seen:
                    seen.add(term)
                    terms.append(term)
        self.terms = terms
        self.weights = np.zeros((len(terms), len(self.keys)))
        for column, (_key, label_terms) in enumerate(labels):
            longest_first = sorted(label_terms.items(), key=lambda item: -len(item[0]))
            shortest = min((len(term) for term in label_terms), default=0)
            for row, term in enumerate(terms):
                weight = label_terms.get(term)
                if weight is None and len(term) > shortest:
                    weight = _nested_weights(term, longest_first)
                self.weights[row, column] = weight or 0.0
        self._column = {key: index for index, key in enumerate(self.keys)}
        self._automaton = AhoCorasick(terms, matchkind=MatchKind.LeftmostLongest) if terms else None

    def column(self, key: str) -> int:
        """Column of a label key in the weight matrix."""
        return self._column[key]

    def _matches(self, folded: str) -> list[tuple[int, int, int]]:
        if self._automaton is None or not folded:
            return []
        return self._automaton.find_matches_as_indexes(folded, overlapping=False)

    def scan(self, folded_title: str, folded_text: str) -> Scan:
        """Match both fields once, grouped by term (positions in order)."""
        return Scan(_group(self._matches(folded_title)), _group(self._matches(folded_text)))

    def raw(self, scan: Scan, title_multiplier: float, repeat_cap: float, damp: float) -> np.ndarray:
        """Raw term score of every label key (in :attr:`keys` order) for one scanned document."""
        values = {index: min(1.0 + math.log(len(starts)), repeat_cap) * damp for index, starts in scan.text.items()}
        for index in scan.title:
            values[index] = values.get(index, 0.0) + title_multiplier
        if not values:
            return np.zeros(len(self.keys))
        rows = np.fromiter(values, dtype=np.intp, count=len(values))
        features = np.fromiter(values.values(), dtype=float, count=len(values))
        return features @ self.weights[rows]

    def starts(self, scan: Scan, key: str, minimum: float) -> tuple[bool, list[int]]:
        """Whether a term of weight ≥ ``minimum`` for ``key`` is in the title, and its body start positions."""
        column = self.weights[:, self._column[key]]
        in_title = any(column[index] >= minimum for index in scan.title)
        return in_title, sorted(start for index, starts in scan.text.items() if column[index] >= minimum
                                for start in starts)  # fmt: skip

    def evidence(self, scan: Scan, keys: Iterable[str], summary: bool = False) -> dict[str, list[dict[str, Any]]]:
        """The strongest hits of each label key: by weight, then title before text, then position.

        Only as many hits are turned into records as are shown (a long text has thousands). With
        ``summary`` each term appears once per field, at its first position, with its ``count``,
        and at most SUMMARY_TERMS terms per label are kept: what a stored classification needs
        to say where each label came from.
        """
        rows = sorted(set(scan.title) | set(scan.text))
        if not rows:
            return {}
        keys = list(keys)
        cap = SUMMARY_TERMS if summary else MAX_EVIDENCE_PER_LABEL
        row_array = np.asarray(rows, dtype=np.intp)
        block = self.weights[row_array][:, [self._column[key] for key in keys]].T
        # Every (label, term) with a weight, ranked for all labels at once: by label, then
        # strength (largest absolute weight first), then term, as the records are shown.
        label_of, row_at = np.nonzero(block)
        chosen = block[label_of, row_at]
        strengths = -np.abs(chosen)
        order = np.lexsort((row_array[row_at], strengths, label_of))
        ranked_all = list(
            zip(strengths[order].tolist(), row_array[row_at[order]].tolist(), chosen[order].tolist(), strict=True)
        )
        ends = np.cumsum(np.bincount(label_of, minlength=len(keys))).tolist()
        found: dict[str, list[dict[str, Any]]] = {}
        for index, key in enumerate(keys):
            ranked = ranked_all[ends[index - 1] if index else 0 : ends[index]]
            if not ranked:
                continue
            records: list[dict[str, Any]] = []
            position = 0
            while position < len(ranked) and len(records) < cap:
                strength = ranked[position][0]
                group = []
                while position < len(ranked) and ranked[position][0] == strength:
                    group.append(ranked[position])
                    position += 1
                for field, hits in (("title", scan.title), ("text", scan.text)):
                    if summary:
                        merged = [(hits[row][0], row, weight, len(hits[row])) for _s, row, weight in group
                                  if row in hits]  # fmt: skip
                    else:
                        merged = [(start, row, weight, 1) for _s, row, weight in group for start in hits.get(row, ())]
                    if len(merged) > 1:
                        merged.sort()  # by position (most groups hold one term)
                    for start, row, weight, count in merged[: cap - len(records)]:
                        term = self.terms[row]
                        record = {"term": term, "start": start, "end": start + len(term), "weight": weight,
                                  "field": field}  # fmt: skip
                        if summary:
                            record["count"] = count
                        records.append(record)
            if records:
                found[key] = records
        return found

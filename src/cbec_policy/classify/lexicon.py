"""Rule classifier: weighted terms and cues from ``taxonomy.yaml``, no training data needed.

Every label gets a raw score, the sum of its cues found in the document:

* a term in the title counts ``weight × title_multiplier``;
* a term in the body counts ``weight × min(1 + ln(count), repeat_cap)``, damped for long texts;
* a title, document-number or text pattern or an issuer cue counts its weight once;
* relevance mentioned only in passing (no cue in the title, number or a strong pattern, few body
  mentions and none in the opening sentence or a heading) is damped (taxonomy.yaml: passing).

Terms are matched in one pass, longest first (:mod:`termindex`): 跨境电子商务 does not also
count 电子商务, and a longer term carries the weights of the shorter terms of other labels
nested in it. Document numbers cited in the body are skipped
(财关税〔2018〕49号 says nothing about tax). Themes, instruments and relevance turn raw scores into
``1 - exp(-raw / scale)`` and keep the labels at or above the threshold; the policy type is the
type with the largest raw score, its score the share of that type among all positive raws.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self

from cbec_policy.classify.base import (
    RELEVANCE_KEY,
    Classification,
    Document,
    LabelledRecord,
    instrument_key,
    theme_key,
    type_key,
    uncertainty,
)
from cbec_policy.classify.taxonomy import Category, Cue, Taxonomy, load_taxonomy
from cbec_policy.classify.termindex import MAX_EVIDENCE_PER_LABEL, Scan, TermIndex
from cbec_policy.classify.textcheck import fold, mask_cited_numbers

_SENTENCE_END = "。！？；，：.;"


def _opening_end(text: str) -> int:
    """End of the opening: the first sentence, up to its full stop (the whole text if there is none).

    Pages flattened into one line have no paragraphs left; the first sentence is what states
    a document's purpose either way (为促进…，现通知如下。).
    """
    stop = text.find("。")
    return len(text) if stop == -1 else stop + 1


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


def _any_of(cues: tuple[Cue, ...]) -> re.Pattern[str] | None:
    """One pattern that matches where any of ``cues`` does: most titles match none of a label's
    patterns, and one search then says so instead of one search per pattern."""
    if not cues:
        return None
    return re.compile("|".join(f"(?:{cue.pattern.pattern})" for cue in cues))


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
        # one automaton and one weight matrix for the terms of every label
        # the labels with pattern or issuer cues (the instruments have terms only)
        self._cued = {
            key for key, c in self._targets if c.text_patterns or c.title_patterns or c.doc_number_patterns or c.issuers
        }
        # per cued label: one pattern for "any title pattern" and one for "any number pattern"
        self._gates = {
            key: (_any_of(c.title_patterns), _any_of(c.doc_number_patterns))
            for key, c in self._targets
            if key in self._cued
        }
        # the last column: relevance counted on its core terms only (see _broader_subject)
        core = self.taxonomy.scoring.passing.core_weight
        core_terms = {t: w for t, w in self.taxonomy.relevance.terms.items() if w >= core}
        labels = [(key, category.terms) for key, category in self._targets]
        self._index = TermIndex([*labels, (f"{RELEVANCE_KEY}:core", core_terms)])

    def fit(self, records: Sequence[LabelledRecord]) -> Self:
        """Nothing to learn: the weights come from the scheme's definitions."""
        return self

    def predict(self, documents: Sequence[Document]) -> list[Classification]:
        """Classify each document, with the evidence of the labels it is given."""
        return [self.explain(document, evidence="assigned") for document in documents]

    # ------------------------------------------------------------------ scoring

    @staticmethod
    def _raw_cues(
        category: Category,
        document: Document,
        title: str,
        number: str,
        text: str,
        gates: tuple[re.Pattern[str] | None, re.Pattern[str] | None] = (None, None),
    ) -> tuple[float, list[dict[str, Any]]]:
        """Title, document-number and text pattern cues and issuer cues; ``title``, ``number``, ``text`` come folded.

        ``gates`` (see ``_any_of``) let a title or number that matches none of the patterns skip them.
        """
        title_gate, number_gate = gates
        title_cues = category.title_patterns if title_gate is None or title_gate.search(title) else ()
        number_cues = category.doc_number_patterns if number_gate is None or number_gate.search(number) else ()
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
        for cue in title_cues:
            match = cue.pattern.search(title)
            if match:
                raw += cue.weight
                evidence.append(
                    {"term": match.group(0), "start": match.start(), "end": match.end(), "weight": cue.weight,
                     "field": "title", "cue": cue.pattern.pattern}
                )  # fmt: skip
        for cue in number_cues:
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

    def _broader_subject(self, scan: Scan) -> bool:
        """True when the title names a broader field (电子商务, 跨境贸易) and no core CBEC term.

        A general e-commerce or trade document has a section on CBEC and mentions it often;
        its title says what it is about. Only the core terms of its body then count, damped
        like a passing mention (taxonomy.yaml: passing).
        """
        core = self.taxonomy.scoring.passing.core_weight
        column = self._index.column(RELEVANCE_KEY)
        weights = [self._index.weights[row, column] for row in scan.title]
        return any(0 < weight < core for weight in weights) and not any(weight >= core for weight in weights)

    def _passing_factor(self, scan: Scan, cue_raw: float, text: str) -> float:
        """1, or the passing factor when the document mentions CBEC only in passing (taxonomy.yaml: passing).

        A cue in the title, the document number or a strong pattern names the subject: no damping.
        Otherwise the core mentions of the body are counted; fewer than the minimum count still
        as the subject when one of them stands in the opening sentence or in a heading.
        """
        passing = self.taxonomy.scoring.passing
        if cue_raw > 0:
            return 1.0
        if self._broader_subject(scan):
            return passing.factor
        in_title, core_starts = self._index.starts(scan, RELEVANCE_KEY, passing.core_weight)
        if in_title:
            return 1.0  # a core term in the title
        if not core_starts:
            return passing.factor
        if len(core_starts) >= passing.min_mentions:
            return 1.0
        opening_end = _opening_end(text)
        for start in core_starts:
            if start < opening_end or _in_heading(text, start, passing.heading_chars):
                return 1.0
        return passing.factor

    def raw_scores(
        self, document: Document, evidence_for: Callable[[dict[str, float]], Iterable[str]] | None = None
    ) -> tuple[dict[str, float], dict[str, list[dict[str, Any]]]]:
        """Raw score of every label key (``is_cbec``, ``type:…``, ``theme:…``, ``instrument:…``) and evidence.

        The document is scanned once; evidence records are built afterwards. With
        ``evidence_for`` only for the keys that ``evidence_for(raws)`` names, as a summary (each
        term once, with its first position and count): a stored classification needs to say
        where the labels it assigns came from, not every hit of the thirty it does not assign.
        """
        folded_text = fold(mask_cited_numbers(document.text))
        scoring = self.taxonomy.scoring
        text_length = len(document.text)
        # body cues of long documents are damped (see taxonomy.yaml: reference_chars)
        damp = min(1.0, math.sqrt(scoring.reference_chars / text_length)) if text_length else 1.0
        title, number = fold(document.title.strip()), fold(document.doc_number or "")
        scan = self._index.scan(fold(document.title), folded_text)
        *term_raws, core_raw = self._index.raw(scan, scoring.title_multiplier, scoring.repeat_cap, damp).tolist()
        raws: dict[str, float] = {}
        cue_evidence: dict[str, list[dict[str, Any]]] = {}
        notes: dict[str, dict[str, Any]] = {}
        for (key, category), raw in zip(self._targets, term_raws, strict=True):
            cue_raw, cue_found = (
                self._raw_cues(category, document, title, number, folded_text, self._gates[key])
                if key in self._cued
                else (0.0, [])
            )
            if key == RELEVANCE_KEY:
                factor = self._passing_factor(scan, cue_raw, document.text)
                if factor < 1.0 and self._broader_subject(scan):
                    raw = core_raw  # the generic words of a broader document do not add up to CBEC
                if factor < 1.0:
                    notes[key] = _passing_note(raw + cue_raw, factor)
                    raw, cue_raw = raw * factor, cue_raw * factor
            raws[key] = raw + cue_raw
            if cue_found:
                cue_evidence[key] = cue_found
        wanted = list(raws) if evidence_for is None else list(evidence_for(raws))
        evidence = self._index.evidence(scan, wanted, summary=evidence_for is not None)
        for key in wanted:
            found = evidence.get(key, [])
            if key in notes:
                found = [*found, notes[key]]
            if key in cue_evidence:
                # term evidence is already strongest first; cues go first on ties (stable sort)
                found = sorted(cue_evidence[key] + found, key=_weight_order)[:MAX_EVIDENCE_PER_LABEL]
            if found:
                evidence[key] = found
        return raws, evidence

    def _decide(self, raws: dict[str, float]) -> dict[str, Any]:
        """Scores and labels from raw scores: relevance, themes, instruments, then the type."""
        taxonomy = self.taxonomy
        scoring = taxonomy.scoring
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
        bonus = extra_themes * scoring.breadth_weight if extra_themes > 0 else 0.0
        if bonus:
            type_raws[scoring.breadth_type] += bonus
        best = max(type_raws, key=lambda code: type_raws[code])
        return {
            "relevance": relevance, "theme_scores": theme_scores, "themes": themes,
            "instrument_scores": instrument_scores, "instruments": instruments, "type_raws": type_raws,
            "bonus": bonus, "policy_type": best if type_raws[best] > 0 else None,
        }  # fmt: skip

    @staticmethod
    def _assigned_keys(decided: dict[str, Any]) -> list[str]:
        """Evidence keys of what ingest stores: relevance, the type and the themes given.

        Instruments are stored as labels; their evidence is shown on demand (``cbec classify``),
        which keeps the stored answer small for every document ingested.
        """
        keys = [RELEVANCE_KEY, *(theme_key(c) for c in decided["themes"])]
        if decided["policy_type"]:
            keys.append(type_key(decided["policy_type"]))
        return keys

    def explain(self, document: Document, evidence: str = "all") -> Classification:
        """Labels, scores and evidence for one document.

        ``evidence="all"`` gives the evidence of every label with a cue (what ``cbec classify``
        shows); ``"assigned"`` a summary for its relevance, type and themes (what ingest stores).
        """
        scoring = self.taxonomy.scoring
        decisions: list[dict[str, Any]] = []

        def assigned(raws: dict[str, float]) -> list[str]:
            decisions.append(self._decide(raws))  # decided once, used for the evidence and the answer
            return self._assigned_keys(decisions[0])

        raws, found = self.raw_scores(document, assigned if evidence == "assigned" else None)
        decided = decisions[0] if decisions else self._decide(raws)
        themes, type_raws, bonus = decided["themes"], decided["type_raws"], decided["bonus"]
        if bonus:
            found.setdefault(type_key(scoring.breadth_type), []).insert(
                0, {"term": f"{len(themes)} themes", "start": 0, "end": 0, "weight": bonus, "field": "themes"}
            )
        shares = type_shares(type_raws)
        policy_type = decided["policy_type"]
        relevance = decided["relevance"]
        return Classification(
            is_cbec=relevance >= scoring.relevance.threshold,
            is_cbec_score=relevance,
            policy_type=policy_type,
            policy_type_score=shares[policy_type] if policy_type else 0.0,
            themes=themes,
            instruments=decided["instruments"],
            evidence=found,
            scores={
                "is_cbec": round(relevance, 4),
                "type": {c: round(v, 4) for c, v in shares.items()},
                "type_raw": {c: round(v, 4) for c, v in type_raws.items()},
                "themes": {c: round(v, 4) for c, v in decided["theme_scores"].items()},
                "instruments": {c: round(v, 4) for c, v in decided["instrument_scores"].items()},
            },
            method=self.name,
            uncertain=uncertainty(relevance, scoring.relevance.threshold, shares, scoring.uncertain),
        )


def type_shares(raws: dict[str, float]) -> dict[str, float]:
    """Each type's share of the positive raw scores (all zero when nothing points at any type)."""
    total = sum(value for value in raws.values() if value > 0)
    if total <= 0:
        return {code: 0.0 for code in raws}
    return {code: max(value, 0.0) / total for code, value in raws.items()}

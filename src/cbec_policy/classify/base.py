"""The nouns every classifier shares: a document, a labelled record, a classification, the interface.

All classifiers (lexicon, trained, hybrid) follow one scikit-learn-like interface so that the
command line, the evaluation and the ingest pipeline can swap them freely:
``fit(records)`` learns (a no-op for the lexicon), ``predict(documents)`` returns labels and
scores, ``explain(document)`` returns the same with evidence for every label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

# Evidence keys are namespaced because a code can name a type and a theme at once ("tax").
RELEVANCE_KEY = "is_cbec"


def type_key(code: str) -> str:
    """Evidence/score key of a policy type, e.g. ``type:tax``."""
    return f"type:{code}"


def theme_key(code: str) -> str:
    """Evidence/score key of a theme, e.g. ``theme:tax``."""
    return f"theme:{code}"


def instrument_key(code: str) -> str:
    """Evidence/score key of a sub-instrument, e.g. ``instrument:supply.talent``."""
    return f"instrument:{code}"


@dataclass(frozen=True)
class Document:
    """What a classifier reads: title, body text, issuing departments and document number."""

    title: str
    text: str = ""
    issuers: tuple[str, ...] = ()
    doc_number: str | None = None

    def joined(self) -> str:
        """Title, number, issuers and text as one string: what the trained model sees."""
        parts = [self.title, self.doc_number or "", " ".join(self.issuers), self.text]
        return "\n".join(part for part in parts if part)


@dataclass(frozen=True)
class LabelledRecord:
    """A document with the labels a researcher (or the reference data) gave it.

    ``None`` means "not labelled on this axis" (the record is then left out of that axis's
    training and scoring), as opposed to an empty tuple, which means "none of these labels".
    """

    id: str
    document: Document
    policy_type: str | None = None
    themes: tuple[str, ...] | None = None
    instruments: tuple[str, ...] | None = None
    is_cbec: bool | None = None
    source: str = "bundled"


@dataclass
class Classification:
    """The labels of one document with scores and evidence.

    ``scores`` holds per-axis label scores: ``scores["type"]`` (shares that sum to 1 when there
    is any evidence), ``scores["themes"]``, ``scores["instruments"]`` and ``scores["is_cbec"]``
    (each in 0..1). ``evidence`` maps namespaced keys (``is_cbec``, ``type:tax``, ``theme:customs``,
    ``instrument:supply.talent``) to lists of ``{term, start, end, weight, field}``: ``field`` is
    ``title``, ``text``, ``doc_number`` or ``issuers`` and ``start``/``end`` are character offsets
    in that field. ``policy_type`` is None when nothing in the document points at any type.
    """

    is_cbec: bool
    is_cbec_score: float
    policy_type: str | None
    policy_type_score: float
    themes: list[str]
    instruments: list[str]
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    scores: dict[str, Any] = field(default_factory=dict)
    method: str = "lexicon"
    # Decisions taken within a margin (see :func:`uncertainty`): empty when every call is clear.
    uncertain: list[dict[str, Any]] = field(default_factory=list)

    def instrument_sides(self) -> list[str]:
        """The instrument sides (supply/environment/demand) of the assigned sub-instruments."""
        sides: list[str] = []
        for code in self.instruments:
            side = code.split(".", 1)[0]
            if side not in sides:
                sides.append(side)
        return sides

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what ingest stores as ``classification_evidence``)."""
        return {
            "method": self.method,
            "is_cbec": self.is_cbec,
            "is_cbec_score": round(self.is_cbec_score, 4),
            "policy_type": self.policy_type,
            "policy_type_score": round(self.policy_type_score, 4),
            "themes": list(self.themes),
            "instruments": list(self.instruments),
            "uncertain": self.uncertain,
            "scores": self.scores,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Margins:
    """How close a call must be to count as uncertain (taxonomy.yaml: scoring.uncertain).

    ``relevance``: the relevance score lies within this distance of its threshold; ``type``:
    the two best types' scores (shares summing to one) lie within this distance of each other.
    """

    relevance: float
    type: float


def uncertainty(
    relevance: float, threshold: float, type_scores: dict[str, float] | None, margins: Margins
) -> list[dict[str, Any]]:
    """The decisions that were close calls, each with both candidates and their scores.

    A researcher reviewing machine labels starts with these: the classifier says it could
    have gone either way instead of deciding silently.
    """
    found: list[dict[str, Any]] = []
    if abs(relevance - threshold) < margins.relevance:
        found.append({"axis": "is_cbec", "candidates": [[relevance >= threshold, round(relevance, 4)],
                      [relevance < threshold, round(threshold, 4)]], "margin": margins.relevance})  # fmt: skip
    ranked = sorted(((code, score or 0.0) for code, score in (type_scores or {}).items()), key=lambda item: -item[1])
    if len(ranked) >= 2 and ranked[0][1] > 0 and ranked[0][1] - ranked[1][1] < margins.type:
        candidates = [[code, round(score, 4)] for code, score in ranked[:2]]
        found.append({"axis": "policy_type", "candidates": candidates, "margin": margins.type})
    return found


class Classifier(Protocol):
    """The one interface of every classifier."""

    name: str

    def fit(self, records: Sequence[LabelledRecord]) -> Self:
        """Learn from labelled records (the lexicon ignores them) and return self."""
        ...

    def predict(self, documents: Sequence[Document]) -> list[Classification]:
        """Labels and scores for each document (evidence may be left empty for speed)."""
        ...

    def explain(self, document: Document) -> Classification:
        """Labels, scores and the evidence behind each label for one document."""
        ...

"""The PMC evaluation of a set of policies: automatic coding, a researcher's override, scores.

``evaluate_policies(policies, scheme)`` codes each policy from its text and classification;
``override`` (an imported matrix, see :mod:`~cbec_policy.evaluation.matrix_io`) replaces any
cell the researcher filled. ``evaluate_matrix(cells, scheme)`` scores a complete matrix alone,
as a published study's is. Both give a :class:`PmcResult` that the CLI, API, web page and
report all print from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.evaluation.coding import CodedPolicy, code_policies
from cbec_policy.evaluation.matrix_io import PartialMatrix
from cbec_policy.evaluation.scheme import Scheme
from cbec_policy.evaluation.scoring import (
    PolicyScore,
    round_half_up,
    score_matrix,
    secondary_means,
    variable_means,
)
from cbec_policy.models import Policy

RESEARCHER = "researcher"


@dataclass(frozen=True)
class PolicyEvaluation:
    """One policy's coded matrix row, where each cell came from, and its score."""

    policy_id: str
    title: str
    values: dict[str, int]
    origin: dict[str, str]  # variable -> "auto" or "researcher"
    confidence: dict[str, float]
    evidence: dict[str, dict[str, Any]]
    score: PolicyScore
    text_source: str


@dataclass(frozen=True)
class PmcResult:
    """Every evaluated policy (in input order) with the means by variable."""

    scheme: Scheme
    policies: tuple[PolicyEvaluation, ...]
    means: dict[str, float]
    secondary_means: dict[str, float]

    def league(self) -> list[PolicyEvaluation]:
        """Policies from the best PMC down (ties keep input order)."""
        return sorted(self.policies, key=lambda p: (p.score.rank, self.policies.index(p)))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``cbec pmc score --format json`` and ``/api/evaluation/pmc``."""
        decimals = self.scheme.decimals
        return {
            "scheme": self.scheme.name,
            "surface_order": self.scheme.surface_order,
            "policies": [
                {
                    "policy": p.policy_id,
                    "title": p.title,
                    "pmc": p.score.pmc_rounded,
                    "pmc_exact": round(p.score.pmc, 6),
                    "rank": p.score.rank,
                    "grade": p.score.grade_zh,
                    "grade_en": p.score.grade_en,
                    "primaries": p.score.primaries_rounded(decimals),
                    "surface": [[round(value, 4) for value in row] for row in p.score.surface],
                    "values": p.values,
                    "origin": p.origin,
                    "confidence": p.confidence,
                    "evidence": p.evidence,
                    "text_source": p.text_source,
                }
                for p in self.policies
            ],
            "means": {code: round_half_up(value, decimals) for code, value in self.means.items()},
            "secondary_means": {code: round(value, 4) for code, value in self.secondary_means.items()},
        }


def _result(
    scheme: Scheme,
    rows: Sequence[tuple[str, str, dict[str, int], dict[str, str], dict[str, float], dict[str, dict[str, Any]], str]],
) -> PmcResult:
    matrix = {row[0]: row[2] for row in rows}
    scores = score_matrix(scheme, matrix)
    evaluations = tuple(
        PolicyEvaluation(pid, title, values, origin, conf, evidence, score, source)
        for (pid, title, values, origin, conf, evidence, source), score in zip(rows, scores, strict=True)
    )
    return PmcResult(scheme, evaluations, variable_means(scheme, scores), secondary_means(scheme, matrix))


def evaluate_matrix(cells: Mapping[str, Mapping[str, int | None]], scheme: Scheme) -> PmcResult:
    """Score a researcher's (or a study's) complete matrix; every cell must be filled."""
    empty = [f"{pid}/{code}" for pid, row in cells.items() for code, value in row.items() if value is None]
    if empty:
        raise InputError("--matrix", f"empty cells need the policies in the store to be coded: {', '.join(empty[:10])}")
    rows = [
        (
            pid,
            pid,
            {c: int(v) for c, v in row.items() if v is not None},
            dict.fromkeys(row, RESEARCHER),
            dict.fromkeys(row, 1.0),
            {},
            RESEARCHER,
        )
        for pid, row in cells.items()
    ]
    return _result(scheme, rows)


def evaluate_policies(policies: Sequence[Policy], scheme: Scheme, override: PartialMatrix | None = None) -> PmcResult:
    """Code ``policies`` with ``scheme``; cells the researcher filled in ``override`` win.

    Every override row must name one of ``policies`` (checked before anything is scored).
    """
    override = override or {}
    known = {p.id for p in policies}
    unknown = sorted(set(override) - known)
    if unknown:
        raise InputError("--matrix", f"rows for policies not being scored: {', '.join(unknown[:10])}")
    coded: list[CodedPolicy] = code_policies(policies, scheme)
    rows = []
    for item in coded:
        values = dict(item.values)
        origin = dict.fromkeys(values, "auto")
        confidence = dict(item.confidence)
        evidence = {code: ev.to_dict() for code, ev in item.evidence.items()}
        for code, value in (override.get(item.policy_id) or {}).items():
            if value is None:
                continue
            values[code] = value
            origin[code] = RESEARCHER
            confidence[code] = 1.0
            if value == 0:
                evidence.pop(code, None)
            elif code not in evidence:
                evidence[code] = {
                    "method": RESEARCHER,
                    "field": "matrix",
                    "start": None,
                    "end": None,
                    "matched": "1",
                    "excerpt": "coded 1 by the researcher",
                    "confidence": 1.0,
                }
        rows.append((item.policy_id, item.title, values, origin, confidence, evidence, item.text_source))
    return _result(scheme, rows)

"""PMC scores from a 0/1 matrix: primary scores, PMC, grade, rank, means by variable, surfaces.

Pure arithmetic over a :class:`~cbec_policy.evaluation.scheme.Scheme`: Xi = mean of the binary
variables of primary i, PMC = ΣXi, the grade from the scheme's bands at the scheme's decimals,
the rank by PMC (highest first; ties share the best rank, as league tables print them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from scipy.stats import rankdata

from cbec_policy.evaluation.scheme import Scheme

# policy id -> variable code -> 0/1
Matrix = Mapping[str, Mapping[str, int]]


def round_half_up(value: float, decimals: int) -> float:
    """``value`` rounded the way a printed table rounds (7.065 → 7.07, not the binary 7.06)."""
    exact = Decimal(repr(round(value, 10)))
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class PolicyScore:
    """The PMC result of one policy."""

    policy_id: str
    primaries: dict[str, float]  # Xi, unrounded
    pmc: float  # unrounded
    pmc_rounded: float
    rank: int
    grade_zh: str
    grade_en: str
    surface: list[list[float]]

    def primaries_rounded(self, decimals: int) -> dict[str, float]:
        """Primary scores as printed."""
        return {code: round_half_up(value, decimals) for code, value in self.primaries.items()}


def primary_scores(scheme: Scheme, row: Mapping[str, int]) -> dict[str, float]:
    """Xi for every primary of the scheme from one policy's 0/1 values."""
    return {p.code: float(np.mean([row[v.code] for v in p.variables])) for p in scheme.primaries}


def surface(scheme: Scheme, primaries: Mapping[str, float]) -> list[list[float]]:
    """The PMC surface: the scheme's surface variables as a matrix filled column- or row-wise."""
    values = np.array([primaries[code] for code in scheme.surface_variables], dtype=float)
    columns = len(values) // scheme.surface_rows
    shaped = values.reshape((scheme.surface_rows, columns), order="F" if scheme.surface_order == "column" else "C")
    return shaped.tolist()


def score_matrix(scheme: Scheme, matrix: Matrix) -> list[PolicyScore]:
    """Every policy of ``matrix`` scored, in the matrix's order."""
    ids = list(matrix)
    if not ids:
        return []
    primaries = [primary_scores(scheme, matrix[policy_id]) for policy_id in ids]
    pmcs = np.array([sum(p.values()) for p in primaries])
    ranks = rankdata(-np.round(pmcs, 10), method="min").astype(int)
    out = []
    for policy_id, scores, pmc, rank in zip(ids, primaries, pmcs, ranks, strict=True):
        rounded = round_half_up(float(pmc), scheme.decimals)
        band = scheme.grade(rounded)
        out.append(
            PolicyScore(
                policy_id=policy_id,
                primaries=scores,
                pmc=float(pmc),
                pmc_rounded=rounded,
                rank=int(rank),
                grade_zh=band.zh,
                grade_en=band.en,
                surface=surface(scheme, scores),
            )
        )
    return out


def variable_means(scheme: Scheme, scores: Sequence[PolicyScore]) -> dict[str, float]:
    """Mean of each primary over the scored policies (a study's 'mean by variable' row)."""
    if not scores:
        return {}
    return {p.code: float(np.mean([s.primaries[p.code] for s in scores])) for p in scheme.primaries}


def secondary_means(scheme: Scheme, matrix: Matrix) -> dict[str, float]:
    """Share of policies coded 1 on each binary variable: which secondaries the corpus leaves empty."""
    if not matrix:
        return {}
    return {v.code: float(np.mean([row[v.code] for row in matrix.values()])) for v in scheme.variables}

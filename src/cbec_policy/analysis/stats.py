"""Statistical tests behind the claims: trend estimates with intervals, rank tests, permutation
p-values, contingency tests, and the verdict rule that combines a test with its robustness rows.

Every estimator comes from scipy; this module only chooses, runs and packages them, so that a
claim states *which* test it ran and a reader can rerun it. Outcomes are codes (``up``,
``down``, ``none``, ``not_enough_data``), never sentences: the report words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

SEED = 20240707  # permutations are seeded so that a rebuilt report prints the same p-values
N_RESAMPLES = 9999
N_RESAMPLES_TABLES = 4999  # each resample is a whole table: p to 1/5000 is plenty for α = 0.05

UP, DOWN, NONE, NOT_ENOUGH = "up", "down", "none", "not_enough_data"
SUPPORTED, PARTLY, NOT_SUPPORTED, NOT_ENOUGH_DATA = "supported", "partly", "not_supported", "not_enough_data"


@dataclass(frozen=True)
class TrendTest:
    """A monotone-trend test of ``y`` over ``x``.

    ``slope``/``slope_low``/``slope_high``: Theil–Sen slope and its confidence interval;
    ``ols_slope``/``ols_low``/``ols_high``: least-squares slope with its t-interval;
    ``tau``/``p``: Kendall's tau against time (the Mann–Kendall test), p two-sided, exact or
    permutation-based for small samples; ``outcome``: ``up``/``down`` when p < alpha in that
    direction, ``none`` otherwise, ``not_enough_data`` with fewer than ``min_points`` points.
    """

    n: int
    slope: float | None
    slope_low: float | None
    slope_high: float | None
    ols_slope: float | None
    ols_low: float | None
    ols_high: float | None
    tau: float | None
    p: float | None
    p_method: str
    alpha: float
    outcome: str
    points: tuple[tuple[float, float], ...] = ()


def _kendall_p(x: np.ndarray, y: np.ndarray) -> tuple[float, float, str]:
    """Kendall's tau and a two-sided p: exact without ties, by permutation with ties (n ≤ 30),
    else scipy's tie-corrected normal approximation.

    Under permutation of ``y`` the denominator of tau-b is fixed (the ties of each variable do not
    change), so permuting Kendall's score S gives the same p as permuting tau-b at a fraction
    of the cost; tau itself is scipy's.
    """
    import numpy as np  # start-up: as scipy below
    from scipy import stats  # start-up: scipy (and numpy) load when a test runs, not with the façade

    result = stats.kendalltau(x, y)
    tau = float(result.statistic)
    has_ties = len(set(y.tolist())) < len(y) or len(set(x.tolist())) < len(x)
    if not has_ties and len(x) <= 50:
        exact = stats.kendalltau(x, y, method="exact")
        return tau, float(exact.pvalue), "Kendall exact"
    if len(x) > 30:
        return tau, float(result.pvalue), "Kendall normal approximation (ties)"
    sx = np.sign(x[:, None] - x[None, :])

    def score(values: np.ndarray, axis: int = -1) -> np.ndarray:
        sy = np.sign(values[..., :, None] - values[..., None, :])
        return (sx * sy).sum(axis=(-2, -1)) / 2

    perm = stats.permutation_test(
        (y,),
        score,
        permutation_type="pairings",
        vectorized=True,
        n_resamples=N_RESAMPLES,
        batch=1000,
        alternative="two-sided",
        rng=np.random.default_rng(SEED),
    )
    return tau, float(perm.pvalue), "Kendall permutation (ties)"


def trend_test(points: Sequence[tuple[float, float]], *, alpha: float = 0.05, min_points: int = 4) -> TrendTest:
    """Mann–Kendall trend with Theil–Sen and OLS slopes and their 1−alpha intervals."""
    import numpy as np  # start-up: as scipy below
    from scipy import stats  # start-up: scipy (and numpy) load when a test runs, not with the façade

    clean = [(float(x), float(y)) for x, y in points if y is not None and not np.isnan(y)]
    n = len(clean)
    if n < min_points or len({x for x, _ in clean}) < 2:
        return TrendTest(n, None, None, None, None, None, None, None, None, "", alpha, NOT_ENOUGH, tuple(clean))
    x = np.array([p[0] for p in clean])
    y = np.array([p[1] for p in clean])
    if len(set(y.tolist())) == 1:  # a flat series has no trend and no defined tau
        return TrendTest(n, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, "constant series", alpha, NONE, tuple(clean))
    sen = stats.theilslopes(y, x, alpha=1 - alpha)
    ols = stats.linregress(x, y)
    t = float(stats.t.ppf(1 - alpha / 2, n - 2)) if n > 2 else float("nan")
    tau, p, method = _kendall_p(x, y)
    outcome = NONE
    if p < alpha:
        outcome = UP if tau > 0 else DOWN
    return TrendTest(
        n=n,
        slope=float(sen.slope),
        slope_low=float(sen.low_slope),
        slope_high=float(sen.high_slope),
        ols_slope=float(ols.slope),
        ols_low=float(ols.slope - t * ols.stderr),
        ols_high=float(ols.slope + t * ols.stderr),
        tau=tau,
        p=p,
        p_method=method,
        alpha=alpha,
        outcome=outcome,
        points=tuple(clean),
    )


@dataclass(frozen=True)
class ContingencyTest:
    """χ² test of independence on a table with a permutation p (and Fisher's exact for 2×2).

    ``p_permutation`` shuffles the column labels of the underlying observations, so it holds
    when expected counts are small; ``p_fisher`` is set for 2×2 tables only.
    """

    rows: tuple[str, ...]
    cols: tuple[str, ...]
    table: tuple[tuple[int, ...], ...]
    chi2: float | None
    dof: int | None
    p_asymptotic: float | None
    p_permutation: float | None
    p_fisher: float | None
    cramers_v: float | None
    n: int
    outcome: str  # "differs" / "none" / not_enough_data


def _pearson_chi2(tables: np.ndarray) -> np.ndarray:
    """Pearson's χ² of a stack of tables (..., groups, labels) with each table's own margins.

    scipy's ``power_divergence`` does the sum, vectorised over the stack; rows or columns that
    are empty in a table add nothing (their expected counts are zero and are skipped).
    """
    import numpy as np  # start-up: as scipy below
    from scipy import stats  # start-up: scipy (and numpy) load when a test runs, not with the façade

    rows = tables.sum(axis=-1, keepdims=True)
    cols = tables.sum(axis=-2, keepdims=True)
    total = tables.sum(axis=(-2, -1), keepdims=True)
    expected = rows * cols / total
    flat_obs = tables.reshape(*tables.shape[:-2], -1).astype(float)
    flat_exp = expected.reshape(flat_obs.shape)
    mask = flat_exp > 0
    safe_exp = np.where(mask, flat_exp, 1.0)
    safe_obs = np.where(mask, flat_obs, 1.0)
    # power_divergence insists that observed and expected sums agree; the masked cells are equal on
    # both sides so they add nothing to the statistic
    return stats.power_divergence(safe_obs, safe_exp, lambda_="pearson", axis=-1).statistic


def contingency_test(
    groups: Sequence[str],
    labels: Sequence[Sequence[str]],
    *,
    alpha: float = 0.05,
    group_order: Sequence[str] | None = None,
    label_order: Sequence[str] | None = None,
) -> ContingencyTest:
    """Does the mix of ``labels`` differ between ``groups``? One observation per item.

    ``groups[i]`` is item i's group (a region, a period); ``labels[i]`` the labels it carries (a
    document may carry several themes or focus terms). The χ² statistic is computed on the
    group × label count table; its permutation p reshuffles which item sits in which group, so
    items with several labels stay whole and dependence between labels is respected.
    """
    import numpy as np  # start-up: as scipy below
    from scipy import stats  # start-up: scipy (and numpy) load when a test runs, not with the façade

    row_names = list(group_order or sorted(set(groups)))
    col_names = list(label_order or sorted({label for item in labels for label in item}))
    row_index = {name: i for i, name in enumerate(row_names)}
    col_index = {name: j for j, name in enumerate(col_names)}
    keep = [i for i, g in enumerate(groups) if g in row_index and any(lab in col_index for lab in labels[i])]
    indicator = np.zeros((len(keep), len(col_names)), dtype=int)
    group_codes = np.array([row_index[groups[i]] for i in keep], dtype=int)
    for k, i in enumerate(keep):
        for lab in set(labels[i]):
            if lab in col_index:
                indicator[k, col_index[lab]] = 1

    weights = indicator.astype(float)

    def table_of(codes: np.ndarray) -> np.ndarray:
        """Group × label tables for one or a stack of group assignments (..., items).

        One matrix product per group (a handful): items in the group × their labels.
        """
        return np.stack([(codes == g).astype(float) @ weights for g in range(len(row_names))], axis=-2)

    observed = np.rint(table_of(group_codes)).astype(int)
    used_rows = int((observed.sum(axis=1) > 0).sum())
    used_cols = int((observed.sum(axis=0) > 0).sum())
    as_tuple = tuple(tuple(int(v) for v in row) for row in observed)
    if used_rows < 2 or used_cols < 2:
        return ContingencyTest(
            tuple(row_names), tuple(col_names), as_tuple, None, None, None, None, None, None, len(keep), NOT_ENOUGH
        )
    trimmed = observed[observed.sum(axis=1) > 0][:, observed.sum(axis=0) > 0]
    asymptotic = stats.chi2_contingency(trimmed, correction=False)
    perm = stats.permutation_test(
        (group_codes,),
        lambda codes, axis=-1: _pearson_chi2(table_of(codes)),
        permutation_type="pairings",
        vectorized=True,
        n_resamples=N_RESAMPLES_TABLES,
        batch=1000,
        alternative="greater",
        rng=np.random.default_rng(SEED),
    )
    fisher = None
    if trimmed.shape == (2, 2):
        fisher = float(stats.fisher_exact(trimmed).pvalue)
    v = float(stats.contingency.association(trimmed, method="cramer", correction=False))
    p_perm = float(perm.pvalue)
    return ContingencyTest(
        rows=tuple(row_names),
        cols=tuple(col_names),
        table=as_tuple,
        chi2=float(asymptotic.statistic),
        dof=int(asymptotic.dof),
        p_asymptotic=float(asymptotic.pvalue),
        p_permutation=p_perm,
        p_fisher=fisher,
        cramers_v=v,
        n=len(keep),
        outcome="differs" if p_perm < alpha else NONE,
    )


@dataclass(frozen=True)
class RobustnessRow:
    """One row of a sensitivity table: a variant of the measure and what its test found."""

    key: str  # e.g. "weights:prefectures", "start_batch:3"
    dimension: str  # weights / unit / gap / start / candidates / batch8 / window / measure
    variant: str  # the variant's code within its dimension
    outcome: str  # up / down / none / not_enough_data
    test: TrendTest | None = None
    series: tuple[tuple[Any, float], ...] = ()
    reason: str = ""  # a code saying why data is missing (e.g. "no_sourced_population")
    details: dict[str, Any] = field(default_factory=dict)


def verdict_from(expected: str, primary: str, rows: Sequence[RobustnessRow]) -> tuple[str, list[str]]:
    """The verdict rule: 支持 only when the main test and every robustness row find the
    ``expected`` direction; 部分支持 when some do and some do not; 不支持 when none do;
    数据不足 when the main test has too little data. Rows without data are shown but do not vote.

    Returns the verdict code and the keys of the rows that disagree with the main test.
    """
    if primary == NOT_ENOUGH:
        return NOT_ENOUGH_DATA, []
    voting = [row for row in rows if row.outcome != NOT_ENOUGH]
    outcomes = [primary, *(row.outcome for row in voting)]
    disagree = [row.key for row in voting if row.outcome != primary]
    hits = sum(1 for outcome in outcomes if outcome == expected)
    if hits == len(outcomes):
        return SUPPORTED, disagree
    if hits == 0:
        return NOT_SUPPORTED, disagree
    return PARTLY, disagree

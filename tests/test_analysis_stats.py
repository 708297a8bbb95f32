"""The tests behind the claims, on constructed data whose answer is known: a real trend, no
trend, a proportional allocation, a difference in mix; and the verdict rule row by row."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from cbec_policy.analysis.balance import proportional_counts, theil, theil_against_null, unit_weights
from cbec_policy.analysis.stats import (
    NOT_ENOUGH,
    RobustnessRow,
    _pearson_chi2,
    contingency_test,
    trend_test,
    verdict_from,
)


def test_a_real_trend_is_found_with_an_interval_excluding_zero() -> None:
    rng = np.random.default_rng(1)
    points = [(year, 0.3 * i + rng.normal(0, 0.2)) for i, year in enumerate(range(2013, 2025))]
    result = trend_test(points)
    assert result.outcome == "up" and result.p < 0.001
    assert 0 < result.slope_low < result.slope < result.slope_high
    assert result.slope == pytest.approx(0.3, abs=0.1)
    assert result.ols_low > 0


def test_no_trend_is_not_called_a_trend() -> None:
    rng = np.random.default_rng(7)
    points = [(year, rng.normal(1.0, 0.5)) for year in range(2013, 2025)]
    result = trend_test(points)
    assert result.outcome == "none" and result.p > 0.05
    assert result.slope_low < 0 < result.slope_high


def test_a_falling_series_with_ties_uses_a_permutation_p() -> None:
    points = [(i, v) for i, v in enumerate([5, 5, 4, 4, 3, 3, 2, 2, 1, 1])]
    result = trend_test(points)
    assert result.outcome == "down" and "permutation" in result.p_method
    assert result.tau == pytest.approx(sps.kendalltau([p[0] for p in points], [p[1] for p in points]).statistic)


def test_too_few_points_is_not_enough_data() -> None:
    assert trend_test([(1, 1.0), (2, 2.0), (3, 3.0)]).outcome == NOT_ENOUGH


def test_verdict_rule_on_each_case() -> None:
    up = RobustnessRow("a", "x", "a", "up")
    none = RobustnessRow("b", "x", "b", "none")
    missing = RobustnessRow("c", "weights", "population", NOT_ENOUGH, reason="no_sourced_population")
    assert verdict_from("up", "up", [up, up]) == ("supported", [])
    assert verdict_from("up", "up", [up, none]) == ("partly", ["b"])
    assert verdict_from("up", "none", [none]) == ("not_supported", [])
    assert verdict_from("up", "none", [up]) == ("partly", ["a"])  # a row finding it while the test does not
    assert verdict_from("up", NOT_ENOUGH, [up]) == ("not_enough_data", [])
    # a row without data is shown but does not vote
    assert verdict_from("up", "up", [up, missing]) == ("supported", [])


def test_proportional_allocation_has_a_positive_expected_theil_and_is_not_uneven() -> None:
    weights = unit_weights("region", "provinces")
    assert weights == {"东部": 10.0, "中部": 6.0, "西部": 12.0, "东北": 3.0}
    # 13 zones placed as evenly as whole zones allow: the observed index is near zero, but chance
    # alone gives about 0.1 for 13 zones, so the raw index overstates unevenness
    counts = proportional_counts(13, weights)
    result = theil_against_null([counts[k] for k in weights], list(weights.values()))
    assert result.observed < 0.02
    assert 0.08 < result.expected_null < 0.2
    assert result.corrected < 0 and result.p_null > 0.5
    # with many zones the bias vanishes
    many = theil_against_null([c * 50 for c in counts.values()], list(weights.values()))
    assert many.expected_null < 0.01


def test_a_concentrated_allocation_is_uneven_beyond_chance() -> None:
    result = theil_against_null([40, 2, 2, 1], [10, 6, 12, 3])
    assert result.observed == pytest.approx(theil([40, 2, 2, 1], [10, 6, 12, 3]), abs=1e-4)
    assert result.corrected > 0.3 and result.p_null < 0.01


def test_contingency_finds_a_real_difference_and_not_a_made_up_one() -> None:
    groups = ["east"] * 30 + ["west"] * 30
    differs = [("logistics",)] * 25 + [("corridors",)] * 5 + [("logistics",)] * 5 + [("corridors",)] * 25
    result = contingency_test(groups, differs)
    assert result.outcome == "differs" and result.p_permutation < 0.001 and result.p_fisher is not None
    same = [("logistics",), ("corridors",)] * 30
    assert contingency_test(groups, same).outcome == "none"


def test_vectorised_chi2_equals_scipy() -> None:
    table = np.array([[3, 4, 5], [6, 2, 1], [4, 4, 4]])
    expected = sps.chi2_contingency(table, correction=False).statistic
    assert _pearson_chi2(table) == pytest.approx(expected)
    stacked = _pearson_chi2(np.stack([table, table.T]))
    assert stacked[1] == pytest.approx(sps.chi2_contingency(table.T, correction=False).statistic)

"""Dated rule parameters: validation on load, lookups by date, and agreement with the reference facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from cbec_policy.reference.loader import load_national_policies
from cbec_policy.rules.citations import cite, known_source_ids
from cbec_policy.rules.codes import explain_code, load_codes
from cbec_policy.rules.errors import ParameterFileError, RuleNotApplicableError
from cbec_policy.rules.parameters import load_parameters

GOOD_VALUE = "2016-04-08: {value: 1, source: 2016-caiguanshui-18}"


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "limits").mkdir()
    (tmp_path / "limits" / "x.yaml").write_text(body, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (f"description: d\ncolour: red\nvalues:\n  {GOOD_VALUE}\n", "unknown keys: colour"),
        (
            "description: d\nvalues:\n  2016-04-08: {value: 1, source: 2016-caiguanshui-18, extra: 2}\n",
            "unknown keys: extra",
        ),
        ("description: d\nvalues:\n  2016-04-08: {value: 1}\n", "source is missing"),
        ("description: d\nvalues:\n  2016-04-08: {value: 1, source: null}\n", "source is missing"),
        (
            "description: d\nvalues:\n  2016-04-08: {value: 1, source: no-such-policy}\n",
            "unknown source 'no-such-policy'",
        ),
        (
            "description: d\nvalues:\n  2019-01-01: {value: 2, source: 2018-caiguanshui-49}\n"
            "  2016-04-08: {value: 1, source: 2016-caiguanshui-18}\n",
            "increasing order",
        ),
        ("description: d\nvalues:\n  2016-04-08: {value: null}\n", "cannot be an end marker"),
        ("description: d\nvalues:\n  '2019-02-30': {value: 1, source: 2014-gacc-12}\n", "no such date"),
        ("description: d\nvalues: []\n", "non-empty mapping"),
    ],
)
def test_bad_parameter_files_name_file_and_key(tmp_path: Path, body: str, reason: str) -> None:
    with pytest.raises(ParameterFileError) as caught:
        load_parameters(_write(tmp_path, body))
    message = str(caught.value)
    assert message.startswith("limits/x.yaml, key 'x") and reason in message


def test_impossible_yaml_date_is_a_file_error(tmp_path: Path) -> None:
    body = "description: d\nvalues:\n  2019-02-30: {value: 1, source: 2016-caiguanshui-18}\n"
    with pytest.raises(ParameterFileError, match=r"limits/x.yaml: malformed YAML: day is out of range"):
        load_parameters(_write(tmp_path, body))


def test_a_value_ends_at_the_next_start_or_an_explicit_null(tmp_path: Path) -> None:
    body = (
        "description: d\nvalues:\n  2016-04-08: {value: 1, source: 2016-caiguanshui-18}\n"
        "  2019-01-01: {value: 2, source: 2018-caiguanshui-49}\n  2020-01-01: {value: null}\n"
    )
    param = load_parameters(_write(tmp_path, body))["x"]
    assert [(p.start, p.end, p.value) for p in param.periods] == [
        (date(2016, 4, 8), date(2018, 12, 31), 1),
        (date(2019, 1, 1), date(2019, 12, 31), 2),
    ]
    assert param.node == "limits"
    with pytest.raises(RuleNotApplicableError):
        param.at(date(2020, 1, 1))


def test_vectorised_lookup_agrees_with_each_period_across_gaps_and_open_ends(tmp_path: Path) -> None:
    """Every day 2017-2021 (and a missing day) finds the period whose start and end cover it, or none."""
    body = (
        "description: d\nvalues:\n  ~: {value: 1, source: 2016-caiguanshui-18}\n"
        "  2019-01-01: {value: null}\n  2019-07-01: {value: 3, source: 2018-caiguanshui-49}\n"
        "  2020-02-29: {value: 4, source: 2018-caiguanshui-49}\n"
    )
    param = load_parameters(_write(tmp_path, body))["x"]
    days = np.arange("2017-01-01", "2022-01-01", dtype="datetime64[D]")
    index, covered = param.lookup(np.r_[days, np.array(["NaT"], dtype="datetime64[D]")])
    expected = [next((n for n, p in enumerate(param.periods) if p.covers(d.astype(object))), -1) for d in days]
    assert index[:-1].tolist() == expected and covered[:-1].tolist() == [n >= 0 for n in expected]
    assert index[-1] == -1 and not covered[-1]
    assert -1 in expected and {0, 1, 2} <= set(expected)  # the gap 2019-01-01 .. 2019-06-30 is covered by none
    values, _ = param.values_array(days)
    assert values.tolist() == [param.periods[n].value if n >= 0 else 0 for n in expected]


def test_one_file_per_parameter_in_the_bundled_tree() -> None:
    """Each parameter is its own file named after it; each dated value lives once."""
    params = load_parameters()
    for key, parameter in params.items():
        assert parameter.file == f"{parameter.node}/{key}.yaml"
    assert "cosmetics" in params.nodes["consumption_tax"]["categories"]
    assert params.compiled == date(2026, 11, 27)


def test_bundled_parameters_cite_real_policies() -> None:
    """Every period's source resolves: to a corpus policy id or to a listed non-CBEC law."""
    corpus = {policy.id for policy in load_national_policies()}
    params = load_parameters()
    for parameter in params.values():
        for period in parameter.periods:
            citation = period.citation
            assert citation.policy_id in known_source_ids()
            assert citation.in_corpus == (period.source in corpus)
    # The core CBEC limits cite the two retail import notices of the corpus.
    assert params["single_limit_cny"].at(date(2018, 12, 31)).source == "2016-caiguanshui-18"
    assert params["single_limit_cny"].at(date(2019, 1, 1)).source == "2018-caiguanshui-49"
    assert cite("2018-caiguanshui-49").doc_number == "财关税〔2018〕49号"


def test_limits_and_rates_agree_with_the_fact_sheet() -> None:
    """Values stated in rules_facts.md (§1.2 limits, §3.1 VAT, §4 postal rates, §6 return windows)."""
    params = load_parameters()
    assert params["single_limit_cny"].value_at(date(2016, 4, 8)) == 2000
    assert params["annual_limit_cny"].value_at(date(2019, 1, 1)) == 26000
    assert params["single_item_channel_below_cny"].value_at(date(2019, 1, 1)) == 26000
    assert params["import_vat_low"].value_at(date(2017, 7, 1)) == 0.11
    assert params["import_vat_standard"].at(date(2026, 1, 1)).source == "ext-vat-law"
    assert params["import_vat_standard"].value_at(date(2026, 1, 1)) == 0.13
    assert params["postal_rates"].value_at(date(2019, 4, 9)) == [0.13, 0.20, 0.50]
    assert params["return_goods_window"].periods[0].start == date(2023, 1, 30)
    assert params["return_goods_window"].periods[-1].end == date(2027, 12, 31)
    assert params["return_apply_within_days"].value_at(date(2025, 1, 1)) == 30
    assert params["return_back_within_days"].value_at(date(2025, 1, 1)) == 45


@pytest.mark.parametrize(
    ("day", "single", "annual", "vat"),
    [
        (date(2016, 4, 8), 2000, 20000, 0.17),
        (date(2018, 4, 30), 2000, 20000, 0.17),
        (date(2018, 5, 1), 2000, 20000, 0.16),
        (date(2018, 12, 31), 2000, 20000, 0.16),
        (date(2019, 1, 1), 5000, 26000, 0.16),
        (date(2019, 3, 31), 5000, 26000, 0.16),
        (date(2019, 4, 1), 5000, 26000, 0.13),
    ],
)
def test_values_switch_on_the_boundary_days(day: date, single: int, annual: int, vat: float) -> None:
    params = load_parameters()
    assert params["single_limit_cny"].value_at(day) == single
    assert params["annual_limit_cny"].value_at(day) == annual
    assert params["import_vat_standard"].value_at(day) == vat


def test_date_before_the_regime_is_a_clear_answer() -> None:
    with pytest.raises(RuleNotApplicableError) as caught:
        load_parameters()["single_limit_cny"].at(date(2016, 4, 7))
    assert "no CBEC retail import regime before 2016-04-08" in str(caught.value)
    assert caught.value.day == date(2016, 4, 7)


def test_vectorised_lookup_matches_scalar_lookup() -> None:
    param = load_parameters()["import_vat_standard"]
    days = np.array(["2010-01-01", "2018-04-30", "2018-05-01", "2019-03-31", "2019-04-01"], dtype="datetime64[D]")
    values, covered = param.values_array(days)
    assert covered.all()
    assert values.tolist() == [param.value_at(day.astype(object)) for day in days]
    _, covered = load_parameters()["single_limit_cny"].values_array(np.array(["2016-04-07"], dtype="datetime64[D]"))
    assert not covered[0]


def test_supervision_codes_cite_their_announcements() -> None:
    codes = load_codes()
    assert list(codes) == ["9610", "1210", "1239", "9710", "9810"]
    assert explain_code("9610").created_by.doc_number == "海关总署公告2014年第12号"
    assert explain_code("9610").effective == date(2014, 2, 10)
    assert explain_code("1239").created_by.policy_id == "2016-gacc-75"
    assert explain_code("9710").effective == date(2020, 7, 1)
    assert [c.policy_id for c in explain_code("9810").expanded_by] == ["2020-gacc-92"]
    assert not explain_code("9710").in_use_on(date(2020, 6, 30))

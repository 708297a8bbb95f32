"""Staggered DID: R ``did`` reference values on mpdta, a second package agreeing, panel checks,
and a simulated city panel with the real pilot-zone timing and a known effect.
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cbec_policy.cli import cli
from cbec_policy.errors import InputError
from cbec_policy.evaluation.did import AGGREGATIONS, DidResult, estimate
from cbec_policy.evaluation.did_panel import PanelSpec, prepare_panel
from cbec_policy.evaluation.treatment import treatment_table, unit_index
from cbec_policy.reference.loader import load_pilot_zones

REFERENCE = Path(__file__).parent / "fixtures" / "evaluation" / "did_reference_mpdta.csv"
ATT_TOL = 1e-6
SE_TOL = 1e-4
MPDTA = PanelSpec(unit="countyreal", time="year", outcome="lemp", group="first.treat")


def _reference() -> list[dict[str, str]]:
    with REFERENCE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _rows(estimand: str) -> list[dict[str, str]]:
    return [row for row in _reference() if row["estimand"] == estimand]


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    import moderndid

    return moderndid.load_mpdta().to_pandas()  # shipped inside the package: nothing is downloaded


@pytest.fixture(scope="module")
def result(mpdta: pd.DataFrame) -> DidResult:
    return estimate(prepare_panel(mpdta, MPDTA))


def test_att_gt_matches_r_did(result: DidResult) -> None:
    ours = {(row["group"], row["time"]): row for row in result.att_gt}
    reference = _rows("att_gt")
    assert len(ours) == len(reference) == 12
    for row in reference:
        got = ours[(int(row["group"]), int(row["time"]))]
        assert got["estimate"] == pytest.approx(float(row["estimate"]), abs=ATT_TOL)
        assert got["se"] == pytest.approx(float(row["se"]), abs=SE_TOL)


def test_four_aggregations_and_their_parts_match_r_did(result: DidResult) -> None:
    for kind in AGGREGATIONS:
        overall = next(row for row in _rows(kind) if not row["group"] and not row["time"])
        assert result.aggregations[kind].estimate == pytest.approx(float(overall["estimate"]), abs=ATT_TOL), kind
        assert result.aggregations[kind].se == pytest.approx(float(overall["se"]), abs=SE_TOL), kind
    groups = {row["group"]: row for row in result.details["group"]}
    for row in _rows("group"):
        if row["group"]:
            assert groups[int(row["group"])]["estimate"] == pytest.approx(float(row["estimate"]), abs=ATT_TOL)
            assert groups[int(row["group"])]["se"] == pytest.approx(float(row["se"]), abs=SE_TOL)
    events = {row["event_time"]: row for row in result.details["dynamic"]}
    for row in _rows("dynamic"):
        if row["time"]:
            assert events[int(row["time"])]["estimate"] == pytest.approx(float(row["estimate"]), abs=ATT_TOL)
            assert events[int(row["time"])]["se"] == pytest.approx(float(row["se"]), abs=SE_TOL)


def test_not_yet_treated_controls_and_a_covariate_match_r_did(mpdta: pd.DataFrame) -> None:
    notyet = estimate(prepare_panel(mpdta, PanelSpec("countyreal", "year", "lemp", "first.treat", control="notyet")))
    (simple,) = _rows("simple_notyettreated")
    assert notyet.aggregations["simple"].estimate == pytest.approx(float(simple["estimate"]), abs=ATT_TOL)
    assert notyet.aggregations["simple"].se == pytest.approx(float(simple["se"]), abs=SE_TOL)
    (cell,) = _rows("att_gt_notyettreated")
    assert notyet.att_gt[0]["estimate"] == pytest.approx(float(cell["estimate"]), abs=ATT_TOL)
    spec = PanelSpec("countyreal", "year", "lemp", "first.treat", covariates=("lpop",), method="reg")
    covariate = estimate(prepare_panel(mpdta, spec))
    (simple,) = _rows("simple_covariate_lpop")
    assert covariate.aggregations["simple"].estimate == pytest.approx(float(simple["estimate"]), abs=ATT_TOL)
    assert covariate.aggregations["simple"].se == pytest.approx(float(simple["se"]), abs=SE_TOL)
    (cell,) = _rows("att_gt_covariate_lpop")
    assert covariate.att_gt[0]["estimate"] == pytest.approx(float(cell["estimate"]), abs=ATT_TOL)


def test_twfe_matches_the_fixest_value(result: DidResult) -> None:
    (row,) = _rows("twfe_static")
    assert result.twfe.estimate == pytest.approx(float(row["estimate"]), abs=ATT_TOL)
    assert result.twfe.se == pytest.approx(float(row["se"]), abs=SE_TOL)


def test_a_second_package_agrees(mpdta: pd.DataFrame, result: DidResult) -> None:
    """diff-diff's independent Callaway-Sant'Anna gives the same ATT(g,t), SEs and aggregations as our engine.

    (TWFE is checked against the fixest value of the reference file instead.)
    """
    import diff_diff

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = diff_diff.CallawaySantAnna(control_group="never_treated", estimation_method="dr").fit(
            mpdta, outcome="lemp", unit="countyreal", time="year", first_treat="first.treat", aggregate="all"
        )
    ours = {(row["group"], row["time"]): row for row in result.att_gt}
    for (g, t), effect in other.group_time_effects.items():
        assert ours[(int(g), int(t))]["estimate"] == pytest.approx(effect["effect"], abs=ATT_TOL)
        assert ours[(int(g), int(t))]["se"] == pytest.approx(effect["se"], abs=SE_TOL)
    assert result.aggregations["simple"].estimate == pytest.approx(other.overall_att, abs=ATT_TOL)
    assert result.aggregations["simple"].se == pytest.approx(other.overall_se, abs=SE_TOL)
    dynamic = {row["event_time"]: row for row in result.details["dynamic"]}
    for e, effect in other.event_study_effects.items():
        assert dynamic[int(e)]["estimate"] == pytest.approx(effect["effect"], abs=ATT_TOL)
    by_group = {row["group"]: row for row in result.details["group"]}
    for g, effect in other.group_effects.items():
        assert by_group[int(g)]["estimate"] == pytest.approx(effect["effect"], abs=ATT_TOL)


def test_cli_json_shape(mpdta: pd.DataFrame, tmp_path: Path) -> None:
    panel = tmp_path / "mpdta.csv"
    mpdta.to_csv(panel, index=False)
    figure = tmp_path / "event.png"
    args = ["did", "estimate", str(panel), "--unit", "countyreal", "--time", "year", "--outcome", "lemp"]
    run = CliRunner().invoke(cli, [*args, "--group", "first.treat", "--format", "json", "--figure", str(figure)])
    assert run.exit_code == 0, run.output
    answer = json.loads(run.output[run.output.index("{") :])
    assert set(answer["aggregations"]) == {"simple", "group", "dynamic", "calendar"}
    assert all(set(v) == {"estimate", "se"} for v in answer["aggregations"].values())
    assert {"group", "time", "estimate", "se"} <= set(answer["att_gt"][0])
    (calendar,) = [row for row in _rows("calendar") if not row["time"]]
    assert answer["aggregations"]["calendar"]["estimate"] == pytest.approx(float(calendar["estimate"]), abs=ATT_TOL)
    assert figure.read_bytes()[:4] == b"\x89PNG"
    table = CliRunner().invoke(cli, [*args, "--group", "first.treat"])
    assert table.exit_code == 0, table.output
    assert "TWFE" in table.output and "pre-trend" in table.output


def test_unbalanced_panel_names_the_units(mpdta: pd.DataFrame) -> None:
    gappy = mpdta[~((mpdta["countyreal"] == 8001) & (mpdta["year"] == 2005))]
    with pytest.raises(InputError, match=r"unbalanced panel: 1 unit\(s\) lack periods: 8001 \(missing 2005\)"):
        prepare_panel(gappy, MPDTA)
    dropping = PanelSpec("countyreal", "year", "lemp", "first.treat", drop_incomplete=True)
    balanced = estimate(prepare_panel(gappy, dropping))
    assert balanced.n_units == 499
    assert any("8001" in note for note in balanced.notes)


def test_cohort_without_pre_period_is_refused(mpdta: pd.DataFrame) -> None:
    late = mpdta[mpdta["year"] >= 2004]
    with pytest.raises(
        InputError, match=r"cohort\(s\) \[2004\] are treated in or before the panel's first period 2004"
    ):
        prepare_panel(late, MPDTA)


def test_bad_values_and_columns_name_the_rows(mpdta: pd.DataFrame) -> None:
    broken = mpdta.astype({"lemp": object}).copy()
    broken.loc[3, "lemp"] = "n/a"
    with pytest.raises(InputError, match=r"column 'lemp' needs a number in every row: line 5 \('n/a'\)"):
        prepare_panel(broken, MPDTA)
    with pytest.raises(InputError, match="no column exports"):
        prepare_panel(mpdta, PanelSpec("countyreal", "year", "exports", "first.treat"))
    varying = mpdta.copy()
    varying.loc[0, "first.treat"] = 2006
    with pytest.raises(InputError, match="must be constant within a unit"):
        prepare_panel(varying, MPDTA)


def test_units_not_in_the_treatment_table_are_named() -> None:
    rows = treatment_table(load_pilot_zones())
    panel = pd.DataFrame(
        {"city": ["杭州市", "杭州市", "火星市", "火星市"], "year": [2014, 2015, 2014, 2015], "y": [1.0, 2.0, 1.0, 2.0]}
    )
    with pytest.raises(InputError, match=r"units not in the treatment table .*火星市"):
        prepare_panel(panel, PanelSpec("city", "year", "y"), rows)


def _simulated_city_panel(seed: int = 2015) -> tuple[pd.DataFrame, list]:
    """Every city of the treatment table, 2012–2024, with unit and year effects and an effect that
    grows with exposure: 0.03 in the first treated year, 0.06 in the second, and so on."""
    rows = treatment_table(load_pilot_zones())
    index = unit_index(rows)
    rng = np.random.default_rng(seed)
    records = []
    for row in rows:
        assert index[row.city] is row  # every full name joins to exactly one row
        level = rng.normal(0, 1)
        g = row.first_treated_year or 0
        for year in range(2012, 2025):
            effect = 0.03 * (year - g + 1) if g and year >= g else 0.0
            noise = rng.normal(0, 0.02)
            records.append({"city": row.city, "year": year, "y": level + 0.05 * (year - 2012) + effect + noise,
                            "effect": effect})  # fmt: skip
    return pd.DataFrame(records), rows


@pytest.mark.slow
def test_simulated_city_panel_recovers_the_known_effect_and_twfe_is_biased() -> None:
    panel, rows = _simulated_city_panel()
    result = estimate(prepare_panel(panel.drop(columns="effect"), PanelSpec("city", "year", "y"), rows))
    assert result.cohorts[2015] == 1 and result.cohorts[2020] == 70  # batches 4 and 5 share 2020 under cut-off 6
    assert any("2025" in note and "never treated" in note for note in result.notes)
    assert any("fewer than" in note and "2015" in note for note in result.notes)  # 杭州 alone
    truth = panel.loc[panel["effect"] > 0, "effect"].mean()  # the simple ATT: mean effect over treated years
    simple = result.aggregations["simple"]
    assert abs(simple.estimate - truth) < 3 * simple.se
    for row in result.details["dynamic"]:
        if 0 <= row["event_time"] <= 5:
            expected = 0.03 * (row["event_time"] + 1)
            assert abs(row["estimate"] - expected) < 4 * row["se"], row
    # TWFE uses already-treated cities as controls and understates a growing effect
    assert truth - result.twfe.estimate > 5 * simple.se


def test_cli_joins_the_treatment_table(tmp_path: Path) -> None:
    panel, rows = _simulated_city_panel(seed=7)
    path = tmp_path / "panel.csv"
    panel.drop(columns="effect").to_csv(path, index=False)
    db = f"sqlite:///{tmp_path / 'cbec.db'}"
    args = ["did", "estimate", str(path), "--db", db, "--unit", "city", "--time", "year", "--outcome", "y"]
    run = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert run.exit_code == 0, run.output
    answer = json.loads(run.output[run.output.index("{") :])
    assert answer["n_units"] == len(rows)
    assert answer["cohorts"]["2015"] == 1 and answer["cohorts"]["2019"] == 22
    later = CliRunner().invoke(cli, [*args, "--cutoff-month", "12", "--format", "json"])
    cohorts = json.loads(later.output[later.output.index("{") :])["cohorts"]
    assert cohorts["2018"] == 22 and cohorts["2019"] == 24  # batches 3 (2018-07) and 4 (2019-12) in their own year

"""The report's policy-evaluation section, with and without a researcher's DID estimate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import reference_counts
from cbec_policy.errors import InputError
from cbec_policy.evaluation.did import estimate
from cbec_policy.evaluation.did_panel import PanelSpec, prepare_panel
from cbec_policy.report.evaluation_section import EXAMPLE_COMMAND, evaluation_section, read_did_result
from cbec_policy.report.inputs import bundled_inputs


def test_without_a_panel_the_section_says_what_is_needed(tmp_path: Path) -> None:
    section = evaluation_section(bundled_inputs(), tmp_path, "zh")
    keys = [key for key, _ in section.tables]
    assert keys == ["pmc_league", "treatment_timing"]
    league = dict(section.tables)["pmc_league"]
    assert len(league.rows) == len(bundled_inputs().policies) + 1  # every policy plus the means row
    assert any(EXAMPLE_COMMAND in paragraph and "不编造" in paragraph for paragraph in section.paragraphs)
    timing = dict(section.tables)["treatment_timing"]
    assert sum(int(row["zones"]) for row in timing.rows) == reference_counts.zones_approved()
    assert {f.key for f in section.figures} >= {"pmc_comparison", "treatment_timing"}
    assert all(f.png.read_bytes()[:4] == b"\x89PNG" for f in section.figures)


def test_with_a_saved_estimate_the_section_shows_it(tmp_path: Path) -> None:
    import moderndid

    panel = prepare_panel(moderndid.load_mpdta().to_pandas(), PanelSpec("countyreal", "year", "lemp", "first.treat"))
    saved = tmp_path / "did.json"
    saved.write_text(json.dumps(estimate(panel).to_dict()), encoding="utf-8")
    section = evaluation_section(bundled_inputs(), tmp_path / "figures", "en", read_did_result(saved))
    aggregations = dict(section.tables)["did_aggregations"]
    simple = next(row for row in aggregations.rows if row["kind"] == "simple")
    assert simple["estimate"] == "-0.0400"  # R did: -0.0399513
    assert "did_event_study" in {f.key for f in section.figures}


def test_a_file_that_is_not_an_estimate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"att_gt": []}', encoding="utf-8")
    with pytest.raises(InputError, match="not a 'cbec did estimate --format json' result"):
        read_did_result(path)


def test_report_places_the_section_before_the_method_notes(tmp_path: Path) -> None:
    from cbec_policy.report.build import build_report

    result = build_report(tmp_path / "report", inputs=bundled_inputs(), progress=False, workers=1, evaluation=True)
    html = result.index_html.read_text(encoding="utf-8")
    assert html.index('id="evaluation"') < html.index('id="method"')
    assert (tmp_path / "report" / "tables" / "pmc_league.csv").is_file()
    assert "cbec did estimate panel.csv" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")

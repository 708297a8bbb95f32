"""The report's claims, trade and pilot tables as a reader sees them (no figures drawn)."""

from __future__ import annotations

import pytest

from cbec_policy.report.computed_tables import all_computed_tables
from cbec_policy.report.inputs import bundled_inputs
from cbec_policy.report.results import Results, run_analysis


@pytest.fixture(scope="module")
def results() -> Results:
    return run_analysis(bundled_inputs())


@pytest.fixture(scope="module")
def tables_zh(results: Results) -> dict:
    return all_computed_tables(results, "zh")


def test_claims_table_shows_test_interval_and_verdict(tables_zh: dict) -> None:
    rows = {row["section"] + row["paper_says"][:6]: row for row in tables_zh["claims"].rows}
    widening = next(row for key, row in rows.items() if key.startswith("§3.2 ①"))
    assert "Mann–Kendall τ" in widening["test"] and "95% CI [" in widening["test"]
    assert widening["verdict"] == "不支持"
    assert (
        "假设：每份国家文件涉及的主题数随时间增加" in widening["hypothesis"]
        and "窗口：2013–2024" in widening["hypothesis"]
    )
    balance = next(row for key, row in rows.items() if key.startswith("§3.2 ③"))
    assert "按比例分配的期望值" in balance["data_shows"]
    h1 = next(row for row in tables_zh["claims"].rows if "上半年" in row["paper_says"])
    assert h1["verdict"] == "支持（按发布时：2024-07）；后修订为 1.25 万亿，+13.0 %"
    english = all_computed_tables(run_analysis(bundled_inputs()), "en")["claims"]
    h1_en = next(row for row in english.rows if row["paper_says"].startswith("H1 2024"))
    assert h1_en["verdict"] == "supported as published (2024-07); later revised to 1.25 万亿, +13.0 %"


def test_sensitivity_tables_mark_the_rows_that_disagree(tables_zh: dict) -> None:
    balance = tables_zh["sensitivity_balance"]
    by_variant = {row["variant"]: row for row in balance.rows}
    assert by_variant["权重：人口"]["agrees"] == "不参与"
    assert by_variant["绝对差距：东部与西部每省综试区数之差"]["agrees"] == "✗ 不一致"
    assert len(balance.rows) == 1 + 8  # the main test and eight variants
    for key in ("sensitivity_widening", "sensitivity_pilots", "sensitivity_local", "sensitivity_periods"):
        assert tables_zh[key].rows[0]["variant"] == "主检验"


def test_trade_tables_carry_provenance_and_never_cross_releases(tables_zh: dict) -> None:
    rows = {row["year"]: row for row in tables_zh["trade_full_year"].rows}
    assert rows["2023"]["export"] == "18300ᴾ" and rows["2023"]["import"] == "5483ᴾ"
    assert rows["2023"]["total"] == "23800"  # verified: unmarked
    assert rows["2023"]["computed_yoy_pct"] == "—" and "另一次发布" in rows["2023"]["growth_note"]
    assert "2025" not in rows  # a projection is not a data row
    assert any("27500" in note for note in tables_zh["trade_full_year"].notes)


def test_pilot_table_marks_the_batch_with_candidate_zones(tables_zh: dict) -> None:
    rows = {row["batch"]: row for row in tables_zh["pilot_batches"].rows}
    assert rows["7"]["new_zones"].endswith("?") and "待核实 5 个" in rows["7"]["provenance"]
    assert rows["2"]["provenance"] == "已核实"


def test_shares_are_rounded_once(results: Results, tables_zh: dict) -> None:
    batch5 = next(r for r in results.region_batch if r["batch"] == 5)
    assert batch5["zones"] == 46 and batch5["east_zones"] == 25
    row = next(r for r in tables_zh["regions_per_batch"].rows if r["batch"] == "5")
    assert row["east_share"] == "54.3%"  # 25/46, not 54.35 → 54.4


def test_methods_note_counts_provenance(results: Results) -> None:
    from cbec_policy.report.local_tables import provenance_note

    note = provenance_note(results, "zh")
    assert "待核实 5" in note and "仅见于论文 2" in note


def test_local_section_tables(tables_zh: dict) -> None:
    region = tables_zh["local_focus_region"]
    assert [row["group"] for row in region.rows] == ["东部", "中部", "西部", "东北"]
    assert len(tables_zh["local_documents"].rows) == 96
    assert tables_zh["local_plan_lag"].rows[1]["batch"] == "2"

"""The pilot-zone treatment table: all 181 approvals, the cut-off rule, revocations, merges, candidates."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import reference_counts
from cbec_policy.cli import cli
from cbec_policy.errors import InputError
from cbec_policy.evaluation.treatment import CODE_UNKNOWN, TREATMENT_COLUMNS, first_treated_year, treatment_table
from cbec_policy.reference.loader import load_pilot_batches, load_pilot_zones


def test_cut_off_rule() -> None:
    assert first_treated_year(date(2018, 7, 24), 6) == 2019
    assert first_treated_year(date(2018, 7, 24), 7) == 2018
    assert first_treated_year(date(2019, 12, 15), 12) == 2019
    with pytest.raises(InputError, match="not a month"):
        first_treated_year(date(2019, 1, 1), 13)


def test_every_approval_is_a_row_with_its_batch_timing() -> None:
    rows = treatment_table(load_pilot_zones())
    approvals = [r for r in rows if r.row_kind == "approval"]
    batches = {b.batch: b for b in load_pilot_batches()}
    assert len(approvals) == batches[max(batches)].cumulative_count == reference_counts.zones_approved()
    for row in approvals:
        assert row.approval_date == batches[row.batch].approval_date
        assert row.first_treated_year == first_treated_year(row.approval_date)
        assert not row.never_treated
    assert sum(r.candidate for r in approvals) == 5
    assert {r.city for r in approvals if r.candidate} == {
        "焦作市",
        "柳州市",
        "铜仁市",
        "大理白族自治州",
        "伊犁哈萨克自治州",
    }


def test_revocations_are_intention_to_treat_with_successors_and_can_be_dropped() -> None:
    rows = treatment_table(load_pilot_zones())
    revoked = {r.city: r for r in rows if r.revoked_date is not None}
    assert set(revoked) == {"海口市", "三亚市", "阿拉山口市"}
    assert revoked["海口市"].first_treated_year == 2019 and revoked["海口市"].coding == "itt"
    assert revoked["海口市"].successor == "海南全岛" and revoked["阿拉山口市"].successor == "博尔塔拉蒙古自治州"
    dropped = treatment_table(load_pilot_zones(), drop_revoked=True)
    assert not {r.city for r in dropped} & set(revoked)
    assert sum(r.row_kind == "approval" for r in dropped) == reference_counts.in_force_after_each_batch()[-1]


def test_never_treated_cities_and_province_wide_cover() -> None:
    rows = treatment_table(load_pilot_zones())
    by_city = {(r.city, r.province): r for r in rows}
    assert by_city[("儋州市", "海南省")].treated_via == "海南全岛"
    assert by_city[("儋州市", "海南省")].first_treated_year == 2025
    never = [r for r in rows if r.never_treated]
    assert never and all(r.row_kind == "never_treated" and r.batch is None for r in never)
    assert ("朔州市", "山西省") in {(r.city, r.province) for r in never}
    assert all(r.city_code is None for r in rows)  # no GB/T 2260 codes in the reference data: none invented
    assert rows[0].as_dict()["city_code_status"] == CODE_UNKNOWN


def test_cli_writes_the_table(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cbec.db'}"
    out = tmp_path / "treatment.csv"
    run = CliRunner().invoke(cli, ["did", "treatment", "--db", db, "--out", str(out)])
    assert run.exit_code == 0, run.output
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(table[0]) == list(TREATMENT_COLUMNS)
    assert sum(row["row_kind"] == "approval" for row in table) == reference_counts.zones_approved()
    hangzhou = next(row for row in table if row["city"] == "杭州市")
    assert hangzhou["first_treated_year"] == "2015" and hangzhou["never_treated"] == "0"
    later = CliRunner().invoke(cli, ["did", "treatment", "--db", db, "--cutoff-month", "12", "--drop-revoked"])
    rows = list(csv.DictReader(io.StringIO(later.output)))
    assert sum(row["row_kind"] == "approval" for row in rows) == reference_counts.in_force_after_each_batch()[-1]
    assert next(row for row in rows if row["city"] == "北京市")["first_treated_year"] == "2018"

"""Pilot-zone expansion and regional balance checked against hand counts of the reference CSVs."""

from __future__ import annotations

import csv
import math
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import reference_counts
from cbec_policy.analysis import pilots
from cbec_policy.analysis.provinces import bundled_provinces, provinces_per_region
from cbec_policy.reference.loader import load_pilot_batches, load_pilot_zones, reference_path

ZONES_CSV: Path = reference_path("pilot_zones.csv")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _csv_rows() -> list[dict[str, str]]:
    """The zone rows by hand: approval date from the batch, revocation from zone_succession.csv,
    region from the province table."""
    batches = {row["batch"]: row for row in _read(reference_path("pilot_batches.csv"))}
    ended = {
        (row["batch"], row["zone_name"]): batches[row["ended_by_batch"]]["approval_date"]
        for row in _read(reference_path("zone_succession.csv"))
    }
    regions = reference_counts.province_regions()
    rows = _read(ZONES_CSV)
    for row in rows:
        row["region"] = regions[row["province"]]
        row["approval_date"] = batches[row["batch"]]["approval_date"]
        row["revoked_date"] = ended.get((row["batch"], row["zone_name"]), "")
    return rows


@pytest.fixture(scope="module")
def progress() -> list[dict]:
    return pilots.batch_progress(load_pilot_batches(), load_pilot_zones())


def test_cumulative_zones_per_batch(progress: list[dict]) -> None:
    assert [row["cumulative_approved"] for row in progress] == reference_counts.cumulative_approved()
    # the batch table's own running sum agrees with the zone rows
    assert all(row["cumulative_approved"] == row["stated_cumulative"] for row in progress)
    # batch 8 revoked 海口, 三亚, 阿拉山口: 181 approved, 178 in force
    assert progress[-1]["revoked"] == reference_counts.ended_by_batch()[reference_counts.batch_numbers()[-1]]
    assert [row["in_force"] for row in progress] == reference_counts.in_force_after_each_batch()


def test_provinces_covered_match_a_hand_count(progress: list[dict]) -> None:
    rows = _csv_rows()
    for row in progress:
        day = row["approval_date"].isoformat()
        covered = {
            r["province"]
            for r in rows
            if r["approval_date"] <= day and not (r["revoked_date"] and r["revoked_date"] <= day)
        }
        assert row["provinces_covered"] == len(covered), row["batch"]
    assert progress[0]["provinces_covered"] == 1  # 杭州 only
    assert progress[6]["provinces_covered"] == 31  # the paper: 31 provinces by the end of 2022
    on_paper_date = pilots.zones_in_force(load_pilot_zones(), date(2022, 12, 31))
    assert len(on_paper_date) == 165


def test_region_shares_per_batch_match_a_hand_count() -> None:
    rows = _csv_rows()
    computed = pilots.region_shares_per_batch(load_pilot_batches(), load_pilot_zones())
    for row in computed:
        expected = Counter(r["region"] for r in rows if int(r["batch"]) == row["batch"])
        total = sum(expected.values())
        for region, code in pilots.REGION_CODE.items():
            assert row[f"{code}_zones"] == expected.get(region, 0)
            assert row[f"{code}_share"] == pytest.approx(expected.get(region, 0) / total, abs=1e-4)
    first = computed[0]
    assert first["east_share"] == 1.0  # batch 1 is 杭州 alone: 100% 东部
    assert first["evenness"] == 0.0


def test_cumulative_region_counts_after_batch_7_and_8() -> None:
    rows = _csv_rows()
    cumulative = {
        row["batch"]: row for row in pilots.region_shares_cumulative(load_pilot_batches(), load_pilot_zones())
    }
    day8 = next(r["approval_date"] for r in reference_counts.rows("pilot_batches.csv") if r["batch"] == "8")
    after7 = Counter(r["region"] for r in rows if int(r["batch"]) <= 7)
    after8 = Counter(
        r["region"] for r in rows if int(r["batch"]) <= 8 and not (r["revoked_date"] and r["revoked_date"] <= day8)
    )
    for region, code in pilots.REGION_CODE.items():
        assert cumulative[7][f"{code}_zones"] == after7[region]
        assert cumulative[8][f"{code}_zones"] == after8[region]
    assert cumulative[7]["zones"] == 165
    assert cumulative[8]["zones"] == 178
    assert cumulative[8]["east_per_province"] == pytest.approx(after8["东部"] / 10, abs=0.01)


def test_balance_indices_behave() -> None:
    per_region = provinces_per_region()
    assert per_region == {"东部": 10, "中部": 6, "西部": 12, "东北": 3}
    # zones exactly proportional to provinces: no inequality
    assert pilots.theil_against_provinces(dict(per_region), per_region) == pytest.approx(0.0, abs=1e-12)
    # all zones in the east: Theil = ln(31/10)
    only_east = {"东部": 5, "中部": 0, "西部": 0, "东北": 0}
    assert pilots.theil_against_provinces(only_east, per_region) == pytest.approx(math.log(31 / 10))


def test_zones_per_province_and_region_table() -> None:
    rows = pilots.zones_per_province(load_pilot_zones(), date(2025, 4, 25))
    assert len(rows) == 31
    assert sum(row["zones"] for row in rows) == 178
    by_name = {row["province"]: row["zones"] for row in rows}
    day = "2025-04-25"
    hand = Counter(
        r["province"]
        for r in _csv_rows()
        if r["approval_date"] <= day and not (r["revoked_date"] and r["revoked_date"] <= day)
    )
    assert by_name == dict(hand) | {name: 0 for name in by_name if name not in hand}
    assert by_name["广东省"] == 21
    assert by_name["海南省"] == 1  # 海口 and 三亚 revoked, 海南全岛 approved


def test_province_table_agrees_with_zone_regions() -> None:
    regions = {p.name: p.region for p in bundled_provinces()}
    for zone in load_pilot_zones():
        assert regions[zone.province] == zone.region, zone.zone_name

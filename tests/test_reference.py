"""The bundled reference data loads, matches the shared facts, and rejects malformed rows clearly."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import reference_counts
from cbec_policy.errors import ReferenceDataError
from cbec_policy.reference import (
    load_national_policies,
    load_pilot_batches,
    load_pilot_zones,
    load_positive_list,
    load_provinces,
    load_trade_stats,
    reference_path,
)


def test_national_policies_hold_paper_table_and_additions() -> None:
    policies = load_national_policies()
    assert len(policies) == 59
    in_table = [p for p in policies if p.paper is not None]
    assert len(in_table) == 26
    # Table 1 of the paper: 7 tax, 7 supervision, 5 management, 1 law, 1 norm, 1 standard, 4 comprehensive.
    counts = Counter(p.paper.policy_type for p in in_table)
    assert counts == {"税收类": 7, "监管类": 7, "管理类": 5, "法律类": 1, "规范类": 1, "标准类": 1, "综合类": 4}


def test_paper_values_are_kept_beside_verified_values() -> None:
    by_id = {p.id: p for p in load_national_policies()}
    sat36 = by_id["2019-sat-announce-36"]
    assert sat36.paper is not None
    assert sat36.paper.doc_number == "公告〔2019〕36号"
    assert sat36.paper.issuers_text == "国家税务局"
    assert sat36.doc_number == "国家税务总局公告2019年第36号"
    assert sat36.issuers == ("国家税务总局",)
    assert by_id["2016-caiguanshui-18"].publish_date == date(2016, 3, 24)


def test_pilot_zones_batches_and_revocations() -> None:
    zones = load_pilot_zones()
    assert len(zones) == reference_counts.zones_approved()
    per_batch = Counter(z.batch for z in zones)
    assert {b: n for b, n in per_batch.items() if b <= 8} == {1: 1, 2: 12, 3: 22, 4: 24, 5: 46, 6: 27, 7: 33, 8: 16}
    assert per_batch == Counter(int(row["batch"]) for row in reference_counts.rows("pilot_zones.csv"))
    revoked = sorted(z.city for z in zones if z.revoked_date)
    assert revoked == sorted(["海口", "三亚", "阿拉山口"])
    assert all(z.revoked_by == "国函〔2025〕40号" for z in zones if z.revoked_date)
    assert sum(z.confidence == "candidate" for z in zones) == 5
    batches = load_pilot_batches()
    assert [b.cumulative_count for b in batches] == reference_counts.cumulative_approved()


def test_positive_list_and_trade_series() -> None:
    assert [v.tariff_lines for v in load_positive_list()] == [1142, 1293, 1321, 1413, 1476]
    stats = load_trade_stats()
    y2023 = [s for s in stats if s.year == 2023 and s.period == "full-year"]
    assert y2023[0].total == 23800 and y2023[0].export == 18300 and y2023[0].import_ == 5483
    narrow = [s for s in stats if not s.comparable_series]
    assert [s.year for s in narrow] == [2015]
    assert {s.release for s in stats if s.year == 2022 and s.period == "full-year"} == {"preliminary", "survey"}


def _broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    target = tmp_path / name
    shutil.copy(reference_path(name), target)
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_impossible_date_names_file_line_and_column(tmp_path: Path) -> None:
    # Approval dates live in pilot_batches.csv (the zones point at their batch).
    broken = _broken_copy(tmp_path, "pilot_batches.csv", "1,2015-03-07,", "1,2015-02-30,")
    with pytest.raises(ReferenceDataError) as info:
        load_pilot_batches(broken)
    message = str(info.value)
    assert "pilot_batches.csv" in message and "line 2" in message and "approval_date" in message
    assert "2015-02-30" in message


def test_unknown_region_is_rejected(tmp_path: Path) -> None:
    # A zone's region is its province's: the one province table holds it.
    broken = _broken_copy(tmp_path, "provinces.csv", "浙江省,浙江,Zhejiang,东部,", "浙江省,浙江,Zhejiang,南部,")
    with pytest.raises(ReferenceDataError, match=r"provinces.csv.*region.*南部"):
        load_provinces(broken)


def test_a_zone_in_an_unknown_province_is_rejected(tmp_path: Path) -> None:
    broken = _broken_copy(tmp_path, "pilot_zones.csv", "1,杭州市,杭州,浙江省,", "1,杭州市,杭州,浙江,")
    with pytest.raises(ReferenceDataError, match=r"pilot_zones.csv.*line 2.*province.*浙江"):
        load_pilot_zones(broken)


def test_every_zone_takes_its_region_from_its_province() -> None:
    regions = {province.name: province.region for province in load_provinces()}
    assert all(zone.region == regions[zone.province] for zone in load_pilot_zones())
    assert {province.region for province in load_provinces()} == {"东部", "中部", "西部", "东北"}


def test_unknown_relation_target_is_rejected(tmp_path: Path) -> None:
    broken = _broken_copy(tmp_path, "national_policies.csv", "related:2018-caishui-103", "related:no-such-policy")
    with pytest.raises(ReferenceDataError, match="no-such-policy"):
        load_national_policies(broken)


def test_missing_column_is_rejected(tmp_path: Path) -> None:
    broken = _broken_copy(tmp_path, "pilot_batches.csv", "zone_count,", "zones,")
    with pytest.raises(ReferenceDataError, match="missing columns: zone_count"):
        load_pilot_batches(broken)


def test_non_utf8_file_is_rejected(tmp_path: Path) -> None:
    target = tmp_path / "pilot_batches.csv"
    target.write_bytes(reference_path("pilot_batches.csv").read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(ReferenceDataError, match="not UTF-8"):
        load_pilot_batches(target)

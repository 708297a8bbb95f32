"""Every Table 1 policy lands in the period §2.2 of the paper implies, in each of the four frameworks."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbec_policy.analysis.periods import (
    PERIOD_OUTSIDE,
    assign_periods,
    bundled_frameworks,
    load_frameworks,
    period_counts,
)
from cbec_policy.errors import ReferenceDataError
from cbec_policy.reference.loader import load_national_policies

# Reasoned from §2.2 by hand: (a) ≤2011 起步发展期 / 2012–2016 进口红利爆发期 / 2017– 规范发展期;
# (d) the paper's nodes 2015 试点 / 2016–2020 全面发展 / 2021– 成熟优化, nothing before 2015.
# (b) and (c) put every year from 2013 on in their last period (b3 高水平开放, c3 爆发期).
TABLE1_EXPECTED = {
    "2013-caishui-96": ("a2", PERIOD_OUTSIDE),  # 2013-12-30
    "2015-guobanfa-46": ("a2", "d1"),  # 2015-06-20
    "2016-caiguanshui-18": ("a2", "d2"),
    "2016-mof-announce-40": ("a2", "d2"),
    "2016-mof-announce-47": ("a2", "d2"),
    "2017-shangmaohan-840": ("a3", "d2"),
    "2018-gacc-27": ("a3", "d2"),
    "2018-cnipa-25": ("a3", "d2"),
    "2018-law-ecommerce": ("a3", "d2"),
    "2018-caishui-103": ("a3", "d2"),
    "2018-gacc-165": ("a3", "d2"),
    "2018-mof-announce-157": ("a3", "d2"),
    "2018-shangcaifa-486": ("a3", "d2"),
    "2018-caiguanshui-49": ("a3", "d2"),
    "2019-sat-announce-36": ("a3", "d2"),
    "2019-mof-announce-96": ("a3", "d2"),
    "2020-gacc-45": ("a3", "d2"),
    "2020-gacc-75": ("a3", "d2"),
    "2020-gacc-92": ("a3", "d2"),
    "2021-shangcaifa-39": ("a3", "d3"),
    "2022-mof-announce-7": ("a3", "d3"),
    "2023-announce-4": ("a3", "d3"),
    "2023-announce-34": ("a3", "d3"),
    "2023-gbt-43291": ("a3", "d3"),
    "2023-guobanfa-42": ("a3", "d3"),
    "2024-shangmaofa-125": ("a3", "d3"),
}


def test_four_frameworks_of_section_2_2() -> None:
    frameworks = bundled_frameworks()
    assert [f.key for f in frameworks] == ["a", "b", "c", "d"]
    a = frameworks[0]
    assert [(p.zh, p.start, p.end) for p in a.periods] == [
        ("起步发展期", None, 2011),
        ("进口红利爆发期", 2012, 2016),
        ("规范发展期", 2017, None),
    ]
    assert [(p.start, p.end) for p in frameworks[2].periods] == [(2004, 2007), (2008, 2012), (2013, None)]


def test_every_table1_policy_is_in_the_expected_period() -> None:
    table1 = [p for p in load_national_policies() if p.paper is not None]
    assert {p.id for p in table1} == set(TABLE1_EXPECTED)
    for item in assign_periods(table1):
        expected_a, expected_d = TABLE1_EXPECTED[item.policy_id]
        assert item.periods == {"a": expected_a, "b": "b3", "c": "c3", "d": expected_d}, item.policy_id


def test_counts_cover_every_policy_in_every_framework() -> None:
    policies = load_national_policies()
    rows = period_counts(assign_periods(policies))
    for key in "abcd":
        assert sum(row["policies"] for row in rows if row["framework"] == key) == len(policies)
    # 2013–2014 documents fall before the paper's first node: reported, not forced into 2015
    outside_d = next(row["policies"] for row in rows if row["framework"] == "d" and row["period"] == PERIOD_OUTSIDE)
    assert outside_d == sum(1 for p in policies if p.publish_date.year < 2015)


def test_overlapping_periods_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "periods.yaml"
    bad.write_text(
        "frameworks:\n  - key: x\n    zh: 甲\n    en: x\n    periods:\n"
        "      - {key: x1, zh: 一, en: one, start: 2001, end: 2010}\n"
        "      - {key: x2, zh: 二, en: two, start: 2009, end: null}\n",
        encoding="utf-8",
    )
    with pytest.raises(ReferenceDataError, match="overlaps"):
        load_frameworks(bad)

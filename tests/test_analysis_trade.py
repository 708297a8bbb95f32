"""Trade series, preliminary vs survey releases, the pre-2020 break, and the positive list."""

from __future__ import annotations

import dataclasses

from cbec_policy.analysis.positive_list import positive_list_growth
from cbec_policy.analysis.provenance import trade_status
from cbec_policy.analysis.trade import (
    best_releases,
    projections,
    revisions,
    same_vintage_growth,
    series_break,
    trade_series,
    vintage_of,
)
from cbec_policy.reference.loader import load_positive_list, load_trade_stats


def test_survey_replaces_preliminary() -> None:
    best = best_releases(load_trade_stats())
    assert best[2022].release == "survey" and best[2022].total == 20578
    assert best[2024].release == "survey" and best[2024].total == 27100
    assert best[2023].release == "preliminary" and best[2023].total == 23800


def test_growth_never_crosses_releases() -> None:
    stats = load_trade_stats()
    rows = {row["year"]: row for row in trade_series(stats)}
    # 2023 (preliminary, Jan 2024) over 2022 (survey, Jun 2023) would mix two releases: not computed,
    # and the published growth is shown instead (the old +15.7 % was such a cross-release ratio)
    assert rows[2023]["computed_yoy_pct"] is None and rows[2023]["growth_note"] == "cross_vintage"
    assert rows[2023]["published_yoy_pct"] == 15.6
    # 2022 survey over the 2021 preliminary base would give +3.9 % beside the published +7.1 %
    assert rows[2022]["computed_yoy_pct"] is None and rows[2022]["published_yoy_pct"] == 7.1
    assert rows[2015]["comparable_series"] is False
    assert rows[2018]["growth_note"] in {"series_break", "no_previous"}
    assert rows[2022]["other_releases"] == ["preliminary: 21100"]
    for period in ("full-year", "H1"):
        for row in trade_series(stats, period):
            if row["computed_yoy_pct"] is not None:  # only ever within one release
                current = next(
                    s for s in stats if s.year == row["year"] and s.period == period and s.release == row["release"]
                )
                assert any(vintage_of(s) == vintage_of(current) for s in stats if s.year == row["year"] - 1)


def test_growth_within_one_release_is_computed() -> None:
    stats = load_trade_stats()
    release = "https://example.org/one-release"
    this = dataclasses.replace(stats[-2], year=2030, period="full-year", total=110.0, source_url=release)
    last = dataclasses.replace(stats[-2], year=2029, period="full-year", total=100.0, source_url=release)
    other = dataclasses.replace(
        stats[-2], year=2029, period="full-year", total=50.0, source_url="https://example.org/x"
    )
    assert same_vintage_growth(this, last) == 10.0
    assert same_vintage_growth(this, other) is None


def test_projections_are_not_data() -> None:
    stats = load_trade_stats()
    projected = projections(stats)
    assert [(s.year, s.period, s.total) for s in projected] == [(2025, "full-year", 27500)]
    assert 2025 not in best_releases(stats)
    assert 2025 not in {row["year"] for row in trade_series(stats)}


def test_provenance_of_trade_values() -> None:
    stats = {(s.year, s.period, s.release): s for s in load_trade_stats()}
    split = stats[(2023, "full-year", "preliminary")]
    assert (trade_status(split, "total"), trade_status(split, "export"), trade_status(split, "import")) == (
        "verified",
        "paper",
        "paper",
    )
    assert trade_status(stats[(2024, "full-year", "survey")], "export") == "unknown"  # no value at all


def test_revisions_and_break() -> None:
    by_key = {(row["year"], row["period"]): row for row in revisions(load_trade_stats())}
    assert set(by_key) == {(2022, "full-year"), (2024, "full-year"), (2024, "H1")}
    h1 = by_key[(2024, "H1")]
    assert (h1["preliminary_total"], h1["survey_total"], h1["change"]) == (12200, 12500, 300)
    assert (h1["preliminary_yoy_pct"], h1["survey_yoy_pct"]) == (10.5, 13.0)
    brk = series_break(load_trade_stats())
    assert brk == {"narrow_years": [2015], "first_comparable_year": 2018, "has_break": True}


def test_positive_list_series() -> None:
    rows = positive_list_growth(load_positive_list())
    assert [row["tariff_lines"] for row in rows] == [1142, 1293, 1321, 1413, 1476]
    assert [row["net_added"] for row in rows] == [None, 151, 28, 92, 63]  # the paper: 第二批新增151个
    assert [row["doc_number"] for row in rows] == [
        "2016年第40号",
        "2016年第47号",
        "2018年第157号",
        "2019年第96号",
        "2022年第7号",
    ]
    assert [row["effective"].isoformat() for row in rows] == [
        "2016-04-08",
        "2016-04-16",
        "2019-01-01",
        "2020-01-01",
        "2022-03-01",
    ]

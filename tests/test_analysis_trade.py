"""Trade series, preliminary vs survey releases, the pre-2020 break, and the positive list."""

from __future__ import annotations

from cbec_policy.analysis.positive_list import positive_list_growth
from cbec_policy.analysis.trade import best_releases, revisions, series_break, trade_series
from cbec_policy.reference.loader import load_positive_list, load_trade_stats


def test_survey_replaces_preliminary() -> None:
    best = best_releases(load_trade_stats())
    assert best[2022].release == "survey" and best[2022].total == 20578
    assert best[2024].release == "survey" and best[2024].total == 27100
    assert best[2023].release == "preliminary" and best[2023].total == 23800


def test_growth_only_within_the_comparable_series() -> None:
    rows = {row["year"]: row for row in trade_series(load_trade_stats())}
    # 2023 against the 2022 survey value: 23800 / 20578 − 1 = 15.66%
    assert rows[2023]["computed_yoy_pct"] == 15.7
    assert rows[2023]["published_yoy_pct"] == 15.6
    assert rows[2015]["comparable_series"] is False
    assert rows[2015]["computed_yoy_pct"] is None and rows[2018]["computed_yoy_pct"] is None
    assert rows[2022]["other_releases"] == ["preliminary: 21100"]


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

"""Types and themes per year, widening content, departments per policy and the issuer network."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter

import pytest

from cbec_policy.analysis import evolution
from cbec_policy.departments import normalise_issuer
from cbec_policy.reference.loader import load_national_policies


@pytest.fixture(scope="module")
def policies() -> list:
    return load_national_policies()


def test_table1_types_fall_back_to_the_papers_type(policies: list) -> None:
    # Without a type of its own, a Table 1 row takes the paper's: 7 / 7 / 5 / 1 / 1 / 1 / 4 rows.
    table1 = [dataclasses.replace(p, policy_type=None) for p in policies if p.paper is not None]
    rows = evolution.year_by_type(table1)
    totals = {
        code: sum(row[code] for row in rows)
        for code in ("tax", "supervision", "management", "law", "norm", "standard", "comprehensive")
    }
    assert totals == {
        "tax": 7,
        "supervision": 7,
        "management": 5,
        "law": 1,
        "norm": 1,
        "standard": 1,
        "comprehensive": 4,
    }
    by_year = {row["year"]: row["total"] for row in rows}
    assert by_year[2018] == 8  # eight Table 1 rows are dated 2018
    assert by_year[2014] == 0 and by_year[2017] == 1  # gap years are kept as zero rows


def test_year_by_type_counts_every_dated_policy(policies: list) -> None:
    rows = evolution.year_by_type(policies)
    assert sum(row["total"] for row in rows) == len(policies)
    assert rows[0]["year"] == min(p.publish_date.year for p in policies)


def test_theme_widening(policies: list) -> None:
    rows = evolution.theme_widening(policies)
    cumulative = [row["cumulative_themes"] for row in rows]
    assert cumulative == sorted(cumulative)  # a theme once seen stays seen
    assert cumulative[-1] == len({t for p in policies for t in p.themes})
    first_year = min(p.publish_date.year for p in policies)
    assert rows[0]["themes_this_year"] == len(
        {t for p in policies if p.publish_date.year == first_year for t in p.themes}
    )


def test_shannon_and_evenness() -> None:
    assert evolution.shannon([5, 5, 5, 5]) == pytest.approx(math.log(4))
    assert evolution.shannon([7]) == 0.0
    assert evolution.evenness([3, 3, 3]) == pytest.approx(1.0)
    assert evolution.linear_slope([(2000, 1.0), (2001, 2.0), (2002, 3.0)]) == pytest.approx(1.0)


def test_department_counts_use_the_papers_stated_count(policies: list) -> None:
    by_id = {p.id: p for p in policies}
    assert evolution.department_count(by_id["2016-mof-announce-47"]) == 13  # 财政部等13部门, one name verified
    assert evolution.department_count(by_id["2016-mof-announce-40"]) == 11  # eleven issuers named
    assert evolution.department_count(by_id["2013-caishui-96"]) == 2


def test_issuer_network(policies: list) -> None:
    graph = evolution.issuer_network(policies)
    both = sum(1 for p in policies if {"财政部", "海关总署"} <= {normalise_issuer(i) for i in p.issuers})
    assert graph["财政部"]["海关总署"]["weight"] == both
    assert graph.degree("国务院") == 0  # State Council replies are never co-issued
    issued = Counter(normalise_issuer(i) for p in policies for i in set(p.issuers))
    assert graph.nodes["海关总署"]["policies"] == issued["海关总署"]
    rows = evolution.network_table(graph)
    assert {row["department"] for row in rows} == set(graph.nodes)
    assert rows == sorted(rows, key=lambda r: (-r["betweenness"], -r["degree"], -r["policies"], r["department"]))

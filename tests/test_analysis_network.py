"""Co-issuance per period with agencies harmonised across the 2018 reform, and instruments × themes/periods."""

from __future__ import annotations

import dataclasses
from datetime import date

from cbec_policy.analysis.agencies import harmonise_agency
from cbec_policy.analysis.network import instruments_by, network_by_period, period_network
from cbec_policy.models import Policy
from cbec_policy.reference.loader import load_national_policies


def _policy(number: int, day: date, issuers: tuple[str, ...], **extra: object) -> Policy:
    """A made-up policy for tests (not a real document)."""
    base = Policy(
        id=f"net-{number}",
        title=f"测试文件{number}",
        doc_number=None,
        issuers=issuers,
        publish_date=day,
        effective_date=None,
        end_date=None,
        status="unknown",
        level="national",
        policy_type="comprehensive",
        themes=("tax",),
    )
    return dataclasses.replace(base, **extra)


def test_agencies_are_followed_through_the_reforms() -> None:
    assert harmonise_agency("农业部") == "农业农村部"
    assert harmonise_agency("税务总局") == "国家税务总局"  # a short form, not a reform
    assert harmonise_agency("中国银行业监督管理委员会") == "国家金融监督管理总局"  # 2018, then 2023
    assert harmonise_agency("海关总署") == "海关总署"


def test_one_node_for_an_agency_before_and_after_2018() -> None:
    graph = period_network(
        [
            _policy(1, date(2016, 4, 1), ("财政部", "农业部")),
            _policy(2, date(2019, 12, 1), ("财政部", "农业农村部")),
        ]
    )
    assert set(graph.nodes) == {"财政部", "农业农村部"}
    assert graph["财政部"]["农业农村部"]["weight"] == 2


def test_every_issuer_of_a_multi_department_document_is_counted() -> None:
    rows = {row["period"]: row for row in network_by_period(load_national_policies())}
    # the 13-department positive lists name only their lead: the other 12 are counted, unnamed
    assert rows["d2"]["unnamed_issuers"] >= 12 * 3
    assert rows["d2"]["issuer_slots"] > rows["d2"]["agencies"]
    assert sum(row["documents"] for row in rows.values()) == sum(
        1 for p in load_national_policies() if p.publish_date and p.publish_date.year >= 2015
    )


def test_instruments_cross_themes_and_periods_only_for_coded_policies() -> None:
    policies = [
        _policy(1, date(2016, 1, 1), ("财政部",), instruments=("supply.funding", "environment.tax"), themes=("tax",)),
        _policy(2, date(2022, 1, 1), ("海关总署",), instruments=("demand.overseas",), themes=("customs", "tax")),
        _policy(3, date(2022, 2, 1), ("海关总署",)),
    ]
    themes = instruments_by(policies, "theme")
    rows = {row["side"]: row for row in themes["rows"]}
    assert (themes["coded"], themes["uncoded"]) == (2, 1)
    assert rows["supply"]["tax"] == 1 and rows["environment"]["tax"] == 1 and rows["demand"]["customs"] == 1
    periods = {row["side"]: row for row in instruments_by(policies, "period")["rows"]}
    assert periods["supply"]["d2"] == 1 and periods["demand"]["d3"] == 1 and periods["demand"]["d2"] == 0

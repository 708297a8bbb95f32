"""Local differentiation and the "paper says / data shows" verdicts, recomputed from reference data."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from cbec_policy.analysis import claims
from cbec_policy.analysis.local import cosine_distance, local_differentiation, theme_profile
from cbec_policy.models import Policy
from cbec_policy.reference.loader import load_national_policies, load_pilot_batches, load_pilot_zones, load_trade_stats


def _local(number: int, region: str, themes: tuple[str, ...]) -> Policy:
    """A made-up local document for tests (title written for the test, not a real policy)."""
    return Policy(
        id=f"test-local-{number}",
        title=f"测试用地方文件{number}",
        doc_number=None,
        issuers=("测试市人民政府",),
        publish_date=date(2023, 1, number),
        effective_date=None,
        end_date=None,
        status="unknown",
        level="municipal",
        policy_type="comprehensive",
        themes=themes,
        region=region,
    )


@pytest.fixture(scope="module")
def evaluated() -> dict[str, claims.Claim]:
    result = claims.evaluate_claims(
        load_national_policies(), load_pilot_zones(), load_pilot_batches(), load_trade_stats()
    )
    return {claim.key: claim for claim in result}


def test_national_data_only_says_local_documents_are_needed() -> None:
    result = local_differentiation(load_national_policies())
    assert result.available is False and result.rows == []
    assert "地方政策文件" in result.message_zh


def test_local_profiles_against_national() -> None:
    national = load_national_policies()
    local = [_local(i, "浙江省杭州市", ("tax",)) for i in range(1, 4)] + [_local(4, "四川省", ("international",))]
    result = local_differentiation([*national, *local])
    rows = {row["province"]: row for row in result.rows}
    assert set(rows) == {"浙江省", "四川省"}
    assert rows["浙江省"]["documents"] == 3 and rows["浙江省"]["enough_documents"] is True
    assert rows["四川省"]["enough_documents"] is False
    expected = cosine_distance({"tax": 1.0}, theme_profile([p for p in national if p.themes]))
    assert rows["浙江省"]["cosine_distance"] == pytest.approx(expected, abs=1e-4)
    assert rows["浙江省"]["emphasis_theme"] == "tax"
    assert cosine_distance({"a": 1.0, "b": 0.0}, {"a": 2.0, "b": 0.0}) == pytest.approx(0.0)


def test_pilot_claim_matches_the_paper_and_reports_batch_8(evaluated: dict[str, claims.Claim]) -> None:
    claim = evaluated["pilot_expansion"]
    assert claim.verdict == "supported"
    assert (claim.numbers["zones_on_paper_date"], claim.numbers["provinces_on_paper_date"]) == (165, 31)
    assert claim.numbers["batches_on_paper_date"] == 7
    assert (claim.numbers["approved_now"], claim.numbers["in_force_now"]) == (181, 178)
    assert any("国函〔2025〕40号" in line and "178" in line for line in claim.since_paper_zh)


def test_regional_balance_claim(evaluated: dict[str, claims.Claim]) -> None:
    claim = evaluated["regional_balance"]
    series = claim.numbers["theil_series"]
    assert list(series) == [2, 3, 4, 5, 6, 7, 8]  # batch 1 (one zone) is too small for a trend
    assert series[8] < series[2]
    assert claim.verdict in {"supported", "partly"}
    assert claim.numbers["east_share_first"] == pytest.approx(8 / 13, abs=1e-4)


def test_trade_figures(evaluated: dict[str, claims.Claim]) -> None:
    assert evaluated["trade_2023_total"].verdict == "supported"
    assert evaluated["trade_2023_total"].numbers["computed_yoy_pct"] == 15.7
    assert evaluated["trade_2023_import"].verdict == "supported"
    # H1 2024: the paper's 1.22 trillion / +10.5% was the preliminary figure, revised to 1.25 / +13%
    h1 = evaluated["trade_2024_h1_total"]
    assert h1.verdict == "partly"
    assert h1.numbers["releases"] == {"survey": 12500, "preliminary": 12200}
    assert evaluated["trade_impact"].verdict == "not_enough_data"
    assert evaluated["local_differentiation"].verdict == "not_enough_data"


def test_trade_verdicts_follow_the_data() -> None:
    policies, zones, batches = load_national_policies(), load_pilot_zones(), load_pilot_batches()
    no_survey = [s for s in load_trade_stats() if not (s.year == 2024 and s.period == "H1" and s.release == "survey")]
    result = {c.key: c for c in claims.evaluate_claims(policies, zones, batches, no_survey)}
    assert result["trade_2024_h1_total"].verdict == "supported"
    wrong = [
        dataclasses.replace(s, total=30000.0) if s.year == 2023 and s.period == "full-year" else s for s in no_survey
    ]
    result = {c.key: c for c in claims.evaluate_claims(policies, zones, batches, wrong)}
    assert result["trade_2023_total"].verdict == "not_supported"
    result = {c.key: c for c in claims.evaluate_claims(policies, zones, batches, [])}
    assert result["trade_2023_total"].verdict == "not_enough_data"


def test_content_widening_claim(evaluated: dict[str, claims.Claim]) -> None:
    claim = evaluated["content_widening"]
    policies = load_national_policies()
    seen: set[str] = set()
    year_all = None
    for year in range(2013, 2027):
        seen |= {t for p in policies if p.publish_date.year == year for t in p.themes}
        if len(seen) == 7 and year_all is None:
            year_all = year
    assert claim.numbers["all_themes_year"] == year_all
    assert claim.verdict in {"supported", "partly"}


def test_changes_since_the_paper() -> None:
    policies = load_national_policies()
    changes = claims.changes_since_paper(policies, load_pilot_zones(), load_pilot_batches(), load_trade_stats())
    assert claims.paper_cutoff(policies) == date(2024, 6, 8)  # latest date in Table 1
    extension = [row for row in changes if row["policy_id"] == "2026-announce-16"]
    assert extension and "2027-12-31" in extension[0]["what_zh"] and "论文表1" in extension[0]["what_zh"]
    revoked = sorted(row["what_zh"] for row in changes if row["kind"] == "revocation")
    assert len(revoked) == 3 and any("海口" in line for line in revoked)
    assert any(row["kind"] == "trade_revision" and "12500" in row["what_zh"] for row in changes)
    assert all(row["policy_id"] != "2024-shangmaofa-125" for row in changes)  # in Table 1, so not news

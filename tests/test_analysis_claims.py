"""The paper's claims as tests on the reference data, and each verdict rule on constructed data."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

import reference_counts
from cbec_policy.analysis import claims
from cbec_policy.analysis.claims import load_paper_claims
from cbec_policy.models import PilotBatch, PilotZone, Policy
from cbec_policy.reference.loader import load_national_policies, load_pilot_batches, load_pilot_zones, load_trade_stats
from cbec_policy.reference.local_policies import load_local_policies

THEMES = ("tax", "customs", "supervision", "finance", "services", "market_access", "international")


@pytest.fixture(scope="module")
def evaluated() -> dict[str, claims.Claim]:
    result = claims.evaluate_claims(
        load_national_policies(), load_pilot_zones(), load_pilot_batches(), load_trade_stats(), load_local_policies()
    )
    return {claim.key: claim for claim in result}


def _policy(number: int, year: int, themes: tuple[str, ...], level: str = "national") -> Policy:
    """A made-up national document (title written for the test, not a real policy)."""
    return Policy(
        id=f"test-{number}",
        title=f"测试文件{number}",
        doc_number=None,
        issuers=("测试部",),
        publish_date=date(year, 3, 1 + number % 27),
        effective_date=None,
        end_date=None,
        status="unknown",
        level=level,
        policy_type="comprehensive",
        themes=themes,
    )


def test_every_claim_states_its_hypothesis_with_quote_measure_window_test_and_threshold() -> None:
    data = load_paper_claims()
    for key in ("content_widening", "pilot_expansion", "regional_balance", "local_differentiation"):
        spec = data["claims"][key]
        assert {"section", "quote", "hypothesis", "measure", "window", "test", "threshold", "expected"} <= set(spec)
        assert all(spec[f"{field}_zh"] for field in ("hypothesis", "measure", "test", "threshold"))
        assert spec["section"].startswith("§3.2")


def test_content_widening_a_real_trend_is_supported_and_no_trend_is_not() -> None:
    paper = load_paper_claims()
    rising = [_policy(i * 10 + k, 2013 + i, THEMES[: 1 + i // 2]) for i in range(12) for k in range(3)]
    claim = claims.claim_content_widening(rising, paper)
    assert claim.primary.outcome == "up" and claim.primary.slope_low > 0
    flat = [_policy(i * 10 + k, 2013 + i, THEMES[k : k + 2]) for i in range(12) for k in range(3)]
    assert claims.claim_content_widening(flat, paper).verdict == "not_supported"


def test_content_widening_on_the_data_is_not_a_sign_rule(evaluated: dict[str, claims.Claim]) -> None:
    claim = evaluated["content_widening"]
    # the paper's window only: 2025-26 documents are outside it
    assert claim.spec["window"] == {"start": 2013, "end": 2024}
    assert claim.numbers["documents_outside_window"] > 0
    assert claim.primary.n == 12 and claim.primary.p > 0.05
    assert claim.primary.slope_low < 0 < claim.primary.slope_high
    assert claim.verdict == "not_supported"
    assert {row.key for row in claim.robustness} >= {"measure:shannon", "window:latest", "corpus:table1"}


def test_pilot_expansion_tests_zones_in_force_not_a_cumulative_sum(evaluated: dict[str, claims.Claim]) -> None:
    claim = evaluated["pilot_expansion"]
    assert (claim.numbers["zones_on_paper_date"], claim.numbers["provinces_on_paper_date"]) == (165, 31)
    in_force = reference_counts.in_force_after_each_batch()
    assert claim.numbers["in_force_series"][-2:] == in_force[-2:]
    approved = reference_counts.zones_approved()
    assert (claim.numbers["approved_now"], claim.numbers["in_force_now"]) == (approved, in_force[-1])
    assert claim.verdict == "supported"
    assert any(e["batch"] == 8 and e["revoked"] == 3 for e in claim.events)


def test_pilot_expansion_fails_when_revocations_shrink_the_zones_in_force() -> None:
    batches = load_pilot_batches()
    zones = load_pilot_zones()
    last = max(b.approval_date for b in batches)
    # revoke 20 early zones on the last batch day: zones in force fall although approvals rise
    shrunk = [
        dataclasses.replace(z, revoked_date=last, revoked_by="测试") if i < 20 and z.revoked_date is None else z
        for i, z in enumerate(zones)
    ]
    claim = claims.claim_pilot_expansion(batches, shrunk, load_paper_claims(), None)
    assert claim.numbers["cumulative_approved"][-1] == reference_counts.zones_approved()  # the sum still rises
    outcome = {row.key: row.outcome for row in claim.robustness}
    assert outcome["batch8:included"] == "fails"
    assert claim.verdict == "partly"


# The regional-balance verdict is a finding about the zones approved up to the eighth batch's
# reply; pinned at that day, a later batch cannot change it.
EIGHTH_BATCH_DAY = date(2025, 4, 25)


def test_regional_balance_uses_the_bias_corrected_index_and_a_sensitivity_table() -> None:
    batches = load_pilot_batches()
    assert [b.batch for b in batches if b.approval_date <= EIGHTH_BATCH_DAY] == list(range(1, 9))
    claim = claims.claim_regional_balance(batches, load_pilot_zones(), load_paper_claims(), as_of=EIGHTH_BATCH_DAY)
    assert claim.numbers["last"]["batch"] == 8 and claim.numbers["last"]["approval_date"] == EIGHTH_BATCH_DAY
    before = claims.claim_regional_balance(batches, load_pilot_zones(), load_paper_claims(),
                                           as_of=EIGHTH_BATCH_DAY - timedelta(days=1))  # fmt: skip
    assert before.numbers["last"]["batch"] == 7
    first = claim.numbers["first"]
    assert first["batch"] == 2 and first["zones"] == 13
    assert 0.1 < first["expected_null"] < 0.16  # what a proportional placement of 13 zones gives by chance
    assert first["corrected"] == pytest.approx(first["theil"] - first["expected_null"], abs=1e-3)
    rows = {row.key: row for row in claim.robustness}
    assert rows["weights:population"].outcome == "not_enough_data"
    assert rows["weights:population"].reason == "no_sourced_population"
    assert {"weights:prefectures", "unit:province", "gap:absolute", "start:3", "candidates:excluded",
            "batch8:excluded", "measure:uncorrected"} <= set(rows)  # fmt: skip
    assert claim.verdict == "not_supported"
    assert claim.primary.outcome == "none"


def _zone(batch: int, index: int, province: str, region: str) -> PilotZone:
    day = date(2015 + batch, 1, 1)
    return PilotZone(batch, day, f"测试函〔{batch}〕号", f"测试{batch}-{index}", f"测{index}", province, region,
                     "city", "verified", None, None)  # fmt: skip


def test_regional_balance_on_constructed_convergence_finds_the_fall() -> None:
    # early batches go east only, later ones in proportion to provinces: a known convergence
    east, central, west, northeast = "浙江省", "河南省", "四川省", "辽宁省"
    zones, batches = [], []
    plan = {1: (20, 0, 0, 0), 2: (10, 2, 2, 0), 3: (5, 6, 10, 2), 4: (10, 6, 12, 3), 5: (10, 6, 12, 3),
            6: (20, 12, 24, 6), 7: (20, 12, 24, 6), 8: (20, 12, 24, 6)}  # fmt: skip
    for batch, counts in plan.items():
        for province, region, count in zip(
            (east, central, west, northeast), ("东部", "中部", "西部", "东北"), counts, strict=True
        ):
            zones += [_zone(batch, len(zones) + i, province, region) for i in range(count)]
        batches.append(PilotBatch(batch, date(2015 + batch, 1, 1), f"测试函〔{batch}〕号", "测试", sum(counts), 0))
    claim = claims.claim_regional_balance(batches, zones, load_paper_claims())
    assert claim.primary.outcome == "down" and claim.primary.slope_high < 0
    assert claim.verdict in {"supported", "partly"}


def test_local_differentiation_is_numeric(evaluated: dict[str, claims.Claim]) -> None:
    claim = evaluated["local_differentiation"]
    assert claim.numbers["documents"] == 96 and claim.numbers["provinces_with_documents"] == 26
    assert claim.numbers["provinces_without"] == ["贵州省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"]
    assert claim.primary.chi2 is not None and claim.primary.p_permutation is not None
    assert claim.verdict in {"supported", "partly", "not_supported"}
    assert any(row["lag_days"] is not None and row["lag_days"] > 0 for row in claim.numbers["lags"])


def test_periods_theme_mix_is_a_chi2_with_permutation(evaluated: dict[str, claims.Claim]) -> None:
    claim = evaluated["period_theme_mix"]
    assert claim.primary.rows == ("d1", "d2", "d3")
    # a theme no node uses carries no information and is dropped before the test
    used = sum(1 for column in zip(*claim.primary.table, strict=True) if any(column))
    assert 2 <= used <= 7
    assert claim.primary.dof == (3 - 1) * (used - 1)
    assert 0 < claim.primary.p_permutation < 1


def test_trade_figures(evaluated: dict[str, claims.Claim]) -> None:
    assert evaluated["trade_2023_total"].verdict == "supported"
    # the split is in the data only because the paper printed it: it cannot confirm the paper
    assert evaluated["trade_2023_export"].verdict == "not_enough_data"
    assert evaluated["trade_2023_export"].numbers["reason"] == "paper_only"
    h1 = evaluated["trade_2024_h1_total"]
    assert h1.verdict == "supported" and h1.numbers["as_published"] is True
    assert h1.numbers["matched_published"] == "2024-07"
    assert h1.numbers["revised_to"] == {"release": "survey", "value": 12500, "yoy_pct": 13.0, "published": "2024-11"}
    assert evaluated["trade_impact"].verdict == "not_enough_data"


def test_trade_verdicts_follow_the_data() -> None:
    policies, zones, batches = load_national_policies(), load_pilot_zones(), load_pilot_batches()
    stats = load_trade_stats()
    wrong = [dataclasses.replace(s, total=30000.0) if s.year == 2023 and s.period == "full-year" else s for s in stats]
    result = {c.key: c for c in claims.evaluate_claims(policies, zones, batches, wrong)}
    assert result["trade_2023_total"].verdict == "not_supported"
    result = {c.key: c for c in claims.evaluate_claims(policies, zones, batches, [])}
    assert result["trade_2023_total"].verdict == "not_enough_data"


def test_excluded_and_local_policies_stay_out_of_national_claims() -> None:
    paper = load_paper_claims()
    base = [_policy(i * 10 + k, 2013 + i, THEMES[: 1 + i // 2]) for i in range(12) for k in range(3)]
    noise = [dataclasses.replace(_policy(900 + i, 2024, THEMES), is_cbec=False) for i in range(30)]
    local = [_policy(800 + i, 2024, ()) for i in range(30)]
    local = [dataclasses.replace(p, level="municipal") for p in local]
    with_noise = claims.claim_content_widening(base + noise + local, paper)
    assert with_noise.numbers["documents"] == claims.claim_content_widening(base, paper).numbers["documents"]


def test_changes_since_the_paper() -> None:
    policies = load_national_policies()
    changes = claims.changes_since_paper(policies, load_pilot_zones(), load_trade_stats())
    assert claims.paper_cutoff(policies) == date(2024, 6, 8)  # latest date in Table 1
    extension = [r for r in changes if r["kind"] == "document" and r.get("relation") == "extends"]
    assert extension and extension[0]["until"] == date(2027, 12, 31) and extension[0]["target_in_table1"]
    revoked = [r for r in changes if r["kind"] == "revocation"]
    assert len(revoked) == 3 and any(r["zone"].startswith("海口") for r in revoked)
    assert any(r["kind"] == "trade_revision" and r["total"] == 12500 for r in changes)
    assert all(row["policy_id"] != "2024-shangmaofa-125" for row in changes)  # in Table 1, so not news

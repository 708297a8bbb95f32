"""Pilot zones: the paper's counts, look-ups by Chinese, short and Latin names, revocations, candidates."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

import reference_counts
from cbec_policy.cli import cli
from cbec_policy.store import Store

# The keys the look-up always had, then the ones the place hierarchy adds.
LOOKUP_KEYS = ["query", "is_pilot_zone", "zone_name", "province", "region", "batch", "approval_date", "doc_number",
               "revoked_date", "covered_by", "via", "candidates", "history"]  # fmt: skip


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_165_zones_in_31_provinces_at_the_end_of_2022(store: Store) -> None:
    zones = store.list_zones(on=date(2022, 12, 31))
    assert len(zones) == 165
    assert len({zone.province for zone in zones}) == 31


def test_batches_match_the_state_council_replies(store: Store) -> None:
    batches = store.list_batches()
    assert [b.batch for b in batches] == reference_counts.batch_numbers()
    assert [b.zone_count for b in batches[:7]] == [1, 12, 22, 24, 46, 27, 33]  # Table 2 of the paper
    assert batches[6].cumulative_count == 165
    assert batches[2].doc_number == "国函〔2018〕93号"


def test_filters_by_batch_province_and_region(store: Store) -> None:
    assert [z.zone_name for z in store.list_zones(batch=1)] == ["杭州市"]
    assert {z.province for z in store.list_zones(province="浙江")} == {"浙江省"}
    assert store.list_zones(province="浙江") == store.list_zones(province="浙江省")
    northeast = store.list_zones(region="东北")
    assert northeast and {z.region for z in northeast} == {"东北"}
    assert store.list_zones(region="northeast") == northeast


@pytest.mark.parametrize("name", ["杭州", "杭州市", "Hangzhou", "hangzhou", "HANGZHOU"])
def test_hangzhou_under_every_name(store: Store, name: str) -> None:
    result = store.lookup_zone(name, date(2015, 3, 7))
    assert result.is_pilot_zone and result.zone is not None
    assert (result.zone.zone_name, result.zone.batch, result.zone.doc_number) == ("杭州市", 1, "国函〔2015〕44号")
    assert not store.lookup_zone(name, date(2015, 3, 6)).is_pilot_zone


def test_yiwu_from_the_day_of_batch_3(store: Store) -> None:
    before = store.lookup_zone("义乌", date(2018, 7, 23))
    assert not before.is_pilot_zone and not before.revoked
    after = store.lookup_zone("义乌", date(2018, 7, 24))
    assert after.is_pilot_zone
    assert after.zone is not None and (after.zone.batch, after.zone.doc_number) == (3, "国函〔2018〕93号")


def test_sanya_zone_is_revoked_in_2025_but_hainan_island_covers_it(store: Store) -> None:
    # 国函〔2025〕40号 revoked the 三亚 zone and set up 海南全岛, whose area contains 三亚.
    result = store.lookup_zone("三亚", date(2025, 6, 1))
    assert result.is_pilot_zone and result.zone is not None and result.zone.zone_name == "海南全岛"
    assert store.lookup_zone("三亚", date(2025, 4, 24)).zone.zone_name == "三亚市"
    on_2025 = store.list_zones(on=date(2025, 6, 1))
    assert {"海口市", "三亚市", "阿拉山口市"}.isdisjoint({z.zone_name for z in on_2025})
    assert len(on_2025) == 181 - 3


def test_unknown_name_gets_close_matches(store: Store) -> None:
    result = store.lookup_zone("杭洲", date(2024, 1, 1))
    assert result.zone is None and not result.known_place
    assert "杭州市" in result.suggestions
    # A real city that is not a pilot zone is a plain "no", not an unknown name.
    handan = store.lookup_zone("邯郸", date(2024, 1, 1))
    assert handan.zone is None and handan.known_place and not handan.is_pilot_zone


# --------------------------------------------------------------------------- CLI


def test_cli_lookup_json_keys_and_yiwu_dates(store_url: str) -> None:
    before = run("zones", "lookup", "义乌", "--on", "2018-07-23", "--db", store_url, "--format", "json")
    record = json.loads(before.stdout)
    assert list(record) == LOOKUP_KEYS
    assert record["is_pilot_zone"] is False
    after = json.loads(
        run("zones", "lookup", "义乌", "--on", "2018-07-24", "--db", store_url, "--format", "json").stdout
    )
    assert {key: after[key] for key in LOOKUP_KEYS[:9]} == {
        "query": "义乌",
        "is_pilot_zone": True,
        "zone_name": "义乌市",
        "province": "浙江省",
        "region": "东部",
        "batch": 3,
        "approval_date": "2018-07-24",
        "doc_number": "国函〔2018〕93号",
        "revoked_date": None,
    }


def test_cli_lookup_sanya_history_says_revoked_and_replaced(store_url: str) -> None:
    result = run("zones", "lookup", "三亚", "--on", "2025-06-01", "--db", store_url)
    assert result.exit_code == 0
    assert "是 yes" in result.stdout and "海南全岛" in result.stdout
    assert "撤销" in result.stdout and "2025-04-24" in result.stdout


def test_cli_zones_list_footer_counts(store_url: str) -> None:
    result = run("zones", "list", "--on", "2022-12-31", "--db", store_url)
    assert result.exit_code == 0
    flat = "".join(result.stdout.split())
    assert "165zonesin31provinces" in flat


def test_cli_candidate_rows_are_flagged(store_url: str) -> None:
    # 焦作 is one of the 5 batch-7 rows marked candidate in pilot_zones.csv.
    table = run("zones", "lookup", "焦作", "--on", "2023-01-01", "--db", store_url)
    assert "未经官方名单核实" in table.stdout
    as_json = run("zones", "lookup", "焦作", "--on", "2023-01-01", "--db", store_url, "--format", "json")
    assert list(json.loads(as_json.stdout)) == LOOKUP_KEYS
    assert "unverified" in as_json.stderr
    listing = json.loads(run("zones", "list", "--batch", "7", "--db", store_url, "--format", "json").stdout)
    flagged = {row["zone_name"] for row in listing if "unverified" in row["confidence"]}
    assert flagged == {"焦作市", "柳州市", "铜仁市", "大理白族自治州", "伊犁哈萨克自治州"}


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["list", "--region", "南部"], "--region"),
        (["list", "--on", "2023-02-30"], "--on"),
        (["lookup", "杭州", "--on", "2023-02-30"], "--on"),
        (["lookup", "杭洲"], "杭洲"),
    ],
)
def test_cli_bad_input_is_exit_2(store_url: str, args: list[str], named: str) -> None:
    result = run("zones", *args, "--db", store_url)
    assert result.exit_code == 2
    assert named in result.stderr and result.stderr.strip().count("\n") == 0
    if named == "杭洲":
        assert "杭州市" in result.stderr

"""Places as people name them: the division hierarchy, zones as areas, succession, look-ups on any date.

Expected values come from reference/pilot_zones.csv, pilot_batches.csv and zone_succession.csv
(read through the loaders, never typed twice) and from the division package itself.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import reference_counts
from cbec_policy.cli import cli
from cbec_policy.ingest.divisions import divisions
from cbec_policy.places import hierarchy, label
from cbec_policy.places.coverage import lookup_place, zone_area
from cbec_policy.places.provinces import find_provinces
from cbec_policy.places.retail_import import retail_import_1210
from cbec_policy.reference.loader import (
    load_pilot_batches,
    load_pilot_zones,
    load_retail_import_periods,
    load_zone_succession,
)
from cbec_policy.rules.export import export_income_tax, reference_zone_lookup
from cbec_policy.web.app import create_app

ZONES = load_pilot_zones()
BATCHES = {b.batch: b for b in load_pilot_batches()}
BY_NAME = {z.zone_name: z for z in ZONES}
REPLACED = {s.zone_name: s for s in load_zone_succession()}


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ask(text: str, day: date):
    return lookup_place(text, day, ZONES, list(BATCHES.values()))


# --------------------------------------------------------------------------- the hierarchy


def test_every_zone_is_an_area_of_the_hierarchy() -> None:
    tree = hierarchy()
    for zone in ZONES:
        area = zone_area(zone)
        assert area, zone.zone_name
        for code in area:
            assert tree.places[code].province == zone.province, zone.zone_name


def test_county_level_places_sit_under_their_city_and_province() -> None:
    tree = hierarchy()
    (kunshan,) = tree.find("昆山")
    assert [p.name for p in tree.chain(kunshan.code)] == ["昆山市", "苏州市", "江苏省"]
    assert kunshan.code == "320583" and kunshan.kind == "县级市"
    assert label(tree.find("浦东")[0]) == "上海市 浦东新区"


def test_traditional_pinyin_and_former_names_find_the_same_place() -> None:
    tree = hierarchy()
    assert tree.find("義烏") == tree.find("义乌")
    # Latin Yiwu is also 伊吾县 (新疆); a zone look-up prefers the zone city.
    assert tree.find("义乌")[0] in tree.find("Yiwu") and len(tree.find("Yiwu")) == 2
    assert ask("Yiwu", date(2019, 1, 1)).place == tree.find("义乌")[0]
    assert tree.find("蘇州市") == tree.find("苏州")
    (sanyuan,) = tree.find("梅列区")  # merged into 三元区 in 2021 (former_names.csv)
    assert sanyuan.name == "三元区"


def test_the_extraction_divisions_keep_their_scope() -> None:
    table = divisions()
    provinces = [d for d in table.values() if d.is_provincial]
    assert len(provinces) == 31
    assert table["厦门市"].province == "福建省" and table["厦门市"].region == "东部"
    assert table["义乌市"].parent == "金华市"
    assert "朝阳区" not in table  # districts are never matched by name alone


def test_province_filters_accept_every_form() -> None:
    assert find_provinces("Zhejiang") == find_provinces("浙江") == find_provinces("浙江省") == ["浙江省"]
    assert find_provinces("Shaanxi") == ["陕西省"] and find_provinces("Shanxi") == ["山西省"]


# --------------------------------------------------------------------------- coverage on a date


@pytest.mark.parametrize("place", ["三亚", "海口", "儋州"])
def test_hainan_places_are_covered_by_the_island_zone_after_batch_8(place: str) -> None:
    island = BY_NAME["海南全岛"]
    after = ask(place, island.approval_date + timedelta(days=37))
    assert after.covered and after.covered_by[0].zone.zone_name == "海南全岛"
    assert after.covered_by[0].since == island.approval_date
    before = ask(place, island.approval_date - timedelta(days=1))
    own = [z for z in ZONES if z.city == place]
    assert [c.zone for c in before.covered_by] == own  # 儋州 had no zone of its own
    assert before.covered is bool(own)


def test_alashankou_is_covered_by_the_bortala_zone() -> None:
    bortala = BY_NAME["博尔塔拉蒙古自治州"]
    answer = ask("阿拉山口", date(2025, 6, 1))
    assert answer.covered and answer.covered_by[0].zone == bortala
    assert answer.covered_by[0].via.name == "博尔塔拉蒙古自治州"
    own = answer.history[0]
    assert own.zone == BY_NAME["阿拉山口市"] and own.relation == REPLACED["阿拉山口市"].relation
    assert own.ended_by == BATCHES[REPLACED["阿拉山口市"].ended_by_batch].doc_number


def test_sanya_history_reads_as_it_happened() -> None:
    answer = ask("三亚", date(2025, 6, 1))
    own, island = answer.history
    assert (own.zone.batch, own.start, own.end) == (
        5,
        BATCHES[5].approval_date,
        BATCHES[8].approval_date - timedelta(1),
    )
    assert own.relation == "replaced_by" and own.successor == "海南全岛" and own.ended_by == BATCHES[8].doc_number
    assert island.start == BATCHES[8].approval_date and island.end is None
    assert {b.doc_number for b in answer.replies} == {BATCHES[5].doc_number, BATCHES[8].doc_number}


@pytest.mark.parametrize("place", ["常熟", "昆山", "张家港"])
def test_county_level_cities_of_suzhou_from_batch_2(place: str) -> None:
    suzhou = BY_NAME["苏州市"]
    answer = ask(place, suzhou.approval_date)
    assert answer.covered and answer.covered_by[0].zone == suzhou and suzhou.batch == 2
    assert answer.covered_by[0].via.name == "苏州市"
    assert not ask(place, suzhou.approval_date - timedelta(days=1)).covered


def test_districts_of_zone_cities() -> None:
    assert ask("浦东", date(2020, 1, 1)).covered_by[0].zone == BY_NAME["上海市"]
    assert ask("余杭区", date(2020, 1, 1)).covered_by[0].zone == BY_NAME["杭州市"]


def test_taizhou_returns_both_cities_with_their_provinces() -> None:
    answer = ask("Taizhou", date(2023, 1, 1))
    assert answer.ambiguous and answer.covered is None
    assert {(c.place.name, c.place.province) for c in answer.candidates} == {("台州市", "浙江省"), ("泰州市", "江苏省")}
    assert all(c.covered for c in answer.candidates)  # both are zones by 2023 (batches 5 and 6)


def test_yiwu_in_traditional_script() -> None:
    day = BY_NAME["义乌市"].approval_date
    assert ask("義烏", day).covered_by == ask("义乌", day).covered_by
    assert ask("義烏", day).covered_by[0].zone == BY_NAME["义乌市"]


def test_province_names_and_the_whole_island() -> None:
    day = date(2025, 6, 1)
    assert ask("海南省", day).covered and ask("海南", day).covered
    before = ask("海南省", date(2025, 1, 1))
    assert not before.covered and {z.zone_name for z in before.within} == {"海口市", "三亚市"}


def test_before_the_first_zone_and_unknown_places() -> None:
    first = min(b.approval_date for b in BATCHES.values())
    early = ask("杭州", first - timedelta(days=1))
    assert early.before_any_zone and not early.covered and "尚无" in early.sentence()
    unknown = ask("杭洲", date(2024, 1, 1))
    assert not unknown.known and "杭州市" in unknown.suggestions


def test_export_rule_reads_membership_from_the_hierarchy() -> None:
    result = export_income_tax(date(2025, 6, 1), "海口", zone_lookup=reference_zone_lookup())
    assert result.invoice_free_eligible is True
    numbers = {c.doc_number for c in result.citations}
    assert {BATCHES[3].doc_number, BATCHES[8].doc_number} <= numbers
    ambiguous = export_income_tax(date(2025, 6, 1), "Taizhou", zone_lookup=reference_zone_lookup())
    assert ambiguous.invoice_free_eligible is None


# --------------------------------------------------------------------------- 1210 retail imports


def test_retail_import_answers_follow_the_periods() -> None:
    periods = load_retail_import_periods()
    extension = next(p for p in periods if p.scope == "zone_or_special_area")
    day = extension.start
    yes = retail_import_1210("常熟", day, ZONES, list(BATCHES.values()))
    assert yes.allowed is True and yes.policy.id == extension.policy_id
    assert [b.doc_number for b in yes.zone_replies] == [BY_NAME["苏州市"].doc_number]
    assert retail_import_1210("邯郸", day, ZONES).allowed is None  # depends on zones not in our data
    listed = next(p for p in periods if p.scope == "listed_cities" and p.end is not None)
    assert retail_import_1210("杭州", listed.end, ZONES).answer == "conditional"
    none = next(p for p in periods if p.scope == "none")
    assert retail_import_1210("杭州", none.end, ZONES).allowed is False


# --------------------------------------------------------------------------- the command line


def test_cli_done_when_checks(store_url: str) -> None:
    def lookup(name: str, day: str) -> dict:
        result = run("zones", "lookup", name, "--on", day, "--db", store_url, "--format", "json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    for place in ("三亚", "海口", "儋州"):
        record = lookup(place, "2025-06-01")
        assert record["is_pilot_zone"] is True and record["zone_name"] == "海南全岛"
        assert record["covered_by"][0]["doc_number"] == BATCHES[8].doc_number
    assert lookup("三亚", "2025-04-24")["zone_name"] == "三亚市"
    assert lookup("海口", "2025-04-24")["zone_name"] == "海口市"
    assert lookup("阿拉山口", "2025-06-01")["zone_name"] == "博尔塔拉蒙古自治州"
    for place in ("常熟", "昆山"):
        record = lookup(place, "2016-01-12")
        assert (record["zone_name"], record["batch"], record["via"]) == ("苏州市", 2, "苏州市")
        assert lookup(place, "2016-01-11")["is_pilot_zone"] is False
    assert lookup("浦东", "2020-01-01")["zone_name"] == "上海市"
    both = lookup("Taizhou", "2023-01-01")
    assert both["is_pilot_zone"] is None and {c["name"] for c in both["candidates"]} == {"台州市", "泰州市"}
    assert lookup("義烏", "2019-01-01")["zone_name"] == lookup("义乌", "2019-01-01")["zone_name"] == "义乌市"
    history = lookup("三亚", "2025-06-01")["history"]
    assert [h["zone_name"] for h in history] == ["三亚市", "海南全岛"] and history[0]["relation"] == "replaced_by"


def test_cli_tax_export_income_for_haikou_cites_both_replies(store_url: str) -> None:
    result = run(
        "tax", "export-income", "--zone", "海口", "--date", "2025-06-01", "--db", store_url, "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["invoice_free_eligible"] is True
    numbers = {c["doc_number"] for c in record["citations"]}
    assert {BY_NAME["海口市"].doc_number, BY_NAME["海南全岛"].doc_number} <= numbers


def test_cli_list_province_in_pinyin_and_bad_province(store_url: str) -> None:
    latin = json.loads(run("zones", "list", "--province", "Zhejiang", "--db", store_url, "--format", "json").stdout)
    assert len(latin) == sum(1 for z in ZONES if z.province == "浙江省")
    bad = run("zones", "list", "--province", "Zhejing", "--db", store_url)
    assert bad.exit_code == 2 and "Zhejing" in bad.stderr and "浙江省" in bad.stderr


def test_cli_retail_import(store_url: str) -> None:
    result = run("zones", "retail-import", "常熟", "--on", "2022-01-01", "--db", store_url, "--format", "json")
    record = json.loads(result.stdout)
    assert record["allowed"] is True
    assert {c["doc_number"] for c in record["citations"]} >= {"商财发〔2021〕39号", BY_NAME["苏州市"].doc_number}


# --------------------------------------------------------------------------- the REST API


@pytest.fixture
def api(store: object, tmp_path) -> TestClient:
    return TestClient(create_app(store=store, token="", data_dir=tmp_path / "data"))


def test_api_done_when_checks(api: TestClient) -> None:
    def lookup(city: str, on: str) -> dict:
        response = api.get("/api/zones/lookup", params={"city": city, "on": on})
        assert response.status_code == 200
        return response.json()

    assert lookup("儋州", "2025-06-01")["covered_by"][0]["zone_name"] == "海南全岛"
    assert lookup("三亚", "2025-04-24")["zone"]["zone_name"] == "三亚市"
    assert lookup("阿拉山口", "2025-06-01")["zone"]["zone_name"] == "博尔塔拉蒙古自治州"
    assert lookup("昆山", "2016-01-12")["via"] == "苏州市" and lookup("昆山", "2016-01-11")["is_pilot_zone"] is False
    assert lookup("浦东", "2020-01-01")["zone"]["zone_name"] == "上海市"
    assert {c["province"] for c in lookup("Taizhou", "2023-01-01")["candidates"]} == {"浙江省", "江苏省"}
    assert lookup("義烏", "2019-01-01")["zone"]["zone_name"] == "义乌市"
    unknown = lookup("杭洲", "2024-01-01")
    assert unknown["known_place"] is False and "杭州市" in unknown["suggestions"]
    zhejiang = api.get("/api/zones", params={"province": "Zhejiang"}).json()
    assert zhejiang["total"] == sum(1 for z in ZONES if z.province == "浙江省")
    retail = api.get("/api/zones/retail-import", params={"city": "邯郸", "on": "2022-01-01"}).json()
    assert retail["allowed"] is None and retail["answer"] == "conditional"


def test_zone_page_asks_which_taizhou(api: TestClient) -> None:
    page = api.get("/zones", params={"city": "Taizhou", "on": "2023-01-01"}).text
    assert 'id="lookup-candidates"' in page and "浙江省 台州市" in page and "江苏省 泰州市" in page
    page = api.get("/zones", params={"city": "331000", "on": "2023-01-01"}).text
    assert 'class="answer yes"' in page and BY_NAME["台州市"].doc_number in page
    assert 'id="retail-answer"' in page and "商财发〔2021〕39号" in page


# --------------------------------------------------------------------------- bad reference data and input


def _copy_with(tmp_path, name: str, old: str, new: str):
    from cbec_policy.reference.loader import reference_path

    text = reference_path(name).read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_a_zone_of_an_unknown_batch_is_rejected(tmp_path) -> None:
    from cbec_policy.errors import ReferenceDataError

    unknown = max(reference_counts.batch_numbers()) + 1
    broken = _copy_with(tmp_path, "pilot_zones.csv", "1,杭州市,", f"{unknown},杭州市,")
    with pytest.raises(ReferenceDataError, match=rf"pilot_zones.csv.*line 2.*batch {unknown}"):
        load_pilot_zones(broken)


def test_a_succession_to_an_unknown_zone_is_rejected(tmp_path) -> None:
    from cbec_policy.errors import ReferenceDataError

    broken = _copy_with(tmp_path, "zone_succession.csv", ",8,海南全岛,8,", ",8,海南岛,8,")
    with pytest.raises(ReferenceDataError, match="海南岛"):
        load_zone_succession(broken)


def test_cli_before_2015_and_unknown_place(store_url: str) -> None:
    first = min(b.approval_date for b in BATCHES.values())
    early = run("zones", "lookup", "杭州", "--on", (first - timedelta(days=1)).isoformat(), "--db", store_url)
    assert early.exit_code == 0 and "尚无跨境电商综试区" in early.stdout and first.isoformat() in early.stdout
    unknown = run("zones", "retail-import", "杭洲", "--db", store_url)
    assert unknown.exit_code == 2 and "杭洲" in unknown.stderr and "杭州市" in unknown.stderr


def test_duplicate_district_names_list_every_candidate_with_its_province() -> None:
    same_name = [p for p in hierarchy().places.values() if p.name == "鼓楼区"]
    answer = ask("鼓楼区", date(2024, 1, 1))
    assert len(same_name) > 1 and answer.ambiguous
    assert {(c.place.code, c.place.province) for c in answer.candidates} == {(p.code, p.province) for p in same_name}


def test_cli_tax_zone_accepts_pinyin_and_traditional(store_url: str) -> None:
    for zone in ("Haikou", "海口市", "三亞"):
        result = run(
            "tax", "export-income", "--zone", zone, "--date", "2025-06-01", "--db", store_url, "--format", "json"
        )
        assert json.loads(result.stdout)["invoice_free_eligible"] is True, zone

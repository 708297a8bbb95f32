"""The local layer (§3.2 ④): the bundled list, ingested local documents joining it, focus by
region and coastal/inland, plan lags, provinces with none, and the CLI over it."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

from click.testing import CliRunner

from cbec_policy.analysis.local import (
    focus_of,
    focus_table,
    local_documents,
    plan_lags,
    provinces_without_documents,
)
from cbec_policy.analysis.provinces import coastal_provinces, is_coastal
from cbec_policy.cli import cli
from cbec_policy.models import Policy
from cbec_policy.reference.loader import load_pilot_zones
from cbec_policy.reference.local_policies import load_local_policies


def _ingested(title: str, region: str, text: str, number: str | None = None) -> Policy:
    """A local document as ingestion stores it (title and text written for this test)."""
    return Policy(
        id=f"ing-{len(title)}-{title[:4]}",
        title=title,
        doc_number=number,
        issuers=("测试市人民政府",),
        publish_date=date(2024, 5, 6),
        effective_date=None,
        end_date=None,
        status="unknown",
        level="municipal",
        policy_type=None,
        themes=(),
        region=region,
        source="upload.txt",
        full_text=text,
    )


def test_the_bundled_list_is_reference_data_kept_apart() -> None:
    documents = load_local_policies()
    assert len(documents) == 96 and len({d.province for d in documents}) == 26
    assert sum(1 for d in documents if d.province == "广东省") == 17
    assert {d.confidence for d in documents} == {"high", "medium", "low"}
    month_only = [d for d in documents if d.date_text and d.publish_date is None]
    assert month_only and all(len(d.date_text) == 7 for d in month_only)  # a month is not turned into a day


def test_provinces_with_no_local_document_are_named() -> None:
    assert provinces_without_documents(load_local_policies()) == [
        "贵州省",
        "甘肃省",
        "青海省",
        "宁夏回族自治区",
        "新疆维吾尔自治区",
    ]


def test_coastal_provinces_are_the_eleven() -> None:
    assert len(coastal_provinces()) == 11
    assert is_coastal("广西壮族自治区") and not is_coastal("四川省")


def test_ingested_local_documents_join_the_list_and_their_text_adds_focus() -> None:
    bundled = load_local_policies()
    known = next(d for d in bundled if d.doc_number == "川府函〔2021〕9号")
    same = _ingested(known.title, "四川省", "推动中欧班列与陆海新通道运营，建设海外仓。", known.doc_number)
    new = _ingested("测试市关于支持跨境电商发展的若干措施", "甘肃省 兰州市", "开通国际货运航线，发展航空物流。")
    national = dataclasses.replace(_ingested("全国性测试文件", "", "海外仓"), level="national", id="n1")
    excluded = dataclasses.replace(new, id="x1", title="非跨境电商文件", is_cbec=False)
    joined = local_documents(bundled, [same, new, national, excluded])
    assert len(joined) == len(bundled) + 1  # the known one joins its row; national and non-CBEC stay out
    merged = next(d for d in joined if d.doc_number == "川府函〔2021〕9号")
    assert merged.source == "upload.txt" and set(focus_of(merged)) >= {"corridors_neighbours", "overseas_warehouse"}
    added = next(d for d in joined if d.title == new.title)
    assert added.province == "甘肃省" and added.cities == ("兰州市",)
    assert "logistics_routes" in focus_of(added)
    assert "甘肃省" not in provinces_without_documents(joined)


def test_focus_tables_count_each_document_once_per_category() -> None:
    documents = load_local_policies()
    by_region = {row["group"]: row for row in focus_table(documents, "region")}
    assert sum(row["documents"] for row in by_region.values()) == len(documents)
    assert list(by_region) == ["东部", "中部", "西部", "东北"]
    coastal = {row["group"]: row for row in focus_table(documents, "coastal")}
    assert coastal["coastal"]["documents"] + coastal["inland"]["documents"] == 96
    # the paper's contrast: inland documents name corridors and neighbours more often than coastal ones
    assert coastal["inland"]["corridors_neighbours_share"] > coastal["coastal"]["corridors_neighbours_share"]


def test_plan_lags_are_days_from_approval_to_the_plan() -> None:
    lags = {row["zone"]: row for row in plan_lags(load_pilot_zones(), load_local_policies())}
    chengdu = lags["成都市"]
    assert chengdu["plan_date"] == "2016-07-01" and chengdu["lag_days"] == (date(2016, 7, 1) - date(2016, 1, 12)).days
    assert all(row["lag_days"] is None or row["lag_days"] >= 0 for row in lags.values())


def test_cli_local_compare_by_region_prints_a_focus_table_and_the_test(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'local.sqlite3'}"
    runner = CliRunner()
    result = runner.invoke(cli, ["local", "compare", "--by", "region", "--db", url], catch_exceptions=False)
    assert result.exit_code == 0
    assert "东部" in result.stdout and "西部" in result.stdout and "χ²" in result.stdout
    data = json.loads(
        runner.invoke(cli, ["local", "compare", "--by", "coastal", "--db", url, "--format", "json"]).stdout
    )
    assert {row["group"] for row in data["rows"]} == {"coastal", "inland"}
    assert 0 < data["test"]["p_permutation"] < 1
    listed = json.loads(
        runner.invoke(cli, ["local", "list", "--province", "四川", "--db", url, "--format", "json"]).stdout
    )
    assert len(listed) == 6 and all(row["province"] == "四川省" for row in listed)
    shown = runner.invoke(cli, ["local", "show", "川府函〔2021〕9号", "--db", url, "--format", "json"])
    assert json.loads(shown.stdout)["cities"] == ["德阳市", "绵阳市"]
    missing = runner.invoke(cli, ["local", "show", "不存在的文件", "--db", url])
    assert missing.exit_code == 2 and "不存在的文件" in missing.output


def test_a_report_over_a_store_counts_an_ingested_local_document_only_in_the_local_layer(tmp_path) -> None:
    from cbec_policy.report.inputs import load_inputs
    from cbec_policy.report.results import run_analysis

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    document = tmp_path / "lanzhou.txt"
    # a municipal document written for this test (its own wording; 兰州 has no document in the bundled list)
    document.write_text(
        "兰州市人民政府办公室关于支持跨境电子商务发展的若干措施\n\n兰政办发〔2027〕8号\n\n"
        "为推动跨境电子商务发展，依托中欧班列和陆海新通道拓展面向中亚的物流通道，支持企业建设海外仓。\n\n"
        "兰州市人民政府办公室\n2027年5月6日\n",
        encoding="utf-8",
    )
    assert CliRunner().invoke(cli, ["ingest", str(document), "--db", url], catch_exceptions=False).exit_code == 0
    results = run_analysis(load_inputs(url))
    assert len(results.local_documents) == 97
    added = next(d for d in results.local_documents if d.doc_number == "兰政办发〔2027〕8号")
    assert added.province == "甘肃省" and added.cities == ("兰州市",)
    assert "corridors_neighbours" in focus_of(added)
    assert "甘肃省" not in results.local_missing
    # the national statistics do not see it
    assert sum(int(row["total"]) for row in results.year_type) == 59

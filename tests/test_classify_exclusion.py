"""Ingested documents judged not CBEC stay searchable but out of every CBEC statistic.

A distractor (a general e-commerce plan with a long cross-border section, written for this test)
is ingested; the machine calls it CBEC. A researcher excludes it: the dashboard counts, the
year × type table, the report's analyses and the API all drop it, search still finds it;
including it brings it back; deleting removes it (never a bundled policy). A near miss the
machine itself judges not CBEC is out of the statistics from the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cbec_policy.cli import cli
from cbec_policy.errors import InputError
from cbec_policy.reference.loader import load_national_policies
from cbec_policy.report.inputs import store_inputs
from cbec_policy.report.results import run_analysis
from cbec_policy.store import ingest_paths, open_store
from cbec_policy.store.curation import delete_ingested, set_relevance
from cbec_policy.web.stats import dashboard_stats, trade_stats

# A municipal e-commerce plan of 2026 that spends half its text on cross-border e-commerce.
_DISTRACTOR = """关于印发《某某市电子商务与跨境电子商务协同发展三年行动计划》的通知
某政办发〔2026〕3号
各区人民政府，市政府各部门：
现将《某某市电子商务与跨境电子商务协同发展三年行动计划》印发给你们，请认真贯彻执行。
一、发展跨境电子商务。支持企业开展跨境电子商务零售出口和网购保税进口业务，建设跨境电商产业园，
鼓励企业在重点市场布局海外仓，推动跨境电子商务综合试验区建设经验复制推广。
二、推动跨境电商与产业带融合，培育跨境电商品牌，支持企业开展9610、9710和9810出口业务。
三、完善跨境电商公共服务平台，加强跨境支付结算和物流服务。
某某市人民政府办公室
2026年3月2日
"""

# A port notice with trap words that the machine itself judges not CBEC.
_NEAR_MISS = """关于进一步压缩口岸整体通关时间的通知
各有关单位：
为优化口岸营商环境，现就压缩进出口整体通关时间有关事项通知如下。
一、推广提前申报和两步申报，提高申报效率。二、规范口岸收费，公示收费目录清单。
三、提升港口集疏运效率，推动铁水联运发展。
某某市口岸管理办公室
2026年4月8日
"""


@pytest.fixture()
def stored(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan.txt").write_text(_DISTRACTOR, encoding="utf-8")
    (folder / "port.txt").write_text(_NEAR_MISS, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cbec.sqlite3'}"
    store = open_store(url)
    store.init()
    ingest_paths([str(folder / "plan.txt"), str(folder / "port.txt")], store)
    ids = {policy.title[:6]: policy.id for policy in store.list_policies() if policy.source != "bundled"}
    store.close()
    yield url, {"plan": ids["关于印发《某"], "port": ids["关于进一步压"]}


def _figures(url: str) -> tuple[dict, dict, int]:
    store = open_store(url)
    try:
        policies = store.list_cbec_policies()
        stats = dashboard_stats(
            policies, store.list_zones(), store.list_batches(), trade_stats(store), date(2026, 6, 1)
        )
    finally:
        store.close()
    results = run_analysis(store_inputs(url))
    year_2026 = next((row for row in stats["type_by_year"] if row["year"] == 2026), {"total": 0})
    report_2026 = next((row for row in results.year_type if row["year"] == 2026), {"total": 0})
    return (
        stats["counts"],
        {"dashboard": year_2026["total"], "report": report_2026["total"]},
        len(results.inputs.policies),
    )


def test_excluded_distractor_leaves_every_statistic_and_stays_searchable(stored: tuple[str, dict[str, str]]) -> None:
    url, ids = stored
    bundled = len(load_national_policies())
    of_2026 = sum(1 for policy in load_national_policies() if policy.publish_date and policy.publish_date.year == 2026)
    store = open_store(url)
    assert store.get_policy(ids["plan"]).is_cbec is True  # the machine was fooled
    assert store.get_policy(ids["port"]).is_cbec is False  # ... but not by the port notice
    store.close()

    counts, year_2026, report_policies = _figures(url)
    # a municipal plan joins the local layer, never the national tables;
    # the port notice was out from the start
    assert counts["policies"] == bundled and counts["local_policies"] == 1
    assert year_2026 == {"dashboard": of_2026, "report": of_2026}
    assert report_policies == bundled + 1

    store = open_store(url)
    set_relevance(store, ids["plan"], False, "test")
    store.close()
    counts, year_2026, report_policies = _figures(url)
    assert counts["policies"] == bundled and counts["local_policies"] == 0
    assert year_2026 == {"dashboard": of_2026, "report": of_2026}
    assert report_policies == bundled

    store = open_store(url)
    try:
        assert ids["plan"] in {hit.policy.id for hit in store.search("协同发展三年行动计划")}  # still searchable
        relabelled = store.get_policy(ids["plan"])
        # a researcher's call: reclassifying the stored policies keeps it
        assert relabelled.classification_evidence["method"] == "researcher"
        assert "is_cbec" in relabelled.classification_evidence["labelled"]
    finally:
        store.close()
    assert CliRunner().invoke(cli, ["classify", "stored", "--force", "--db", url]).exit_code == 0
    assert _figures(url)[0]["local_policies"] == 0

    result = CliRunner().invoke(cli, ["policies", "include", ids["plan"], "--db", url])
    assert result.exit_code == 0, result.output
    assert _figures(url)[0]["local_policies"] == 1


def test_cli_exclude_and_delete(stored: tuple[str, dict[str, str]]) -> None:
    url, ids = stored
    runner = CliRunner()
    result = runner.invoke(cli, ["policies", "exclude", ids["plan"], "--db", url])
    assert result.exit_code == 0 and "kept out of CBEC statistics" in result.output
    refused = runner.invoke(cli, ["policies", "delete", "2016-caiguanshui-18", "--db", url])
    assert refused.exit_code != 0 and "bundled" in refused.output
    result = runner.invoke(cli, ["policies", "delete", ids["plan"], "--db", url])
    assert result.exit_code == 0, result.output
    store = open_store(url)
    try:
        assert store.get_policy(ids["plan"]) is None
        assert ids["plan"] not in {hit.policy.id for hit in store.search("协同发展三年行动计划")}
        assert store.get_policy("2016-caiguanshui-18") is not None
        with pytest.raises(InputError, match="no stored policy"):
            delete_ingested(store, ids["plan"])
    finally:
        store.close()


def test_labels_api_sets_relevance_and_the_stats_follow(stored: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from cbec_policy.web.app import create_app

    url, ids = stored
    store = open_store(url)
    try:
        client = TestClient(create_app(store=store, token="t-1", data_dir=tmp_path / "data"))
        before = client.get("/api/stats").json()["counts"]["local_policies"]
        response = client.patch(f"/api/policies/{ids['plan']}/labels", json={"is_cbec": False},
                                headers={"Authorization": "Bearer t-1"})  # fmt: skip
        assert response.status_code == 200, response.text
        assert response.json()["policy"]["is_cbec"] is False
        assert client.get("/api/stats").json()["counts"]["local_policies"] == before - 1
        assert client.patch(f"/api/policies/{ids['plan']}/labels", json={"is_cbec": "perhaps"},
                            headers={"Authorization": "Bearer t-1"}).status_code == 422  # fmt: skip
    finally:
        store.close()

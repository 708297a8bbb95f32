"""A new document's 施行日期, 失效日期, 时效性 on three dates and its repeal relation, end to end.

Ingest stores what extraction found; ``policies show`` and the policy page show it. The two
documents are marked 示例 (example) documents written for this test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cbec_policy.cli import cli
from cbec_policy.store import ingest_paths, open_store

KINDS = Path(__file__).parent / "fixtures" / "ingest" / "kinds"
OLD, NEW = "示例商规〔2021〕3号", "示例商规〔2024〕5号"
DAYS = ("2024-05-25", "2025-01-01", "2027-06-01")


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('timeline') / 'db.sqlite3'}"
    with open_store(url) as store:
        store.init()
        # The repealed document first, so that the new one's clause resolves to it.
        for name in ("timeline_old.txt", "timeline_new.txt"):
            summary = ingest_paths([str(KINDS / name)], store, classify=False)
            assert summary.count("new") == 1
    return url


def show(db_url: str, number: str, *extra: str) -> dict:
    result = CliRunner().invoke(
        cli, ["policies", "show", "--db", db_url, number, "--format", "json", *extra], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_policies_show_gives_dates_status_on_three_days_and_the_relation(db_url: str) -> None:
    record = show(db_url, NEW, *[part for day in DAYS for part in ("--on", day)])
    assert record["effective_date"] == "2024-06-01"
    assert record["end_date"] == "2027-05-31"
    assert [(item["date"], item["status"]) for item in record["status_on"]] == [
        ("2024-05-25", "尚未生效"),
        ("2025-01-01", "现行有效"),
        ("2027-06-01", "已失效"),
    ]
    old = show(db_url, OLD)
    assert [(r["kind"], r["id"]) for r in record["relations"]] == [("replaces", old["id"])]
    # The clause also names a document that is not stored: it stays visible, unresolved.
    assert [(item["printed"], item["target_id"]) for item in record["repeals"]] == [
        (f"《示例市跨境电商园区管理办法》（{OLD}）", old["id"]),
        ("《示例市跨境电商扶持资金细则》", None),
    ]


def test_the_replaced_policy_is_repealed_from_the_new_ones_effective_date(db_url: str) -> None:
    record = show(db_url, OLD, "--on", "2024-05-31", "--on", "2024-06-01")
    assert [item["status"] for item in record["status_on"]] == ["现行有效", "已失效"]
    assert [r["kind"] for r in record["relations"]] == ["replaced_by"]


def test_table_output_is_readable_chinese(db_url: str) -> None:
    result = CliRunner().invoke(cli, ["policies", "show", "--db", db_url, NEW, "--on", "2027-06-01"])
    assert result.exit_code == 0
    assert "2027-06-01: 已失效" in result.output
    assert "库中未找到" in result.output


def test_policy_page_shows_the_timeline(db_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from cbec_policy.web.app import create_app

    with open_store(db_url) as store:
        policy = store.get_policy(NEW)
        assert policy is not None
        client = TestClient(create_app(store=store, token="", data_dir=tmp_path))
        page = client.get(f"/policies/{policy.id}", params={"on": "2024-05-25"}).text
    assert re.search(r"<dt>施行日期</dt><dd>(<span[^>]*>)?2024-06-01", page)
    assert "<dt>失效日期</dt><dd>2027-05-31</dd>" in page
    assert re.search(r'data-date="2024-05-25">2024-05-25：尚未生效', page)
    assert "替代" in page  # the replaces relation in the 法规沿革 list
    assert "《示例市跨境电商扶持资金细则》（库中未找到）" in page


def test_bundled_policy_status_follows_its_amending_policy(db_url: str) -> None:
    # 财关税〔2016〕18号 (施行 2016-04-08) is partly superseded by 财关税〔2018〕49号 from 2019-01-01
    # (the bundled reference data: status 部分失效, relation amended_by).
    record = show(db_url, "财关税〔2016〕18号", "--on", "2016-04-01", "--on", "2018-06-01", "--on", "2019-06-01")
    assert [item["status"] for item in record["status_on"]] == ["尚未生效", "现行有效", "部分失效"]

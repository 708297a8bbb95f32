"""``cbec init``, ``cbec policies list|show`` and ``cbec search`` end to end through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import reference_counts
from cbec_policy.cli import cli
from test_store import TAX_IN_FORCE_2024_06_30


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_init_twice_says_nothing_changed(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    first = run("init", "--db", url, "--format", "json")
    assert first.exit_code == 0
    counts = json.loads(first.stdout)["tables"]
    assert counts["policies"]["new"] == 59 and counts["pilot_zones"]["new"] == reference_counts.zones_approved()
    second = run("init", "--db", url)
    assert second.exit_code == 0
    assert "nothing changed" in second.stdout and "无变化" in second.stdout
    assert "未变 unchanged 59" in second.stdout


def test_query_on_an_empty_database_loads_the_bundled_data_first(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = run("policies", "show", "财关税〔2016〕18号", "--db", url, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "2016-caiguanshui-18"
    assert "database empty" in result.stderr


def test_in_force_on_2024_06_30_tax_matches_the_hand_count(store_url: str) -> None:
    result = run(
        "policies", "list", "--db", store_url, "--in-force-on", "2024-06-30", "--type", "税收类", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {row["id"] for row in rows} == TAX_IN_FORCE_2024_06_30
    # JSON carries the verdict as a code (true / false / null), the label beside it.
    assert all(row["in_force"] is True and row["type_zh"] == "税收类" for row in rows)


def test_table_output_has_chinese_labels_and_a_count(store_url: str) -> None:
    result = run("policies", "list", "--db", store_url, "--type", "tax")
    assert result.exit_code == 0
    assert "发文字号" in result.stdout and "共 9 条" in result.stdout


def test_issuer_alias_and_csv(store_url: str) -> None:
    short = run("policies", "list", "--db", store_url, "--issuer", "税务总局", "--format", "csv")
    full = run("policies", "list", "--db", store_url, "--issuer", "国家税务总局", "--format", "csv")
    assert short.stdout == full.stdout
    lines = short.stdout.strip().splitlines()
    assert lines[0].startswith("id,publish_date,type,type_zh,title,doc_number,issuers")
    assert len(lines) == 1 + 12


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--in-force-on", "2023-02-30"], "--in-force-on"),
        (["--from", "2023-13-01"], "--from"),
        (["--type", "财税类"], "--type"),
        (["--theme", "电商"], "--theme"),
        (["--status", "有效"], "--status"),
    ],
)
def test_bad_options_are_one_line_errors_with_exit_2(store_url: str, args: list[str], named: str) -> None:
    result = run("policies", "list", "--db", store_url, *args)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert named in result.stderr


@pytest.mark.parametrize(
    "written",
    ["财关税〔2016〕18号", "财关税[2016]18号", "财关税(2016)18号", "财关税（2016）18号", "财关税 [2016] 18 号"],
)
def test_show_accepts_any_bracket_form_and_lists_relations_both_ways(store_url: str, written: str) -> None:
    result = run("policies", "show", written, "--db", store_url, "--format", "json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["id"] == "2016-caiguanshui-18"
    assert record["paper_doc_number"] == "财关税〔2016〕18号" and record["paper_date"] == "2016.03.24"
    relations = {(r["kind"], r["id"]) for r in record["relations"]}
    assert ("amended_by", "2018-caiguanshui-49") in relations
    assert {r["kind_zh"] for r in record["relations"] if r["kind"] == "amended_by"} == {"被修改"}
    assert "部分失效" == record["status"]


def test_show_of_the_amending_policy_says_what_it_amends(store_url: str) -> None:
    result = run("policies", "show", "财关税〔2018〕49号", "--db", store_url)
    assert result.exit_code == 0
    flat = "".join(result.stdout.replace("│", "").split())
    assert "修改amends:财关税〔2016〕18号" in flat


def test_show_unknown_is_exit_2(store_url: str) -> None:
    result = run("policies", "show", "财关税〔2099〕1号", "--db", store_url)
    assert result.exit_code == 2
    assert "财关税〔2099〕1号" in result.stderr


def test_search_command_ranks_and_survives_hostile_text(store_url: str) -> None:
    result = run("search", "退运", "--db", store_url, "--format", "json")
    assert {row["id"] for row in json.loads(result.stdout)} == {
        "2023-announce-4",
        "2023-announce-34",
        "2026-announce-16",
    }
    hostile = run("search", "'; DROP TABLE policies; --", "--db", store_url, "--format", "json")
    assert hostile.exit_code == 0 and json.loads(hostile.stdout) == []
    assert len(json.loads(run("policies", "list", "--db", store_url, "--format", "json").stdout)) == 59


@pytest.mark.parametrize(
    "url",
    [
        "nonsense",
        "mysql://u:p@localhost/db",
        "postgresql://cbec:s3cret@127.0.0.1:1/none",
        "sqlite:////no/such/dir/x.sqlite3",
    ],
)
def test_unusable_database_url_is_a_masked_one_line_error(url: str) -> None:
    result = run("policies", "list", "--db", url)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "s3cret" not in result.stderr
    assert "database URL" in result.stderr

"""The paper's Tables 1 and 2 come out cell for cell as printed, and --verified marks what the sources correct.

The expected cells are hand transcriptions of the paper's tables (tests/tables_paper_table*.csv),
typed from the paper's text with the PDF's spacing around digits removed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import reference_counts
from cbec_policy import tables
from cbec_policy.cli import cli
from cbec_policy.errors import ReferenceDataError
from cbec_policy.labels import POLICY_TYPES
from cbec_policy.reference import load_national_policies, reference_path
from cbec_policy.report.table_writers import MARK, latex_escape

HERE = Path(__file__).parent
TYPE_ORDER = ["税收类", "监管类", "管理类", "法律类", "规范类", "标准类", "综合类"]


def _read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _expected(name: str) -> list[dict[str, str]]:
    return _read_csv((HERE / name).read_text(encoding="utf-8"))


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["tables", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_table1_csv_equals_the_paper_cell_for_cell() -> None:
    output = _run("table1", "--format", "csv")
    assert output.splitlines()[0] == "type,date,issuers,title,doc_number,summary"
    rows = _read_csv(output)
    expected = _expected("tables_paper_table1.csv")
    assert len(rows) == len(expected) == 26
    for got, want in zip(rows, expected, strict=True):
        assert {key: got[key] for key in want} == want


def test_table1_groups_types_in_the_paper_order_and_dates_ascend_within_a_type() -> None:
    expected = _expected("tables_paper_table1.csv")
    types = [row["type"] for row in expected]
    assert list(dict.fromkeys(types)) == TYPE_ORDER
    for kind in TYPE_ORDER:
        dates = [row["date"] for row in expected if row["type"] == kind]
        assert dates == sorted(dates), kind  # the paper prints each group in date order
    assert [row.cells["type"] for row in tables.table1_rows()] == types


def test_table1_summaries_are_our_own_and_carry_the_facts() -> None:
    rows = {row.key: row.cells for row in tables.table1_rows()}
    summaries = [cells["summary"] for cells in rows.values()]
    assert all(summaries) and len(set(summaries)) == 26
    # The facts each summary rests on (national_policies.csv summary_en / rules_facts.md).
    assert "5000" in rows["2018-caiguanshui-49"]["summary"] and "26000" in rows["2018-caiguanshui-49"]["summary"]
    assert "4%" in rows["2019-sat-announce-36"]["summary"]
    assert "1142" in rows["2016-mof-announce-40"]["summary"]
    assert "1476" in rows["2022-mof-announce-7"]["summary"]
    # The paper's own 主要内容 wording for the 2018 tax row is not reused.
    assert "无票免税" not in rows["2018-caishui-103"]["summary"]


def test_table2_equals_the_paper_and_latest_adds_batch_8_with_a_date_note() -> None:
    rows = _read_csv(_run("table2", "--format", "csv"))
    assert list(rows[0]) == ["date", "title", "doc_number"]
    assert rows == _expected("tables_paper_table2.csv")

    latest = _read_csv(_run("table2", "--through-latest", "--format", "csv"))
    assert len(latest) == len(reference_counts.batch_numbers())
    assert [{k: row[k] for k in ("date", "title", "doc_number")} for row in latest[:7]] == rows
    assert latest[7]["doc_number"] == "国函〔2025〕40号"
    assert latest[7]["date"] == "2025.04.25"
    assert "upper bound" in latest[7]["note"]
    assert all(row["note"] == "" for row in latest[:7])


def test_paper_batch_title_drops_the_issuer_and_uses_half_width_parentheses() -> None:
    official = "国务院关于同意设立中国（杭州）跨境电子商务综合试验区的批复"
    assert tables.paper_batch_title(official) == "关于同意设立中国(杭州)跨境电子商务综合试验区的批复"


def test_verified_table1_marks_the_corrected_cells_with_the_paper_value() -> None:
    rows = {row["title"]: row for row in _read_csv(_run("table1", "--verified", "--format", "csv"))}
    by_id = {row.key: row for row in tables.table1_rows(verified=True)}

    caishui96 = by_id["2013-caishui-96"]
    assert caishui96.cells["issuers"] == "财政部、国家税务总局"
    assert caishui96.differs == {"issuers": "财政部、国家税务局"}

    sat36 = by_id["2019-sat-announce-36"]
    assert sat36.cells["doc_number"] == "国家税务总局公告2019年第36号"
    assert sat36.differs == {"issuers": "国家税务局", "doc_number": "公告〔2019〕36号"}

    # The same row through the CLI: a differs column naming the fields, paper values beside.
    csv_row = rows["国家税务总局关于跨境电子商务综合试验区零售出口企业所得税核定征收有关问题的公告"]
    assert csv_row["differs"] == "issuers;doc_number"
    assert csv_row["paper_doc_number"] == "公告〔2019〕36号"
    assert csv_row["paper_issuers"] == "国家税务局"

    # Every row whose facts the sources correct (national_policies_NOTES.md §3.1). What the notes
    # record without calling it an error (§3.2) is not marked: 税务总局 is 国家税务总局, the
    # customs-site short title without 的公告, and a date that may be the signing or the release day.
    marked = {key: set(row.differs) for key, row in by_id.items() if row.differs}
    assert marked == {
        "2013-caishui-96": {"issuers"},
        "2018-caishui-103": {"title"},  # 电商 for 电子商务, no 的通知; its 税务总局 is 国家税务总局
        "2019-sat-announce-36": {"issuers", "doc_number"},
        "2023-announce-4": {"doc_number"},
        "2020-gacc-45": {"doc_number"},
        "2018-law-ecommerce": {"issuers"},
        "2018-cnipa-25": {"issuers"},
        "2015-guobanfa-46": {"issuers"},
        "2023-guobanfa-42": {"issuers", "title"},
    }
    assert not by_id["2018-gacc-27"].differs  # the customs site's own short title
    assert not by_id["2024-shangmaofa-125"].differs  # 2024.06.08 or the 2024.06.11 release: unresolved
    # Citation conventions are not differences: prefix-less numbers, bracket width, issuer groups.
    assert not by_id["2023-announce-34"].differs
    assert not by_id["2016-mof-announce-47"].differs
    assert by_id["2016-mof-announce-47"].cells["issuers"] == "财政部等13部门"


def test_verified_markdown_and_xlsx_show_the_mark_and_the_paper_value(tmp_path: Path) -> None:
    markdown = _run("table1", "--verified")
    line = next(line for line in markdown.splitlines() if "2013.12.30" in line)
    assert f"财政部、国家税务总局 {MARK}" in line and "财政部、国家税务局" in line

    out = tmp_path / "t1.xlsx"
    assert str(out) in _run("table1", "--verified", "--format", "xlsx", "--out", str(out))
    sheet = load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    issuers_col = header.index("发布部门") + 1
    cell = sheet.cell(row=2, column=issuers_col)
    assert cell.value == "财政部、国家税务总局"
    assert cell.fill.fgColor.rgb.endswith("FFF2CC")
    assert "财政部、国家税务局" in cell.comment.text
    untouched = sheet.cell(row=3, column=issuers_col)  # 2016 customs-tax notice: no correction
    assert untouched.comment is None


def test_xlsx_has_a_header_and_26_wrapped_rows(tmp_path: Path) -> None:
    out = tmp_path / "table1.xlsx"
    _run("table1", "--format", "xlsx", "--out", str(out))
    sheet = load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    assert header == ["政策类型", "发布时间", "发布部门", "政策名称", "发文字号", "内容概要（本项目撰写）"]
    data = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]]
    assert len(data) == 26
    assert data[0][:2] == ("税收类", "2013.12.30")
    assert sheet.cell(row=5, column=4).alignment.wrap_text
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width


def test_xlsx_without_out_writes_a_default_file_and_prints_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert "table2.xlsx" in _run("table2", "--format", "xlsx")
    sheet = load_workbook(tmp_path / "table2.xlsx").active
    assert sheet.cell(row=8, column=3).value == "国函〔2022〕126号"  # batch 7, the paper's last row


def test_latex_is_booktabs_and_escaped() -> None:
    assert latex_escape(r"50% & $x_1#{}~^\ ") == (
        r"50\% \& \$x\_1\#\{\}\textasciitilde{}\textasciicircum{}\textbackslash{} "
    )
    latex = _run("table1", "--format", "latex")
    assert r"\toprule" in latex and r"\bottomrule" in latex and r"\begin{tabular}" in latex
    assert r"按4\%应税所得率" in latex  # the 4% in a summary is escaped
    assert "2013\\textasciitilde{}2024" in latex  # the ~ in the title comment
    body = [line for line in latex.splitlines() if line.endswith(r"\\")]
    assert len(body) == 27  # header + 26 rows
    assert latex.count(r"\midrule") == 7  # under the header, then between the seven type groups


def test_md_groups_by_type_like_the_paper() -> None:
    markdown = _run("table1")
    table_lines = [line for line in markdown.splitlines() if line.startswith("|") and "---" not in line]
    first_cells = [line.split("|")[1].strip() for line in table_lines[1:]]  # after the header
    assert [cell for cell in first_cells if cell] == TYPE_ORDER
    assert len(first_cells) == 26


def test_bad_out_folder_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "t.md"
    result = CliRunner().invoke(cli, ["tables", "table1", "--out", str(target)])
    assert result.exit_code == 2
    assert "folder does not exist" in result.output and str(target) in result.output
    assert not target.parent.exists()


def test_a_table1_policy_without_a_summary_row_is_a_reference_error() -> None:
    policies = load_national_policies()
    in_table = next(policy for policy in policies if policy.paper is not None)
    stray = dataclasses.replace(in_table, id="2099-unknown")
    with pytest.raises(ReferenceDataError, match="2099-unknown"):
        tables.table1_rows(policies=[*policies, stray])


def test_table1_csv_fact_cells_equal_the_papers_values_kept_in_the_reference_data() -> None:
    """The fact columns equal the ``paper_*`` columns of national_policies.csv, row for row."""
    with reference_path("national_policies.csv").open(encoding="utf-8") as handle:
        paper = {
            (row["paper_date"], row["paper_title"]): row
            for row in csv.DictReader(handle)
            if row["in_seed_table"] == "yes"
        }
    rows = _read_csv(_run("table1", "--format", "csv"))
    assert len(rows) == len(paper) == 26
    for row in rows:
        source = paper[(row["date"], row["title"])]
        assert (row["type"], row["issuers"], row["doc_number"]) == (
            source["seed_type"],
            source["paper_issuers"],
            source["paper_doc_number"],
        )


def test_table1_from_the_store_places_two_newly_ingested_documents_in_their_type_groups(tmp_path: Path) -> None:
    # two national documents written for this test (a tax announcement, a customs announcement)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    folder = Path(__file__).parent / "fixtures" / "table1_store"
    runner = CliRunner()
    ingested = runner.invoke(cli, ["ingest", str(folder), "--db", url], catch_exceptions=False)
    assert ingested.exit_code == 0
    result = runner.invoke(cli, ["tables", "table1", "--from-store", "--db", url, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by_number = {row["doc_number"]: row for row in rows}
    assert by_number["财政部 海关总署 税务总局公告2027年第5号"]["type"] == "税收类"
    assert by_number["海关总署公告2027年第12号"]["type"] == "监管类"
    # grouped in the paper's type order, dates ascending within a type
    order = [label.zh for label in POLICY_TYPES] + ["未分类"]
    positions = [order.index(row["type"]) for row in rows]
    assert positions == sorted(positions)
    for kind in {row["type"] for row in rows}:
        days = [row["date"] for row in rows if row["type"] == kind]
        assert days == sorted(days)
    assert len(rows) == 59 + 2  # every bundled national policy plus the two new ones
    window = runner.invoke(
        cli, ["tables", "table1", "--from-store", "--from", "2027-01-01", "--db", url, "--format", "json"]
    )
    assert [row["doc_number"] for row in json.loads(window.stdout)] == [
        "财政部 海关总署 税务总局公告2027年第5号",
        "海关总署公告2027年第12号",
    ]
    local = runner.invoke(cli, ["tables", "table1", "--from-store", "--level", "provincial", "--db", url])
    assert local.exit_code == 0 and "0 项" in local.stdout  # local documents never enter the national table


def test_table1_from_the_store_leaves_out_documents_judged_not_cbec() -> None:
    policies = load_national_policies()
    excluded = dataclasses.replace(policies[0], is_cbec=False)
    table = tables.table1_from_policies([excluded, *policies[1:]])
    assert len(table.rows) == len(policies) - 1
    assert policies[0].id not in {row["id"] for row in table.rows}


def test_table1_date_options_need_from_store() -> None:
    result = CliRunner().invoke(cli, ["tables", "table1", "--from", "2024-01-01"])
    assert result.exit_code == 2 and "--from-store" in result.output

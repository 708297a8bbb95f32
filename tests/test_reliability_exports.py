"""Exports are safe to open: no formula from an ingested page runs in a spreadsheet, no stored
HTML runs in a Markdown viewer; numbers (negative ones too) stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from cbec_policy.cells import spreadsheet_safe
from cbec_policy.cli import cli
from cbec_policy.report.document import Section
from cbec_policy.report.markdown import render_markdown
from cbec_policy.report.table_writers import Column, TableData, to_csv, to_markdown, to_xlsx, write_sheet

HOSTILE_PAGE = """<html><head><title>通知</title></head><body><table>
<tr><td>发文机关：</td><td>=HYPERLINK("http://x","点击")</td></tr>
<tr><td>发文字号：</td><td>=1+2号</td></tr>
<tr><td>发布日期：</td><td>2099年03月05日</td></tr></table>
<div id="zoom"><p>关于跨境电子商务零售进口商品的通知</p>
<p>为促进跨境电子商务零售进口健康发展，现将有关事项通知如下。本通知自发布之日起执行。</p></div></body></html>"""


def test_the_owasp_rule_neutralises_formula_text_and_keeps_numbers() -> None:
    for formula in ('=HYPERLINK("http://x","点击")', "=1+2号", "+cmd", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_safe(formula) == "'" + formula
    for data in ("-12.5", "+3", "-0.25%", "1e-3", "跨境", "", -12.5, 7, None):
        assert spreadsheet_safe(data) == data


def test_ingested_formula_issuer_and_number_are_text_in_the_csv_export(sqlite_store_url: str, tmp_path: Path) -> None:
    page = tmp_path / "hostile_meta.html"
    page.write_text(HOSTILE_PAGE, encoding="utf-8")
    ingest = CliRunner().invoke(cli, ["ingest", str(page), "--db", sqlite_store_url])
    assert ingest.exit_code == 0, ingest.output
    listed = CliRunner().invoke(cli, ["policies", "list", "--db", sqlite_store_url, "--format", "csv"])
    assert listed.exit_code == 0
    rows = [row for row in csv.DictReader(io.StringIO(listed.stdout)) if "1+2" in (row.get("doc_number") or "")]
    assert len(rows) == 1
    row = rows[0]
    assert row["doc_number"] == "'=1+2号"
    assert row["issuers"].startswith("'=HYPERLINK")
    assert not any(value.startswith(("=", "+", "@")) for value in row.values() if value)


def _table() -> TableData:
    columns = (Column("issuer", "发文机关"), Column("number", "发文字号"), Column("change", "变化 change"))
    rows = (
        {"issuer": '=HYPERLINK("http://x","点击")', "number": "=1+2号", "change": "-12.5"},
        {"issuer": "海关总署", "number": "海关总署公告2016年第26号", "change": "3"},
    )
    return TableData(title="<img src=x onerror=alert(1)>", columns=columns, rows=rows)


def test_table_csv_and_xlsx_exports_hold_no_formula(tmp_path: Path) -> None:
    written = list(csv.reader(io.StringIO(to_csv(_table()))))
    assert written[1] == ['\'=HYPERLINK("http://x","点击")', "'=1+2号", "-12.5"]
    assert written[2][2] == "3"
    sheet = load_workbook(io.BytesIO(to_xlsx(_table()))).active
    cells = [sheet.cell(row=2, column=position) for position in (1, 2, 3)]
    assert [cell.data_type for cell in cells[:2]] == ["s", "s"]  # shown as typed, never calculated
    assert cells[1].value == "=1+2号"
    # The report workbook writes its sheets through the same write_sheet.
    book = Workbook()
    write_sheet(book.active, _table(), title_row=True)
    target = tmp_path / "report.xlsx"
    book.save(target)
    reread = load_workbook(target).active
    assert reread.cell(row=3, column=1).data_type == "s"
    assert all(cell.data_type != "f" for row in reread.iter_rows() for cell in row)


def test_markdown_output_escapes_stored_html() -> None:
    table_text = to_markdown(_table())
    assert "<img" not in table_text and "&lt;img src=x onerror=alert(1)&gt;" in table_text
    section = Section(
        key="k",
        title="政策 <b>x</b>",
        paragraphs=("标题：<script>alert(1)</script>",),
        tables=(("t", _table()),),
        verdicts=(("<img src=x onerror=alert(2)>", "holds", "成立"),),
    )
    report = render_markdown([section], "zh", "2099-01-01")
    assert "<script" not in report and "<img" not in report and "<b>" not in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report

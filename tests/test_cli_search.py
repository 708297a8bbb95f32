"""``cbec search`` and ``cbec policies list`` as people use them: fields, filters, exports, narrow terminals."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from cbec_policy.cli import cli


def run(*args: str, columns: int | None = None) -> object:
    env = {"COLUMNS": str(columns)} if columns else {}
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


def test_search_uses_synonyms_fields_and_filters(sqlite_store_url: str) -> None:
    rows = json.loads(run("search", "行邮税", "--db", sqlite_store_url, "--format", "json").stdout)
    assert [row["id"] for row in rows] == ["2016-caiguanshui-18"]
    rows = json.loads(
        run("search", "title:退运", "--status", "已失效", "--db", sqlite_store_url, "--format", "json").stdout
    )
    assert [row["id"] for row in rows] == ["2023-announce-34"]
    bad = run("search", "跨境", "--type", "财税类", "--db", sqlite_store_url)
    assert bad.exit_code == 2 and "--type" in bad.stderr


def test_json_rows_carry_codes_with_labels_beside(sqlite_store_url: str) -> None:
    rows = json.loads(run("policies", "list", "--db", sqlite_store_url, "--format", "json").stdout)
    unknown = next(row for row in rows if row["status"] == "unknown")
    assert unknown["status_label"] == "未知" and unknown["in_force_today"] is None
    assert unknown["in_force_today_label"] == "未知"
    assert {row["level"] for row in rows} == {"national"}  # codes, as the API writes them


def test_search_exports_citations(sqlite_store_url: str, tmp_path: Path) -> None:
    ris = run("search", "财关税〔2018〕49号", "--db", sqlite_store_url, "--format", "ris").stdout
    assert ris.startswith("TY  - STAT") and "M1  - 财关税〔2018〕49号" in ris
    target = tmp_path / "hits.xlsx"
    result = run("search", "正面清单", "--db", sqlite_store_url, "--format", "xlsx", "--out", str(target))
    assert result.exit_code == 0
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "title", "doc_number") and len(rows) == 1 + 5
    no_out = run("search", "正面清单", "--db", sqlite_store_url, "--format", "xlsx")
    assert no_out.exit_code == 2 and "--out" in no_out.stderr


def test_dates_do_not_wrap_in_an_80_column_terminal(sqlite_store_url: str) -> None:
    for args in (("policies", "list", "--type", "tax"), ("search", "跨境电商")):
        out = run(*args, "--db", sqlite_store_url, columns=80).stdout
        assert max(len(line) for line in out.splitlines()) <= 80
        dates = re.findall(r"\b20\d\d-\d\d-\d\d\b", out)
        assert len(dates) >= 5  # every date printed whole on one line
        assert not re.search(r"\b20\d\d-\d?\s*│", out)  # no date cut at a column edge

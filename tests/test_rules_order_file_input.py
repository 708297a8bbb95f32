"""Broken order-file input never taxes wrongly and never stops the file: every problem named, every good row written."""

from __future__ import annotations

import csv
import io
import json
import math
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cbec_policy.cli import cli
from cbec_policy.errors import InputError
from cbec_policy.rules.order_file import run_order_file
from cbec_policy.rules.order_file.parsing import NA_MARKERS, na_cells

# 2019-04-01 onwards: import VAT 13 % (财政部 税务总局 海关总署公告2019年第39号), CBEC orders within the
# limits pay 70 % of it (财关税〔2018〕49号): 9.1 % of the dutiable value, rounded to the fen.
WITHIN_RATE = Decimal("0.13") * Decimal("0.7")


def _within_tax(value: str) -> Decimal:
    return (Decimal(value) * WITHIN_RATE).quantize(Decimal("0.01"))


def _csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _results(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


HEADER = ["order_id", "declaration_date", "buyer_id", "price", "freight", "quantity", "vat_rate", "ct_rate"]


def _marker_rows() -> list[list[str]]:
    """One order per marker, each in a different column, after one clean order per buyer."""
    rows = [["ok1", "2025-06-01", "b1", "2000", "", "1", "", ""]]
    columns = ["freight", "quantity", "vat_rate", "buyer_id", "order_id", "ct_rate", "freight"]
    for number, (marker, column) in enumerate(zip(NA_MARKERS, columns, strict=True)):
        row = [f"m{number}", "2025-06-02", "b1", "2000", "", "1", "", ""]
        row[HEADER.index(column)] = marker
        rows.append(row)
    rows.append(["ok2", "2025-06-03", "b1", "2000", "", "1", "", ""])
    return rows


def test_no_value_markers_are_errors_naming_order_line_field_and_value(tmp_path: Path) -> None:
    rows = _marker_rows()
    source = _csv(tmp_path / "orders.csv", HEADER, rows)
    summary = run_order_file(source, tmp_path / "out.parquet")
    results = _results(tmp_path / "out.parquet")
    assert len(results) == len(rows)  # every row written, with its answer or its error
    assert summary.rejected_orders == len(NA_MARKERS)
    for row, result in zip(rows[1:-1], results[1:-1], strict=True):
        marker = next(cell for cell in row if cell in NA_MARKERS)
        field = HEADER[row.index(marker)]
        assert result["error"].startswith(f"order {row[0]}, line 1, {field} {marker!r}: a 'no value' marker")
        assert "--na-as-missing" in result["error"]
    # the clean orders are taxed, and the rejected ones did not reach the buyer's year
    assert [r["total_tax"] for r in (results[0], results[-1])] == [_within_tax("2000")] * 2
    assert results[-1]["annual_before"] == Decimal("2000.00")


def test_na_as_missing_reads_markers_as_empty_cells(tmp_path: Path) -> None:
    rows = [["a", "2025-06-01", "b1", "4000", "NA", "", "", ""], ["b", "2025-06-01", "NULL", "4000", "", "", "", ""]]
    source = _csv(tmp_path / "orders.csv", HEADER, rows)
    summary = run_order_file(source, tmp_path / "out.parquet", na_as_missing=True)
    results = _results(tmp_path / "out.parquet")
    assert summary.rejected_orders == 0
    assert [r["total_tax"] for r in results] == [_within_tax("4000")] * 2  # freight empty: no freight
    assert results[1]["buyer_id"] is None  # NULL read as no buyer, as asked


def test_parquet_nan_is_an_error_and_optional_columns_are_optional(tmp_path: Path) -> None:
    """A NaN float is not an empty cell; a file without buyer_id (or freight) still computes."""
    table = pa.table(
        {
            "order_id": ["a", "b", "c"],
            "declaration_date": pa.array([20240, 20240, 20240], pa.date32()),  # 2025-06-01
            "price": [4000.0, 4000.0, 4000.0],
            "freight": pa.array([float("nan"), None, 0.0]),
        }
    )
    source = tmp_path / "orders.parquet"
    pq.write_table(table, source)
    run_order_file(source, tmp_path / "out.parquet")
    results = _results(tmp_path / "out.parquet")
    assert results[0]["error"].startswith("order a, line 1, freight nan: a 'no value' marker")
    assert [r["total_tax"] for r in results[1:]] == [_within_tax("4000")] * 2
    run_order_file(source, tmp_path / "again.parquet", na_as_missing=True)
    assert [r["total_tax"] for r in _results(tmp_path / "again.parquet")] == [_within_tax("4000")] * 3
    pq.write_table(table.drop_columns(["freight"]), source)
    run_order_file(source, tmp_path / "bare.parquet")
    assert [r["total_tax"] for r in _results(tmp_path / "bare.parquet")] == [_within_tax("4000")] * 3


def test_repeated_header_reads_one_copy_and_rejects_lines_where_copies_differ(tmp_path: Path) -> None:
    header = ["order_id", "declaration_date", "price", "note", "price", "note"]
    rows = [["a", "2025-06-01", "4000", "x", "4000", "y"], ["b", "2025-06-01", "4000", "x", "3000", "x"]]
    source = _csv(tmp_path / "orders.csv", header, rows)
    summary = run_order_file(source, tmp_path / "out.parquet")
    results = _results(tmp_path / "out.parquet")
    assert results[0]["total_tax"] == _within_tax("4000")
    assert results[1]["error"].startswith("order b, line 1, price: the header names this column more than once")
    assert summary.file_problems == [
        "line 1: column 'price' is named 2 times (columns 3, 5); the first is read, lines where the copies "
        "differ are rejected",
        "line 1: column 'note' is named 2 times (columns 4, 6); not an order-file column",
    ]


def test_ragged_rows_are_reported_by_line_and_reject_their_order(tmp_path: Path) -> None:
    """A short row of order B (file line 4) and a long one-line order D (line 6); A, C and E are computed."""
    text = (
        "order_id,declaration_date,buyer_id,price\n"
        "A,2025-06-01,b1,4000\n"
        "B,2025-06-02,b1,1000\n"
        "B,2025-06-02\n"
        "C,2025-06-03,b1,4000\n"
        "D,2025-06-04,b1,100,7\n"
        "E,2025-06-05,b1,4000\n"
    )
    source = tmp_path / "orders.csv"
    source.write_text(text, encoding="utf-8")
    summary = run_order_file(source, tmp_path / "out.parquet")
    results = _results(tmp_path / "out.parquet")
    by_order = {r["order_id"]: r for r in results}
    assert summary.file_problems == [
        "line 4: 2 fields where the header has 4; not read (order B)",
        "line 6: 5 fields where the header has 4; not read (order D)",
    ]
    assert by_order["B"]["error"] == "order B, line 1: line 4: 2 fields where the header has 4; not read"
    assert [by_order[o]["total_tax"] for o in "ACE"] == [_within_tax("4000")] * 3
    assert by_order["E"]["annual_before"] == Decimal("8000.00")  # B's one readable line did not count
    assert "D" not in by_order and summary.failed and summary.unread_rows == 2


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "utf-8-sig"])
def test_gbk_csv_is_decoded_like_documents(tmp_path: Path, encoding: str) -> None:
    header = ["order_id", "declaration_date", "price", "description"]
    # Big5 files are written in traditional characters
    order, goods = (
        ("訂單", "嬰幼兒配方奶粉，每罐九百克") if encoding == "big5" else ("订单", "婴幼儿配方奶粉，每罐九百克")
    )
    rows = [[f"{order}{n}", "2025-06-01", "4000", goods] for n in range(3)]
    source = _csv(tmp_path / "orders.csv", header, rows, encoding)
    summary = run_order_file(source, tmp_path / "out.parquet")
    results = _results(tmp_path / "out.parquet")
    assert summary.rejected_orders == 0
    assert [r["order_id"] for r in results] == [row[0] for row in rows]
    assert [r["total_tax"] for r in results] == [_within_tax("4000")] * len(rows)


def test_output_never_overwrites_the_orders_and_needs_its_folder(tmp_path: Path) -> None:
    source = _csv(tmp_path / "orders.csv", ["order_id", "declaration_date", "price"], [["a", "2025-06-01", "10"]])
    before = source.read_bytes()
    with pytest.raises(InputError, match="is the orders file itself"):
        run_order_file(source, source)
    with pytest.raises(InputError, match="is the orders file itself"):
        run_order_file(source, tmp_path / "." / "orders.csv")
    assert source.read_bytes() == before
    with pytest.raises(InputError, match=r"output folder .* does not exist"):
        run_order_file(source, tmp_path / "missing" / "out.csv")
    run_order_file(source, tmp_path / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv", "out.csv"]  # no temporary file left


def test_cli_exit_codes_and_clear_errors(tmp_path: Path) -> None:
    source = _csv(tmp_path / "orders.csv", HEADER, _marker_rows())
    runner = CliRunner()
    same = runner.invoke(cli, ["tax", "batch", str(source), "--out", str(source)])
    assert same.exit_code == 2 and "is the orders file itself" in same.output and "Traceback" not in same.output
    missing = runner.invoke(cli, ["tax", "batch", str(source), "--out", str(tmp_path / "no" / "r.csv")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    out = tmp_path / "r.csv"
    some = runner.invoke(cli, ["tax", "batch", str(source), "--out", str(out), "--format", "json"])
    assert some.exit_code == 1  # some orders rejected: listed, the rest written
    assert json.loads(some.output)["rejected_orders"] == len(NA_MARKERS)
    clean = runner.invoke(
        cli, ["tax", "batch", str(source), "--out", str(out), "--na-as-missing", "--format", "json"]
    )  # the markers as empty cells: the order whose id was a marker now has none
    assert clean.exit_code == 1 and json.loads(clean.output)["rejected_orders"] == 1


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_marker_screen_finds_exactly_the_markers(kind: pa.DataType) -> None:
    """The byte-level screen agrees with a plain comparison of every cell, in sliced arrays with nulls."""
    cells = ["o1", "NA", "", None, "na", "N/A", " NA", "NULLS", "#n/a", "nan", "NaN", "-nan", "Nb", "NAN", "x" * 9]
    cells = cells * 3
    markers = {variant.lower() for variant in NA_MARKERS}
    column = pa.array(cells, kind).slice(2, 30)
    expected = [cell is not None and cell.lower() in markers for cell in cells[2:32]]
    assert na_cells(column).tolist() == expected
    values = [1.0, float("nan"), None, 2.5] * 4
    numbers = pa.array(values).slice(1, 10)
    assert na_cells(numbers).tolist() == [value is not None and math.isnan(value) for value in values[1:11]]


def test_parquet_buyer_written_as_na_rejects_its_order_only(tmp_path: Path) -> None:
    """buyer_id is read from Parquet as a dictionary: a marker among its names rejects the lines naming it."""
    table = pa.table(
        {
            "order_id": ["a", "b", "c"],
            "declaration_date": pa.array([20240, 20240, 20240], pa.date32()),  # 2025-06-01
            "buyer_id": ["b1", " NA", "b1"],
            "price": [4000.0, 4000.0, 4000.0],
        }
    )
    source = tmp_path / "orders.parquet"
    pq.write_table(table, source)
    run_order_file(source, tmp_path / "out.parquet")
    results = _results(tmp_path / "out.parquet")
    assert results[1]["error"].startswith("order b, line 1, buyer_id ' NA': a 'no value' marker")
    assert [results[0]["total_tax"], results[2]["total_tax"]] == [_within_tax("4000")] * 2
    assert results[0]["error"] is None and results[2]["error"] is None

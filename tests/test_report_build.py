"""The offline report: every file, every section, no external request, escaped text, one workbook."""

from __future__ import annotations

import csv
import re
import struct
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib import font_manager
from openpyxl import load_workbook

import reference_counts
from cbec_policy.errors import CbecError, InputError
from cbec_policy.report import figures as figures_mod
from cbec_policy.report.build import ReportResult, build_report
from cbec_policy.report.computed_tables import all_computed_tables
from cbec_policy.report.document import Section, build_document
from cbec_policy.report.figures import FIGURES, MissingFontError, figure_workers, find_cjk_font, render_figures
from cbec_policy.report.html import render_html
from cbec_policy.report.i18n import SECTIONS
from cbec_policy.report.inputs import bundled_inputs
from cbec_policy.report.results import run_analysis


@pytest.fixture(scope="module")
def report_zh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full report read through a fresh SQLite store, as ``cbec report --db`` does."""
    base = tmp_path_factory.mktemp("report_zh")
    out = base / "out"
    result = build_report(out, db_url=f"sqlite:///{base / 'cbec.db'}", progress=False)
    assert result.index_html == out / "index.html"
    assert set(result.timings) == {"load", "analysis", "figures", "tables", "markdown", "html"}
    assert not list(base.glob(".report-*"))  # the staging folder is gone
    return out


class _Resources(HTMLParser):
    """Collect every attribute or tag that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetching: list[str] = []  # (tag attr=value) that loads on open
        self.scripts = 0
        self.section_ids: list[str] = []
        self.images: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "section" and values.get("id"):
            self.section_ids.append(values["id"] or "")
        if tag == "img":
            self.images.append(values.get("src") or "")
        if tag == "style":
            self._in_style = True
        for name in ("src", "srcset", "poster", "data"):
            if values.get(name) and not (values[name] or "").startswith("data:"):
                self.fetching.append(f"{tag} {name}={values[name]}")
        if tag in ("link", "iframe", "embed", "object", "base"):
            self.fetching.append(f"{tag} {values}")
        if values.get("style") and "url(" in (values["style"] or ""):
            self.fetching.append(f"{tag} style={values['style']}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def test_report_files(report_zh: Path) -> None:
    for name in ("index.html", "report.md", "cbec_report.xlsx"):
        assert (report_zh / name).stat().st_size > 0, name
    for key, _draw in FIGURES:
        png = (report_zh / "figures" / f"{key}.png").read_bytes()
        assert png.startswith(b"\x89PNG"), key
        svg = (report_zh / "figures" / f"{key}.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "<path" in svg, key
    with (report_zh / "tables" / "pilot_batches.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["cumulative_approved"] for row in rows] == [str(n) for n in reference_counts.cumulative_approved()]
    assert rows[-1]["in_force"] == str(reference_counts.in_force_after_each_batch()[-1])


def test_index_html_has_every_section_and_fetches_nothing(report_zh: Path) -> None:
    text = (report_zh / "index.html").read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(text)
    assert parser.section_ids == [key for key, _zh, _en in SECTIONS]
    assert parser.scripts == 0
    assert parser.fetching == []
    assert len(parser.images) == len(FIGURES) and all(src.startswith("data:image/png;base64,") for src in parser.images)
    css = "".join(parser.styles)
    assert "@import" not in css and "url(" not in css
    # links in text are allowed (nothing loads on open); nothing else may name a remote address
    outside_links = re.sub(r'<a href="[^"]*"', "", text)
    assert not re.search(r"(src|href)=\"(https?:)?//", outside_links)
    for heading in ("论文所述与数据所示", "论文之后的变化", "区域平衡", "地方政策差异化"):
        assert heading in text
    assert "178" in text and "国函〔2025〕40号" in text


def test_markdown_and_workbook(report_zh: Path) -> None:
    markdown = (report_zh / "report.md").read_text(encoding="utf-8")
    for _key, zh, _en in SECTIONS:
        assert f"## {zh}" in markdown
    assert "![" in markdown and "figures/province_map.png" in markdown
    workbook = load_workbook(report_zh / "cbec_report.xlsx", read_only=True)
    csv_keys = {path.stem for path in (report_zh / "tables").glob("*.csv")}
    assert {"table1_paper", "table1_verified", "table2_batches", "claims", "regions_cumulative"} <= set(
        workbook.sheetnames
    )
    assert set(workbook.sheetnames) == csv_keys
    table1 = list(workbook["table1_paper"].iter_rows(values_only=True))
    assert sum(1 for row in table1[2:] if row and row[1] and re.match(r"\d{4}\.\d{2}\.\d{2}", str(row[1]))) == 26


def test_english_report_text() -> None:
    # Figures are language-independent in structure; the page text and tables are checked without them.
    results = run_analysis(bundled_inputs())
    tables = all_computed_tables(results, "en")
    text = render_html(build_document(results, tables, {}, {}, "en"), "en", "2026-01-01")
    for _key, _zh, en in SECTIONS:
        assert en.replace("'", "&#39;") in text
    assert 'lang="en"' in text
    assert tables["pilot_batches"].columns[4].label == "approved to date"
    assert "partly supported" in text and "Batch 8" in text


def test_stored_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script><img src="http://example.com/a.png">'
    html = render_html([Section("overview", "概览", (hostile,))], "zh", "2026-01-01")
    assert "<script>" not in html and 'src="http://example.com' not in html
    assert "&lt;script&gt;" in html


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--lang"):
        build_report(tmp_path, lang="fr", inputs=bundled_inputs(), progress=False)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"):
        build_report(a_file, inputs=bundled_inputs(), progress=False)


def test_missing_cjk_font_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    find_cjk_font.cache_clear()
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    try:
        with pytest.raises(MissingFontError, match="fonts-noto-cjk"):
            figures_mod.find_cjk_font()
    finally:
        find_cjk_font.cache_clear()


def test_cli_prints_only_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cbec_policy.cli import cli
    from cbec_policy.cli import report as report_command

    calls = []

    def fake_build(out_dir: str, *, lang: str, db_url: str | None, progress: bool) -> ReportResult:
        calls.append((out_dir, lang, db_url))
        return ReportResult(Path(out_dir), Path(out_dir) / "index.html")

    # the full build is covered by the fixture above; here only the command's wiring is checked
    monkeypatch.setattr(report_command, "build_report", fake_build)
    result = CliRunner().invoke(cli, ["report", "--out", str(tmp_path), "--lang", "en", "--db", "sqlite:///x.db"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str((tmp_path / "index.html").resolve())
    assert calls == [(str(tmp_path), "en", "sqlite:///x.db")]
    bad = CliRunner().invoke(cli, ["report", "--out", str(tmp_path), "--lang", "fr"])
    assert bad.exit_code == 2 and "fr" in bad.output


# Three quick figures stand in for the full set where only the drawing machinery is tested.
_QUICK = ("pilot_growth", "positive_list", "trade")  # in report order


def _quick_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures_mod, "FIGURES", tuple(item for item in FIGURES if item[0] in _QUICK))


def test_parallel_figures_match_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if threading.active_count() > 1:
        pytest.skip("another thread runs in this test process, so figures are never drawn by forked workers")
    _quick_figures(monkeypatch)
    results = run_analysis(bundled_inputs())
    assert figure_workers(2) == 2
    done: list[str] = []
    serial = render_figures(results, tmp_path / "serial", "zh", workers=1)
    parallel = render_figures(results, tmp_path / "parallel", "zh", workers=2, on_figure=done.append)
    assert list(serial) == list(parallel) == list(_QUICK)  # report order, whichever worker finished first
    assert sorted(done) == sorted(_QUICK)
    for key in _QUICK:
        assert parallel[key].png_bytes == serial[key].png_bytes, key
        assert parallel[key].png.read_bytes() == serial[key].png_bytes, key
        assert parallel[key].svg.read_bytes() == serial[key].svg.read_bytes(), key
    # a 10 x 4.8 inch figure at 200 dpi (print quality); SVG text as glyph paths, so no <text> needing a font
    assert struct.unpack(">II", parallel["pilot_growth"].png_bytes[16:24]) == (2000, 960)
    assert "<text" not in parallel["pilot_growth"].svg.read_text(encoding="utf-8")


def test_figures_drawn_in_one_process_where_threads_run() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert figure_workers(2) == 1  # forking beside another thread could hang the child
    finally:
        stop.set()
        thread.join()
    assert figure_workers(1) == 1


def test_a_failing_figure_fails_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _quick_figures(monkeypatch)

    def broken(results: object, lang: str) -> object:
        raise CbecError("trade figure: no data to plot")

    monkeypatch.setattr(figures_mod, "FIGURES", (*figures_mod.FIGURES[:-1], ("trade", broken)))
    with pytest.raises(CbecError, match="no data to plot"):
        build_report(tmp_path / "out", inputs=bundled_inputs(), progress=False, workers=2)
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".report-*"))  # nothing half-written is left behind

"""``cbec report --out DIR``: write the offline analysis report and print the path of index.html."""

from __future__ import annotations

import sys

import click

from cbec_policy.cli.options import db_option
from cbec_policy.report.build import build_report


def register(cli: click.Group) -> None:
    """Add the ``report`` command to the ``cbec`` group."""

    @cli.command("report")
    @click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录 output folder")
    @click.option(
        "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="报告语言 report language"
    )
    @db_option
    def report(out_dir: str, lang: str, db_url: str | None) -> None:
        """生成离线分析报告 Write the offline report (index.html, report.md, figures, tables, XLSX).

        \b
        例 Example:
          cbec report --out report/
        """
        # The progress bar goes to stderr so that stdout carries only the path, for scripts.
        result = build_report(out_dir, lang=lang, db_url=db_url, progress=sys.stderr.isatty())
        click.echo(str(result.index_html.resolve()))

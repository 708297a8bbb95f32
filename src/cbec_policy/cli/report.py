"""``cbec report --out DIR``: write the offline analysis report and print the path of index.html."""

from __future__ import annotations

import sys

import click

from cbec_policy.cli.options import db_option
from cbec_policy.report import build_report


def register(cli: click.Group) -> None:
    """Add the ``report`` command to the ``cbec`` group."""

    @cli.command("report")
    @click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录 output folder")
    @click.option(
        "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="报告语言 report language"
    )
    @click.option(
        "--evaluation", is_flag=True, help="加入政策评价一节 add the policy-evaluation section (PMC, DID timing)"
    )
    @click.option(
        "--did-result",
        metavar="FILE",
        help="双重差分结果 a saved 'cbec did estimate --format json' answer to show in the evaluation section",
    )
    @db_option
    def report(out_dir: str, lang: str, evaluation: bool, did_result: str | None, db_url: str | None) -> None:
        """生成离线分析报告 Write the offline report (index.html, report.md, figures, tables, XLSX).

        \b
        例 Example:
          cbec report --out report/
        """
        # The progress bar goes to stderr so that stdout carries only the path, for scripts.
        extra: dict[str, object] = {}
        if evaluation or did_result:
            # start-up: imported only when this command runs, so other commands and --help stay light
            from cbec_policy.report import read_did_result

            extra = {"evaluation": True, "did_result": read_did_result(did_result) if did_result else None}
        result = build_report(out_dir, lang=lang, db_url=db_url, progress=sys.stderr.isatty(), **extra)
        click.echo(str(result.index_html.resolve()))

"""The ``cbec`` command: thin commands over the library, one module per command group.

Every command accepts ``--db URL`` (or ``CBEC_DB_URL``); errors the user can fix are printed
as one line naming the input and the reason, with exit code 2.
"""

from __future__ import annotations

import importlib
import sys

import click

from cbec_policy import __version__
from cbec_policy.errors import CbecError

# Command groups live in their own modules; each exposes ``register(cli)``. They are imported
# only when one of their commands runs, so ``cbec zones lookup`` does not pay for matplotlib,
# scikit-learn or FastAPI. The one-line help here lets ``cbec --help`` list them without imports.
_LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("cbec_policy.cli.store_commands", "建库/升级数据库 build or upgrade the database"),
    "policies": ("cbec_policy.cli.store_commands", "政策查询 list and show policies"),
    "search": ("cbec_policy.cli.store_commands", "全文检索 full-text search"),
    "zones": ("cbec_policy.cli.zones", "综试区 CBEC comprehensive pilot zones"),
    "tables": ("cbec_policy.cli.tables", "论文表1、表2 the paper's Tables 1 and 2"),
    "extract": ("cbec_policy.cli.ingest", "抽取元数据 extract metadata without storing"),
    "ingest": ("cbec_policy.cli.ingest", "入库 store policy documents"),
    "classify": ("cbec_policy.cli.classify", "分类 classify policies (type, themes, instruments)"),
    "labels": ("cbec_policy.cli.classify", "人工标注 import/export a researcher's labels"),
    "report": ("cbec_policy.cli.report", "分析报告 write the offline analysis report"),
    "tax": ("cbec_policy.cli.tax", "税费计算 CBEC tax calculators"),
    "codes": ("cbec_policy.cli.tax", "监管方式代码 customs supervision codes"),
    "params": ("cbec_policy.cli.rules", "规则参数 dated rule parameters and their sources"),
    "rules": ("cbec_policy.cli.rules", "规则用例 run the YAML rule cases"),
    "serve": ("cbec_policy.cli.serve", "网页与接口 web application and REST API"),
}


class _LazyGroup(click.Group):
    """Imports a command's module on first use and turns library errors into one clear line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _LAZY_COMMANDS:
            return None
        if cmd_name not in self.commands:
            collector = click.Group()
            importlib.import_module(_LAZY_COMMANDS[cmd_name][0]).register(collector)
            for name, command in collector.commands.items():
                self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_text) for name, (_, help_text) in _LAZY_COMMANDS.items()])

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CbecError as exc:
            click.echo(f"错误 error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cbec")
def cli() -> None:
    """跨境电商政策库 — China cross-border e-commerce policy corpus, analysis and rules.

    \b
    常用 Common commands:
      cbec init                      建库 build the database from the bundled data
      cbec policies list --type 税收类
      cbec zones lookup 杭州 --on 2016-01-01
      cbec tables table1 --format csv
    """


def main() -> None:
    """Entry point of the ``cbec`` console script."""
    cli(prog_name="cbec")

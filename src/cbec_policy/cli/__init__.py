"""The ``cbec`` command: thin commands over the library, one module per command group.

Every command accepts ``--db URL`` (or ``CBEC_DB_URL``); errors the user can fix are printed
as one line naming the input and the reason, with exit code 2.

Exit codes, the same for every command:

  0  done: everything was read, computed or stored
  1  done, but some inputs failed (each listed with its reason; the others were processed)
  2  usage or setup error: a bad option or value, a missing or wrong database, a bad input file
  3  internal error: a bug or an unexpected failure (one line; set CBEC_DEBUG=1 for the traceback;
     nothing half-written is kept)
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

import click

from cbec_policy import __version__
from cbec_policy.cli.exits import EXIT_INTERNAL, EXIT_USAGE
from cbec_policy.errors import CbecError

__all__ = ["cli", "main"]

# Command groups live in their own modules; each exposes ``register(cli)``. They are imported
# only when one of their commands runs, so ``cbec zones lookup`` does not pay for matplotlib,
# scikit-learn or FastAPI. The one-line help here lets ``cbec --help`` list them without imports.
_LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("cbec_policy.cli.store_commands", "建库/升级数据库 build or upgrade the database"),
    "policies": ("cbec_policy.cli.store_commands", "政策查询 list and show policies"),
    "search": ("cbec_policy.cli.store_commands", "全文检索 full-text search"),
    "zones": ("cbec_policy.cli.zones", "综试区 CBEC comprehensive pilot zones"),
    "tables": ("cbec_policy.cli.tables", "论文表1、表2 the paper's Tables 1 and 2"),
    "local": ("cbec_policy.cli.local", "地方政策 local CBEC documents (claim ④)"),
    "extract": ("cbec_policy.cli.ingest", "抽取元数据 extract metadata without storing"),
    "ingest": ("cbec_policy.cli.ingest", "入库 store policy documents"),
    "classify": ("cbec_policy.cli.classify", "分类 classify policies (type, themes, instruments)"),
    "labels": ("cbec_policy.cli.classify", "人工标注 import/export a researcher's labels"),
    "report": ("cbec_policy.cli.report", "分析报告 write the offline analysis report"),
    "tax": ("cbec_policy.cli.tax", "税费计算 CBEC tax calculators"),
    "codes": ("cbec_policy.cli.tax", "监管方式代码 customs supervision codes"),
    "pmc": ("cbec_policy.cli.evaluation", "PMC 指数政策评价 score policies with the PMC index"),
    "did": ("cbec_policy.cli.evaluation", "综试区双重差分 staggered DID of the pilot zones"),
    "params": ("cbec_policy.cli.rules", "规则参数 dated rule parameters and their sources"),
    "rules": ("cbec_policy.cli.rules", "规则用例 run the YAML rule cases"),
    "serve": ("cbec_policy.cli.serve", "网页与接口 web application and REST API"),
}


def _command_module(name: str) -> ModuleType:
    """The module of one command group, imported on first use (plain imports, so the arrows show)."""
    # start-up: each group is imported only when one of its commands runs (see _LAZY_COMMANDS).
    match name:
        case "cbec_policy.cli.store_commands":
            from cbec_policy.cli import store_commands as module  # start-up: see above
        case "cbec_policy.cli.zones":
            from cbec_policy.cli import zones as module  # start-up: see above
        case "cbec_policy.cli.tables":
            from cbec_policy.cli import tables as module  # start-up: see above
        case "cbec_policy.cli.local":
            from cbec_policy.cli import local as module  # start-up: see above
        case "cbec_policy.cli.ingest":
            from cbec_policy.cli import ingest as module  # start-up: see above
        case "cbec_policy.cli.classify":
            from cbec_policy.cli import classify as module  # start-up: see above
        case "cbec_policy.cli.report":
            from cbec_policy.cli import report as module  # start-up: see above
        case "cbec_policy.cli.tax":
            from cbec_policy.cli import tax as module  # start-up: see above
        case "cbec_policy.cli.evaluation":
            from cbec_policy.cli import evaluation as module  # start-up: see above
        case "cbec_policy.cli.rules":
            from cbec_policy.cli import rules as module  # start-up: see above
        case "cbec_policy.cli.serve":
            from cbec_policy.cli import serve as module  # start-up: see above
        case _:
            raise KeyError(name)
    return module


class _LazyGroup(click.Group):
    """Imports a command's module on first use and turns library errors into one clear line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _LAZY_COMMANDS:
            return None
        if cmd_name not in self.commands:
            collector = click.Group()
            _command_module(_LAZY_COMMANDS[cmd_name][0]).register(collector)
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
            sys.exit(EXIT_USAGE)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug or an unexpected failure: one line and its own exit code
            if os.environ.get("CBEC_DEBUG"):  # a developer wants the traceback
                raise
            first_line = (str(exc).splitlines() or [""])[0][:300]
            click.echo(f"内部错误 internal error: {type(exc).__name__}: {first_line}", err=True)
            sys.exit(EXIT_INTERNAL)


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

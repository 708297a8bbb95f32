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

# Command groups live in their own modules; each exposes ``register(cli)``.
_COMMAND_MODULES = (
    "cbec_policy.cli.store_commands",
    "cbec_policy.cli.zones",
    "cbec_policy.cli.tables",
    "cbec_policy.cli.ingest",
    "cbec_policy.cli.classify",
    "cbec_policy.cli.report",
    "cbec_policy.cli.tax",
    "cbec_policy.cli.serve",
)


class _FriendlyGroup(click.Group):
    """Turn library errors into one clear line and exit code 2 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CbecError as exc:
            click.echo(f"错误 error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as _exc:
        if _exc.name != _name:  # a real missing dependency inside the module must surface
            raise
        continue
    _module.register(cli)


def main() -> None:
    """Entry point of the ``cbec`` console script."""
    cli(prog_name="cbec")

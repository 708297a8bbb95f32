"""``cbec params`` and ``cbec rules test``: the dated parameters and the rule cases, from the library.

``cbec params`` lists every parameter with its dated values and the policy each rests on;
``cbec params NAME --on DATE`` one parameter (or a node such as ``consumption_tax``) and the
value in force that day. ``cbec rules test [PATH ...]`` runs YAML rule cases with the
package's runner and exits 1 when one fails.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from cbec_policy.cli.output import format_option, to_json
from cbec_policy.dates import parse_date
from cbec_policy.i18n import label
from cbec_policy.rules import describe, load_parameters, run_cases


def _value_text(value: object) -> str:
    if isinstance(value, list):
        return "、".join(_value_text(item) for item in value)
    if isinstance(value, dict):
        return "，".join(f"{key}={_value_text(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


@click.command("params")
@click.argument("name", required=False)
@click.option("--on", "on", default=None, help="日期 show the value in force on DATE (YYYY-MM-DD)")
@format_option(choices=("table", "json"))
def params_command(name: str | None, on: str | None, output_format: str) -> None:
    """规则参数 every dated parameter with its values and sources (OpenFisca style).

    \b
    cbec params
    cbec params single_limit_cny --on 2018-12-31
    cbec params consumption_tax --format json
    """
    params = load_parameters()
    records = describe(params, name, parse_date(on, "--on") if on else None)
    if output_format == "json":
        click.echo(to_json({"compiled": params.compiled, "parameters": records}))
        return
    console = Console(soft_wrap=True)
    table = Table(title=f"规则参数（资料整理日 {params.compiled}）", show_lines=True)
    for header in ("参数", "说明", "起", "止", "值", "依据", "核实"):
        table.add_column(header, overflow="fold")
    if on:
        table.add_column(f"{on}的值")
    for record in records:
        for number, value in enumerate(record["values"]):
            row = [
                f"{record['node']}/{record['name']}" if number == 0 else "",
                record["description"] if number == 0 else "",
                value["from"] or "（记录之前）",
                value["to"] or "（现行）",
                _value_text(value["value"]),
                f"{value['source_label']} [{value['source']}]",
                label("parameter_statuses", value["status"], "zh"),
            ]
            if on:
                row.append(_value_text(record["value_on"]) if number == 0 and record["value_on"] is not None else "")
            table.add_row(*row)
    console.print(table)


@click.group("rules")
def rules_group() -> None:
    """规则用例 rule test cases as data."""


@rules_group.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option(choices=("table", "json"))
def rules_test(paths: tuple[Path, ...], output_format: str) -> None:
    """运行规则用例 run the YAML rule cases of PATHS (files or folders; default tests/rules_cases)."""
    outcomes = run_cases(list(paths) or [Path("tests/rules_cases")])
    failed = [outcome for outcome in outcomes if not outcome.passed]
    if output_format == "json":
        click.echo(to_json({"cases": len(outcomes), "failed": [o.__dict__ for o in failed]}))
    else:
        for outcome in failed:
            click.echo(f"失败 FAIL {outcome.file} {outcome.case_id}")
            for failure in outcome.failures:
                click.echo(f"    {failure}")
        click.echo(f"{len(outcomes) - len(failed)}/{len(outcomes)} 个用例通过 cases passed")
    if failed:
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    """Add ``params`` and ``rules`` to the ``cbec`` command."""
    cli.add_command(params_command)
    cli.add_command(rules_group)

"""The lazy command table and the command modules agree, and errors end in one line with exit 2."""

from __future__ import annotations

import importlib

import click
from click.testing import CliRunner

from cbec_policy.cli import _LAZY_COMMANDS, cli


def test_every_registered_command_is_listed_and_every_listed_command_exists() -> None:
    registered: dict[str, str] = {}
    for module_name in {module for module, _ in _LAZY_COMMANDS.values()}:
        collector = click.Group()
        importlib.import_module(module_name).register(collector)
        for name in collector.commands:
            registered[name] = module_name
    assert registered == {name: module for name, (module, _) in _LAZY_COMMANDS.items()}


def test_top_level_help_lists_commands_in_both_languages() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "zones" in result.output and "综试区" in result.output and "pilot zones" in result.output


def test_impossible_date_is_one_line_error_with_exit_code_2() -> None:
    result = CliRunner().invoke(cli, ["zones", "lookup", "杭州", "--on", "2023-02-30"])
    assert result.exit_code == 2
    assert "2023-02-30" in result.output
    assert "Traceback" not in result.output

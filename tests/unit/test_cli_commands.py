"""The commands of ``finalmile`` (``finalmile.cli.commands``): built-in ones listed from
``BUILT_IN`` and loaded when they run; those installed distributions add listed and run like
built-in ones, absent when the distribution is not installed."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from finalmile.cli import app, commands

runner = CliRunner()


def test_the_sandbox_distribution_adds_its_command() -> None:
    assert commands.installed()["sandbox"].value == "finalmile_sandbox.cli:sandbox"
    listed = runner.invoke(app, ["--help"])
    assert listed.exit_code == 0 and "sandbox" in listed.stdout
    helped = runner.invoke(app, ["sandbox", "--help"])
    assert helped.exit_code == 0, helped.output
    assert "--clock-rate" in helped.stdout


def test_without_the_distribution_the_command_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "installed", dict)
    listed = runner.invoke(app, ["--help"])
    assert listed.exit_code == 0 and "sandbox" not in listed.stdout
    result = runner.invoke(app, ["sandbox", "--help"])
    assert result.exit_code == 2
    assert "No such command 'sandbox'" in result.output


def test_a_built_in_command_wins_over_an_added_one_of_its_name() -> None:
    own = typer.Typer(cls=commands.CommandGroup)
    own.command("sandbox")(lambda: typer.echo("built in"))
    own.command("other")(lambda: None)
    assert runner.invoke(own, ["sandbox"]).stdout == "built in\n"
    listed = runner.invoke(own, ["--help"]).stdout
    assert listed.count("sandbox") == 1


def _first_paragraph(text: str) -> str:
    return " ".join(re.split(r"\n\s*\n", text.strip())[0].split())


@pytest.mark.parametrize("name", list(commands.BUILT_IN))
def test_each_built_in_line_is_its_command_s_own_help(name: str) -> None:
    command = commands.built_in(name)
    assert command.name == name
    assert commands.BUILT_IN[name].help == _first_paragraph(command.help or "")


def test_help_lists_every_built_in_command_with_its_line() -> None:
    listed = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    for name, entry in commands.BUILT_IN.items():
        assert re.search(rf"{name} +{re.escape(entry.help)}", listed.stdout), name


def test_a_built_in_group_runs_its_subcommands() -> None:
    helped = runner.invoke(app, ["db", "--help"])
    assert helped.exit_code == 0, helped.output
    assert "upgrade" in helped.stdout
    assert runner.invoke(app, ["db"]).exit_code == 2  # no subcommand: its help, exit 2

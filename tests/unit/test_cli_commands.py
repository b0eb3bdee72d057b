"""Commands added by installed distributions: listed and run like built-in ones, absent when the
distribution is not installed (``finalmile.cli.commands``)."""

from __future__ import annotations

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

"""The ``finalmile`` command line: the built-in commands, each loaded when it runs, then those
installed distributions add (``finalmile.cli.commands``; the carrier sandbox adds ``finalmile
sandbox``)."""

from __future__ import annotations

import typer

from finalmile.cli.commands import CommandGroup


def _finalmile() -> None:
    """Nothing to do before a command: the group needs a callback to be one."""


app = typer.Typer(
    name="finalmile",
    help="Pharmacy-to-door middleware: intake, storage, delivery decisions and the service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=CommandGroup,
    callback=_finalmile,
)

__all__ = ["app"]

"""Commands that other installed distributions add to ``finalmile``.

A distribution names a Typer command function in the ``finalmile.commands`` entry point group
(``finalmile-sandbox`` adds ``sandbox = "finalmile_sandbox.cli:sandbox"``). finalmile never imports
such a distribution by name: the group is read, and a command's module loaded, only when the
command line looks for a name it does not have built in (to run it, or to list it in ``--help``),
so running a built-in command costs nothing. A command's module should load only what its help
needs and defer the rest to the command itself (docs/architecture.md, rule 6). Without the
distribution installed its command is absent.
"""

from __future__ import annotations

import functools
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    # The Click classes TyperGroup's hooks are typed with (Typer vendors its own Click).
    from typer._click import Command, Context

GROUP = "finalmile.commands"


@functools.cache
def installed() -> dict[str, EntryPoint]:
    """The commands installed distributions add, by name."""
    return {entry.name: entry for entry in entry_points(group=GROUP)}


def _command(entry: EntryPoint) -> Command:
    """The entry point's command function as a Click command named after the entry point."""
    holder = typer.Typer()
    holder.command(entry.name)(entry.load())
    return typer.main.get_command(holder)


class CommandGroup(TyperGroup):
    """The built-in commands, then those of ``installed()`` not built in."""

    def list_commands(self, ctx: Context) -> list[str]:
        """Built-in names in their order, then the added ones sorted."""
        built_in = super().list_commands(ctx)
        return [*built_in, *sorted(name for name in installed() if name not in built_in)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """The built-in command ``cmd_name``, else the one an installed distribution adds."""
        command = super().get_command(ctx, cmd_name)
        if command is None and (entry := installed().get(cmd_name)) is not None:
            command = _command(entry)
        return command

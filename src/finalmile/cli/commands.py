"""The commands of ``finalmile``: those built in, and those other installed distributions add.

Built-in commands are listed in ``BUILT_IN`` by name, with where they live and the one line
``finalmile --help`` shows for them: a command's module (and everything it imports: settings,
the composition root, the domains) loads only when that command runs or shows its own help, so
``finalmile --help`` and each command pay for nothing but themselves (docs/architecture.md,
rule 6). ``tests/unit/test_cli_commands.py`` keeps every line equal to its command's own help.

A distribution names a Typer command function in the ``finalmile.commands`` entry point group
(``finalmile-sandbox`` adds ``sandbox = "finalmile_sandbox.cli:sandbox"``). finalmile never imports
such a distribution by name: the group is read, and a command's module loaded, only when the
command line looks for a name it does not have built in (to run it, or to list it in ``--help``),
so running a built-in command costs nothing. A command's module should load only what its help
needs and defer the rest to the command itself. Without the distribution installed its command
is absent.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from collections.abc import Callable

    # The Click classes TyperGroup's hooks are typed with (Typer vendors its own Click).
    from typer._click import Command, Context, HelpFormatter

GROUP = "finalmile.commands"
#: ``ctx.meta`` key set while a group writes its help: listed commands need not load.
_LISTING = "finalmile.listing"


@dataclass(frozen=True)
class BuiltIn:
    """A built-in command: ``module:attribute`` (a Typer app or a command function) and the
    first paragraph of its help, which ``finalmile --help`` lists without loading it."""

    target: str
    help: str


#: The built-in commands in the order ``finalmile --help`` lists them.
BUILT_IN = {
    "serve": BuiltIn(
        "finalmile.cli.serve:serve",
        "Serve the HTTP API and the MLLP listener (database from FINALMILE_DATABASE_URL).",
    ),
    "ingest": BuiltIn(
        "finalmile.cli.ingest:ingest",
        "Ingest FILE. Exit 0 when everything is accepted, 1 when anything is rejected.",
    ),
    "decide": BuiltIn(
        "finalmile.cli.decide:decide_file",
        "Print one JSON line per order: delivery type, carrier, service, arrival, cost, reasons.",
    ),
    "demo": BuiltIn(
        "finalmile.cli.demo:demo",
        "Load the sample orders, decide and dispatch the demo carrier order, print an API key.",
    ),
    "dispatch": BuiltIn(
        "finalmile.cli.dispatch:dispatch",
        "Buy labels for decided orders: one JSON line per shipment on stdout, problems on stderr.",
    ),
    "ship": BuiltIn(
        "finalmile.cli.ship:ship",
        "Buy a label for each order: one JSON line per order on stdout, failures on stderr.",
    ),
    "connectors": BuiltIn(
        "finalmile.cli.connectors:app",
        "Connector profiles (FINALMILE_CONFIG_DIR/connectors/*.yaml).",
    ),
    "db": BuiltIn("finalmile.cli.db:app", "Database schema."),
    "exceptions": BuiltIn(
        "finalmile.cli.exceptions:app",
        "Orders that need a person: list them, and act (resolve a hold, cancel, ...).",
    ),
    "fhir": BuiltIn("finalmile.cli.fhir:app", "FHIR R4 connectors that poll a PMS's FHIR server."),
    "items": BuiltIn("finalmile.cli.items:app", "Import and show the item master."),
    "keys": BuiltIn(
        "finalmile.cli.keys:app", "API keys (stored hashed; a key is shown once, when created)."
    ),
    "messages": BuiltIn(
        "finalmile.cli.messages:app", "Stored inbound messages: list, show, replay, check."
    ),
    "orders": BuiltIn("finalmile.cli.orders:app", "Orders: list with filters, the day's counts."),
    "outbox": BuiltIn(
        "finalmile.cli.outbox:app", "The outbox of write-back effects: list, show, retry, replay."
    ),
    "shipments": BuiltIn(
        "finalmile.cli.shipments:app", "Shipments: recover, list, label, track, void, import."
    ),
    "report": BuiltIn(
        "finalmile.cli.report:report",
        "Delivery numbers per day and site, by delivery type and carrier (table, or --csv).",
    ),
    "routes": BuiltIn(
        "finalmile.cli.routes:app",
        "Courier routes: plan a day, write driver manifests, re-plan the rest of a day.",
    ),
    "rules": BuiltIn("finalmile.cli.rules:app", "Check, activate and simulate rule sets."),
    "temperature": BuiltIn(
        "finalmile.cli.temperature:app", "Temperature logs: import, show, evaluate."
    ),
    "archive": BuiltIn(
        "finalmile.cli.archive:app", "Audit archive: export packets, retention, legal holds."
    ),
    "custody": BuiltIn(
        "finalmile.cli.custody:app", "Chain of custody (hash-linked handoffs per order)."
    ),
    "drivers": BuiltIn(
        "finalmile.cli.drivers:app",
        "Courier drivers (tokens are stored hashed and shown once) and stop assignment.",
    ),
    "tracking": BuiltIn("finalmile.cli.tracking:app", "Carrier tracking."),
    "users": BuiltIn(
        "finalmile.cli.users:app", "Console users (passwords stored as scrypt hashes)."
    ),
    "webhooks": BuiltIn(
        "finalmile.cli.webhooks:app",
        "Signed webhooks to the PMS: send a test event, verify a captured request.",
    ),
    "redelivery": BuiltIn(
        "finalmile.cli.redelivery:app",
        "Get an order delivered again: reattempt, reship, disposition.",
    ),
}


@functools.cache
def installed() -> dict[str, EntryPoint]:
    """The commands installed distributions add, by name."""
    return {entry.name: entry for entry in entry_points(group=GROUP)}


@functools.cache
def built_in(name: str) -> Command:
    """The built-in command ``name``, its module loaded now."""
    module, _, attribute = BUILT_IN[name].target.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if isinstance(found, typer.Typer):
        group = typer.main.get_group(found)
        group.name = name
        return group
    return _command(name, found)


def _command(name: str, function: Callable[..., object]) -> Command:
    """``function`` as a Click command named ``name``."""
    holder = typer.Typer()
    holder.command(name)(function)
    return typer.main.get_command(holder)


class CommandGroup(TyperGroup):
    """Its own commands, then ``BUILT_IN`` (loaded on use), then those of ``installed()``."""

    def list_commands(self, ctx: Context) -> list[str]:
        """Own and built-in names in their order, then the added ones sorted."""
        names = [*super().list_commands(ctx), *(n for n in BUILT_IN if n not in self.commands)]
        return [*names, *sorted(name for name in installed() if name not in names)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """The command ``cmd_name``: while this group writes its help, a built-in one is only
        its name and line from ``BUILT_IN``."""
        if (command := super().get_command(ctx, cmd_name)) is not None:
            return command
        if cmd_name in BUILT_IN:
            if ctx.meta.get(_LISTING):
                return TyperCommand(cmd_name, help=BUILT_IN[cmd_name].help)
            return built_in(cmd_name)
        if (entry := installed().get(cmd_name)) is not None:
            return _command(entry.name, entry.load())
        return None

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The help, listing the built-in commands without loading them."""
        ctx.meta[_LISTING] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            del ctx.meta[_LISTING]

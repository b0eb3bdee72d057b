"""The ``finalmile`` command line."""

from __future__ import annotations

import typer

from finalmile.cli.db import app as db_app
from finalmile.cli.decide import decide_file
from finalmile.cli.demo import demo
from finalmile.cli.ingest import ingest
from finalmile.cli.keys import app as keys_app
from finalmile.cli.messages import app as messages_app
from finalmile.cli.rules import app as rules_app
from finalmile.cli.serve import serve

app = typer.Typer(
    name="finalmile",
    help="Pharmacy-to-door middleware: intake, storage, delivery decisions and the service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve)
app.command("ingest")(ingest)
app.command("decide")(decide_file)
app.command("demo")(demo)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(messages_app, name="messages")
app.add_typer(rules_app, name="rules")

__all__ = ["app"]

"""The ``finalmile`` command line: the built-in commands, then those installed distributions add
(``finalmile.cli.commands``; the carrier sandbox adds ``finalmile sandbox``)."""

from __future__ import annotations

import typer

from finalmile.cli.archive import app as archive_app
from finalmile.cli.commands import CommandGroup
from finalmile.cli.connectors import app as connectors_app
from finalmile.cli.custody import app as custody_app
from finalmile.cli.db import app as db_app
from finalmile.cli.decide import decide_file
from finalmile.cli.demo import demo
from finalmile.cli.dispatch import dispatch
from finalmile.cli.drivers import app as drivers_app
from finalmile.cli.fhir import app as fhir_app
from finalmile.cli.ingest import ingest
from finalmile.cli.items import app as items_app
from finalmile.cli.keys import app as keys_app
from finalmile.cli.messages import app as messages_app
from finalmile.cli.orders import app as orders_app
from finalmile.cli.outbox import app as outbox_app
from finalmile.cli.report import report
from finalmile.cli.routes import app as routes_app
from finalmile.cli.rules import app as rules_app
from finalmile.cli.serve import serve
from finalmile.cli.ship import ship
from finalmile.cli.shipments import app as shipments_app
from finalmile.cli.temperature import app as temperature_app
from finalmile.cli.tracking import app as tracking_app
from finalmile.cli.webhooks import app as webhooks_app

app = typer.Typer(
    name="finalmile",
    help="Pharmacy-to-door middleware: intake, storage, delivery decisions and the service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=CommandGroup,
)
app.command("serve")(serve)
app.command("ingest")(ingest)
app.command("decide")(decide_file)
app.command("demo")(demo)
app.command("dispatch")(dispatch)
app.command("report")(report)
app.add_typer(connectors_app, name="connectors")
app.command("ship")(ship)
app.add_typer(db_app, name="db")
app.add_typer(fhir_app, name="fhir")
app.add_typer(items_app, name="items")
app.add_typer(keys_app, name="keys")
app.add_typer(messages_app, name="messages")
app.add_typer(orders_app, name="orders")
app.add_typer(outbox_app, name="outbox")
app.add_typer(shipments_app, name="shipments")
app.add_typer(routes_app, name="routes")
app.add_typer(rules_app, name="rules")
app.add_typer(temperature_app, name="temperature")
app.add_typer(archive_app, name="archive")
app.add_typer(custody_app, name="custody")
app.add_typer(drivers_app, name="drivers")
app.add_typer(tracking_app, name="tracking")
app.add_typer(webhooks_app, name="webhooks")

__all__ = ["app"]

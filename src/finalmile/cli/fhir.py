"""``finalmile fhir poll CONNECTOR``: poll a connector's FHIR server once, now."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import ConfigError

app = typer.Typer(help="FHIR R4 connectors that poll a PMS's FHIR server.", no_args_is_help=True)

EXIT_REJECTED = 1
EXIT_REFUSED = 2
EXIT_RETRY = 3


@app.command("poll")
def poll(
    connector: Annotated[str, typer.Argument(help="A connector with a fhir.server section")],
) -> None:
    """Poll CONNECTOR's FHIR server once and print what the poll did as one JSON line.

    Exit 0 when every new dispense was accepted, 1 when some were rejected (stored for replay),
    2 when the server or the configuration refused the poll, 3 when the server or the storage is
    unavailable (the mark stays; try again later).
    """
    settings = load_settings()
    try:
        with open_services(settings) as services:
            poller = services.fhir_pollers().get(connector)
            if poller is None:
                raise fail(
                    f"connector {connector!r} has no fhir.server to poll; "
                    f"polling connectors: {', '.join(sorted(services.fhir_clients)) or 'none'}",
                    EXIT_REFUSED,
                )
            report = poller.poll()
    except ConfigError as exc:
        raise fail(str(exc), EXIT_REFUSED) from None
    print(json.dumps(report.as_dict()))
    if report.error is not None:
        raise typer.Exit(EXIT_RETRY if report.retriable else EXIT_REFUSED)
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)

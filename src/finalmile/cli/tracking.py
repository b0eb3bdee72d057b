"""``finalmile tracking poll``: run the polling fallback now."""

from __future__ import annotations

import json

import typer

from finalmile.cli.context import load_settings, open_services

app = typer.Typer(help="Carrier tracking.", no_args_is_help=True)


@app.command("poll")
def poll() -> None:
    """Ask carriers about parcels with no recent event (what the service does on a schedule)."""
    with open_services(load_settings()) as services:
        summary = services.tracking.poll_due()
    typer.echo(json.dumps(summary.__dict__))
    raise typer.Exit(1 if summary.failed else 0)

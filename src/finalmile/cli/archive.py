"""``finalmile archive``: export an order's audit packet; list what is past retention."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from finalmile.cli.context import fail, load_settings, open_services
from finalmile.errors import FinalmileError
from finalmile.evidence.archive.pdf import packet_filename, render_pdf
from finalmile.evidence.archive.service import archive_service

app = typer.Typer(help="Audit archive: export packets, retention.", no_args_is_help=True)


@app.command("export")
def export(
    order_id: str,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="PDF to write (default ORDER-audit-packet.pdf)"),
    ] = None,
    connector: Annotated[str | None, typer.Option(help="When the order id is ambiguous")] = None,
) -> None:
    """Write the order's audit packet (POD, signature, temperature, custody) as one PDF. It
    holds patient data: store and send it as PHI."""
    target = out or Path(packet_filename(order_id))
    with open_services(load_settings()) as services:
        try:
            packet = archive_service(services).packet(order_id=order_id, connector=connector)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    content = render_pdf(packet)
    target.write_bytes(content)
    typer.echo(f"{target}: {len(content)} bytes")


@app.command("purge")
def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the orders past retention (required)")
    ] = False,
) -> None:
    """List orders whose evidence is past FINALMILE_ARCHIVE_RETENTION_YEARS, one JSON line each.
    Nothing is deleted: only --dry-run is available (see docs/temperature.md, Retention)."""
    if not dry_run:
        raise fail("archive purge only lists what is past retention: run it with --dry-run", 2)
    with open_services(load_settings()) as services:
        found = archive_service(services).past_retention()
    for entry in found:
        retention = entry.retention
        typer.echo(
            json.dumps(
                {
                    "order_id": entry.order_id,
                    "connector": entry.connector,
                    "basis": retention.basis,
                    "since": retention.since.isoformat(),
                    "retain_until": retention.until.isoformat(),
                }
            )
        )

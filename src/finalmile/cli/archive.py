"""``finalmile archive``: export an order's audit packet; list and purge what is past retention."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from finalmile.cli.context import fail, load_settings, open_services
from finalmile.errors import FinalmileError
from finalmile.evidence.archive.packet import Retention
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
        bool, typer.Option("--dry-run", help="Only list the orders past retention")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Delete their evidence (required to delete anything)")
    ] = False,
) -> None:
    """Delete the evidence of orders past FINALMILE_ARCHIVE_RETENTION_YEARS, one JSON line each
    (docs/temperature.md, Retention, says what goes and what stays). --dry-run lists them."""
    if dry_run == yes:
        raise fail(
            "archive purge deletes evidence for good: run it with --dry-run to list what is past "
            "retention, or with --yes to delete it",
            2,
        )
    with open_services(load_settings()) as services:
        archive = archive_service(services)
        if dry_run:
            for entry in archive.past_retention():
                typer.echo(json.dumps(_order(entry.order_id, entry.connector, entry.retention)))
            return
        outcomes = archive.purge(actor="cli")
    for outcome in outcomes:
        line = _order(outcome.order_id, outcome.connector, outcome.retention)
        if outcome.purged:
            line |= {"outcome": "purged", "removed": outcome.removed}
        else:
            line |= {"outcome": "kept", "reason": outcome.reason}
        typer.echo(json.dumps(line))
    purged = sum(1 for o in outcomes if o.purged)
    typer.echo(f"{purged} purged, {len(outcomes) - purged} kept", err=True)


def _order(order_id: str, connector: str, retention: Retention) -> dict[str, object]:
    return {
        "order_id": order_id,
        "connector": connector,
        "basis": retention.basis,
        "since": retention.since.isoformat(),
        "retain_until": retention.until.isoformat(),
    }

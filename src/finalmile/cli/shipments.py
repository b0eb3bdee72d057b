"""``finalmile shipments``: recover, list, label, track, void, and drop-ship CSV import."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic_core import to_json

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.cli.ship import shipment_line
from finalmile.errors import FinalmileError
from finalmile.shipments import recover

app = typer.Typer(
    help="Shipments: recover, list, label, track, void, import.", no_args_is_help=True
)
DROPSHIP_COLUMNS = ("order_id", "carrier_account", "shipped_with", "tracking_number")


@app.command("recover")
def recover_(
    actor: Annotated[str, typer.Option(help="Recorded in the audit trail")] = "recovery",
) -> None:
    """Finish every shipment left open (reconcile first, then buy); store missing labels."""
    with open_services(load_settings()) as services:
        report = recover(services.shipments, actor=actor)
    typer.echo(
        json.dumps(
            {
                "purchased": report.purchased,
                "failed": report.failed,
                "labels_stored": report.labels_stored,
                "still_open": report.still_open,
            }
        )
    )
    raise typer.Exit(3 if report.still_open else 0)


@app.command("list")
def list_(order_id: str, connector: Annotated[str | None, typer.Option()] = None) -> None:
    """Every shipment of an order, one JSON line each."""
    with open_services(load_settings()) as services:
        try:
            rows = services.shipments.for_order(order_id=order_id, connector=connector)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    for row in rows:
        typer.echo(json.dumps(shipment_line(row)))


@app.command("label")
def label(
    order_id: str,
    shipment: str,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the label file")],
    connector: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Write a shipment's stored label file."""
    with open_services(load_settings()) as services:
        try:
            row = services.shipments.find(order_id=order_id, key=shipment, connector=connector)
            content, _ = services.shipments.label(row)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    out.write_bytes(content)
    typer.echo(f"{out}: {len(content)} bytes")


@app.command("track")
def track(
    order_id: str, shipment: str, connector: Annotated[str | None, typer.Option()] = None
) -> None:
    """Ask the carrier where the parcel is."""
    with open_services(load_settings()) as services:
        try:
            row = services.shipments.find(order_id=order_id, key=shipment, connector=connector)
            info = services.shipments.track(row)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(to_json(info).decode())


@app.command("void")
def void(
    order_id: str,
    shipment: str,
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail, no patient data)")],
    actor: Annotated[str, typer.Option(help="Who voids it")] = "cli",
    connector: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Void a label and request its refund (audited)."""
    with open_services(load_settings()) as services:
        try:
            row = services.shipments.find(order_id=order_id, key=shipment, connector=connector)
            row = services.shipments.void(shipment=row, actor=actor, reason=reason)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps(shipment_line(row)))


@app.command("import-dropship")
def import_dropship(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a header")],
    connector: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record drop shippers' parcels from a CSV: order_id, carrier_account, shipped_with,
    tracking_number. Bad rows are reported with their line number; the others are recorded."""
    with file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in DROPSHIP_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise fail(f"{file}: line 1: missing columns {', '.join(missing)}", 2)
        rows = [(number, row) for number, row in enumerate(reader, start=2)]
    status = 0
    with open_services(load_settings()) as services:
        for number, row in rows:
            empty = [c for c in DROPSHIP_COLUMNS if not (row.get(c) or "").strip()]
            try:
                if empty:
                    raise FinalmileError(f"column {empty[0]!r} is empty")
                shipment = services.shipments.record_external(
                    order_id=row["order_id"].strip(),
                    account=row["carrier_account"].strip(),
                    carrier=row["shipped_with"].strip(),
                    tracking_number=row["tracking_number"].strip(),
                    connector=connector,
                    actor=f"import:{file.name}",
                )
            except FinalmileError as exc:
                status = 1
                print(json.dumps({"line": number, "error": str(exc)}), file=sys.stderr)
                continue
            typer.echo(json.dumps({"line": number, **shipment_line(shipment)}))
    raise typer.Exit(status)

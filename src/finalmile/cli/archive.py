"""``finalmile archive``: export an order's audit packet; list the archive (held orders flagged);
list and purge what is past retention; place, release and list legal holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import FinalmileError
from finalmile.evidence.archive import (
    ArchiveEntry,
    ArchiveFilter,
    HoldRecord,
    Retention,
    held_since,
)

app = typer.Typer(
    help="Audit archive: export packets, retention, legal holds.", no_args_is_help=True
)
Connector = Annotated[str | None, typer.Option(help="When the order id is ambiguous")]
Actor = Annotated[str, typer.Option(help="Who acts, recorded on the hold and in the audit trail")]
#: Orders read per query while listing the archive.
LIST_BATCH = 500


@app.command("export")
def export(
    order_id: str,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="PDF to write (default ORDER-audit-packet.pdf)"),
    ] = None,
    connector: Connector = None,
) -> None:
    """Write the order's audit packet (POD, signature, temperature, custody) as one PDF. It
    holds patient data: store and send it as PHI."""
    # Deferred: fpdf is slow to import and only rendering needs it.
    from finalmile.evidence.archive.pdf import packet_filename, render_pdf  # noqa: PLC0415

    target = out or Path(packet_filename(order_id))
    with open_services(load_settings()) as services:
        try:
            packet = services.archive.packet(order_id=order_id, connector=connector)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    content = render_pdf(packet)
    target.write_bytes(content)
    typer.echo(f"{target}: {len(content)} bytes")


@app.command("list")
def list_archive(
    held: Annotated[
        bool | None,
        typer.Option(
            "--held/--not-held", help="Only orders on legal hold, or only those not on hold"
        ),
    ] = None,
    connector: Annotated[str | None, typer.Option(help="Only this connector's orders")] = None,
) -> None:
    """List the archive, newest order first: one JSON line per order with its retention and the
    legal hold in force (since when, by whom; never the hold's text), no patient data."""
    filters = ArchiveFilter(held=held, connector=connector)
    with open_services(load_settings()) as services:
        archive = services.archive
        cursor: str | None = None
        while True:
            page = archive.listing(filters=filters, limit=LIST_BATCH, cursor=cursor)
            for entry in page.entries:
                typer.echo(json.dumps(_entry(entry)))
            if page.next_cursor is None:
                return
            cursor = page.next_cursor


@app.command("purge")
def purge(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Only list the orders past retention (held ones as kept)"),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Delete their evidence (required to delete anything)")
    ] = False,
) -> None:
    """Delete the evidence of orders past FINALMILE_ARCHIVE_RETENTION_YEARS, one JSON line each
    (docs/temperature.md, Retention, says what goes and what stays); orders on legal hold are
    kept. --dry-run lists them."""
    if dry_run == yes:
        raise fail(
            "archive purge deletes evidence for good: run it with --dry-run to list what is past "
            "retention, or with --yes to delete it",
            2,
        )
    with open_services(load_settings()) as services:
        archive = services.archive
        if dry_run:
            for entry in archive.past_retention():
                line = _order(entry.order_id, entry.connector, entry.retention)
                if entry.held_since is not None:
                    line |= {
                        "outcome": "kept",
                        "reason": held_since(entry.held_since, archive.zone),
                    }
                typer.echo(json.dumps(line))
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


@app.command("hold")
def hold(
    order_id: str,
    reason: Annotated[
        str,
        typer.Option(help="Why (litigation, DEA or board inquiry, payer audit); kept encrypted"),
    ],
    reference: Annotated[
        str | None, typer.Option(help="A case or inquiry number; kept encrypted")
    ] = None,
    connector: Connector = None,
    actor: Actor = "cli",
) -> None:
    """Put the order's evidence on legal hold: purge keeps it until the hold is released."""
    with open_services(load_settings()) as services:
        try:
            record = services.archive.place_hold(
                order_id=order_id,
                connector=connector,
                reason=reason,
                reference=reference,
                actor=actor,
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps(_hold(record)))


@app.command("release")
def release(
    order_id: str,
    reason: Annotated[str, typer.Option(help="Why the hold ends; kept encrypted")],
    connector: Connector = None,
    actor: Actor = "cli",
) -> None:
    """Release the order's legal hold (it stays as history); purge may then delete the evidence."""
    with open_services(load_settings()) as services:
        try:
            record = services.archive.release_hold(
                order_id=order_id, connector=connector, reason=reason, actor=actor
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps(_hold(record)))


@app.command("holds")
def list_holds(
    include_released: Annotated[
        bool, typer.Option("--all", help="Released holds too (history)")
    ] = False,
) -> None:
    """List legal holds, active ones by default: one JSON line each, oldest first."""
    with open_services(load_settings()) as services:
        records = services.archive.list_holds(include_released=include_released)
    for record in records:
        typer.echo(json.dumps(_hold(record)))


def _hold(record: HoldRecord) -> dict[str, object]:
    return {
        "order_id": record.order_id,
        "connector": record.connector,
        "hold_id": record.hold_id,
        "active": record.active,
        "placed_at": record.placed_at.isoformat(),
        "placed_by": record.placed_by,
        "reason": record.reason,
        "reference": record.reference,
        "released_at": record.released_at.isoformat() if record.released_at else None,
        "released_by": record.released_by,
        "release_reason": record.release_reason,
    }


def _entry(entry: ArchiveEntry) -> dict[str, object]:
    hold = entry.hold
    return _order(entry.order_id, entry.connector, entry.retention) | {
        "status": entry.status,
        "purged_at": entry.retention.purged_at.isoformat() if entry.retention.purged_at else None,
        "held": hold is not None,
        "hold_id": hold.hold_id if hold else None,
        "held_since": hold.placed_at.isoformat() if hold else None,
        "held_by": hold.placed_by if hold else None,
    }


def _order(order_id: str, connector: str, retention: Retention) -> dict[str, object]:
    return {
        "order_id": order_id,
        "connector": connector,
        "basis": retention.basis,
        "since": retention.since.isoformat(),
        "retain_until": retention.until.isoformat(),
    }

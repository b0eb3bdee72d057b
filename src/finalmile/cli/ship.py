"""``finalmile ship ORDER_ID... --carrier ACCOUNT``: buy labels for one order or a batch."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from finalmile.auth import Role
from finalmile.carriers import LabelFormat, ShipmentOptions
from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.rules import Override
from finalmile.shipments import BuyRequest, Shipment

EXIT_REFUSED = 1
EXIT_RETRY = 3


def ship(
    order_ids: Annotated[
        list[str] | None, typer.Argument(help="Order ids to ship (or --from-file)")
    ] = None,
    *,
    carrier: Annotated[str, typer.Option(help="Configured carrier account name")] = "",
    service: Annotated[
        str | None, typer.Option(help="Service name or carrier:service [default: cheapest]")
    ] = None,
    label_format: Annotated[LabelFormat, typer.Option(help="Label file format")] = LabelFormat.PDF,
    adult_signature: Annotated[bool, typer.Option(help="Adult signature on delivery")] = False,
    saturday: Annotated[bool, typer.Option(help="Saturday delivery")] = False,
    dry_ice_oz: Annotated[Decimal | None, typer.Option(help="Dry ice in the box, ounces")] = None,
    insure: Annotated[Decimal | None, typer.Option(help="Insured value, USD")] = None,
    connector: Annotated[str | None, typer.Option(help="Connector of the orders")] = None,
    from_file: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="One order id per line")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Orders bought at once (each account's limits still hold)")
    ] = 16,
    reason: Annotated[
        str | None,
        typer.Option(help="Override reason: ship against the orders' decisions (no patient data)"),
    ] = None,
    by: Annotated[str | None, typer.Option(help="Who ships (recorded as cli:NAME)")] = None,
    role: Annotated[
        Role | None, typer.Option(help="Your role (an override needs dispatcher or pharmacist)")
    ] = None,
) -> None:
    """Buy a label for each order: one JSON line per order on stdout, failures on stderr.

    A purchase against an order's decision is refused unless --reason gives an override reason
    (with --by and --role; breaking a hard constraint needs --role pharmacist).

    Exit 0 when every order has its label, 1 when a carrier refused one, 3 when some outcome is
    still open (``finalmile shipments recover`` finishes those).
    """
    ids = list(order_ids or [])
    if from_file is not None:
        ids += [line.strip() for line in from_file.read_text().splitlines() if line.strip()]
    if not ids:
        raise fail("name at least one order id (or --from-file)", 2)
    if not carrier:
        raise fail("--carrier is required: a configured carrier account name", 2)
    options = ShipmentOptions(
        label_format=label_format,
        adult_signature=adult_signature,
        saturday_delivery=saturday,
        dry_ice_weight_oz=dry_ice_oz,
        insured_value=insure,
    )
    if reason is not None and not by:
        raise fail("--by is required with --reason: who overrides the decision", 2)
    override = Override(
        by=f"cli:{by}" if by else "cli",
        roles=frozenset({role}) if role else frozenset(),
        reason=reason,
    )
    requests = [BuyRequest(i, carrier, service, options, connector, override) for i in ids]
    with open_services(load_settings()) as services:
        outcomes = services.shipments.buy_many(requests, workers=min(workers, len(requests)))
    status = 0
    for outcome in outcomes:
        if outcome.shipment is not None:
            print(json.dumps(shipment_line(outcome.shipment)))
            continue
        status = max(status, EXIT_RETRY if outcome.retriable else EXIT_REFUSED)
        line = {
            "order_id": outcome.order_id,
            "error": outcome.error,
            "retriable": outcome.retriable,
        }
        print(json.dumps(line), file=sys.stderr)
    raise typer.Exit(status)


def shipment_line(row: Shipment) -> dict[str, Any]:
    """The JSON form of a shipment on the command line (no patient data)."""
    return {
        "order_id": row.order_id,
        "shipment": row.key,
        "carrier_account": row.account,
        "state": row.state.value,
        "carrier": row.carrier,
        "service": row.service,
        "tracking_number": row.tracking_number,
        "amount": str(row.amount) if row.amount is not None else None,
        "attempts": row.attempts,
    }

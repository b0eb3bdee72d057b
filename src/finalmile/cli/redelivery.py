"""``finalmile redelivery reattempt | reship | disposition``: the redelivery actions from the
command line (a trusted operator with database access), audited as ``cli:NAME`` in its role."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from finalmile.auth import Role
from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import FinalmileError
from finalmile.evidence import Disposition
from finalmile.exceptions import cli_actor

app = typer.Typer(help="Get an order delivered again: reattempt, reship, disposition.")
Connector = Annotated[str | None, typer.Option(help="When the order id exists for several PMSs")]
By = Annotated[str, typer.Option("--by", help="Who acts (recorded as cli:NAME)")]
RoleOpt = Annotated[Role, typer.Option("--role", help="The role acted in (checked)")]
Reason = Annotated[str, typer.Option("--reason", help="Why, in plain words (no patient data)")]


@app.command("reattempt")
def reattempt(
    order_id: str,
    *,
    by: By,
    role: RoleOpt,
    reason: Reason,
    date: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Delivery day")
    ] = None,
    connector: Connector = None,
) -> None:
    """Put a failed in-house courier stop back on a route (default: the next courier day)."""
    with open_services(load_settings()) as services:
        try:
            done = services.redelivery.reattempt(
                order_id=order_id,
                by=cli_actor(by, role, reason),
                date=date.date() if date else None,
                connector=connector,
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    line = {"order_id": done.order_id, "status": done.status.value}
    typer.echo(json.dumps({**line, "delivery_date": done.delivery_date.isoformat()}))


@app.command("reship")
def reship(
    order_id: str,
    *,
    by: By,
    role: RoleOpt,
    reason: Reason,
    account: Annotated[str | None, typer.Option(help="Carrier account")] = None,
    service: Annotated[str | None, typer.Option(help="Service")] = None,
    connector: Connector = None,
) -> None:
    """Void the old label when it can be (else keep it as history) and buy again."""
    with open_services(load_settings()) as services:
        try:
            row = services.redelivery.reship(
                order_id=order_id,
                by=cli_actor(by, role, reason),
                account=account,
                service=service,
                connector=connector,
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps({"order_id": row.order_id, "shipment": row.key, "state": row.state}))


@app.command("disposition")
def disposition(
    order_id: str,
    choice: Annotated[Disposition, typer.Argument(help="release, quarantine or destroy_reship")],
    *,
    by: By,
    role: RoleOpt,
    reason: Reason,
    note: Annotated[str, typer.Option(help="The pharmacist's note (stored encrypted)")],
    connector: Connector = None,
) -> None:
    """Record the pharmacist's disposition of the order's temperature excursion."""
    with open_services(load_settings()) as services:
        try:
            done = services.redelivery.dispose(
                order_id=order_id,
                disposition=choice,
                note=note,
                by=cli_actor(by, role, reason),
                connector=connector,
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    line = {"order_id": order_id, "disposition": done.disposition, "status": done.status}
    typer.echo(json.dumps({**line, "reship": done.reship.key if done.reship else None}))

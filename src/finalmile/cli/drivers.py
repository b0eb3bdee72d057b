"""``finalmile drivers``: courier drivers, their API tokens, and their stops."""

from __future__ import annotations

from typing import Annotated

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.courier import assignments, drivers
from finalmile.db import transaction
from finalmile.errors import FinalmileError

app = typer.Typer(
    help="Courier drivers (tokens are stored hashed and shown once) and stop assignment.",
    no_args_is_help=True,
)
ACTOR = "cli"


@app.command("create")
def create(
    driver_id: str,
    name: Annotated[str, typer.Option(help="The driver's printed name")],
) -> None:
    """Register a driver (DRIVER_ID as in route plans) and print their token once."""
    with open_services(load_settings()) as services:
        try:
            with transaction(services.sessions) as session:
                issued = drivers.create_driver(
                    session=session, driver_id=driver_id, name=name, actor=ACTOR
                )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(issued.token)


@app.command("token")
def token(driver_id: str) -> None:
    """Issue a new token for a driver (the old one stops working) and print it once."""
    with open_services(load_settings()) as services:
        try:
            with transaction(services.sessions) as session:
                issued = drivers.rotate_token(session=session, driver_id=driver_id, actor=ACTOR)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(issued.token)


@app.command("revoke")
def revoke(driver_id: str) -> None:
    """Revoke a driver's token."""
    with open_services(load_settings()) as services:
        try:
            with transaction(services.sessions) as session:
                revoked = drivers.revoke_driver(session=session, driver_id=driver_id, actor=ACTOR)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(f"revoked {driver_id}" if revoked else f"{driver_id} was already revoked")


@app.command("list")
def list_() -> None:
    """Drivers: id, token prefix, created, revoked."""
    with open_services(load_settings()) as services, services.sessions() as session:
        for driver in drivers.list_drivers(session=session):
            revoked = driver.revoked_at.isoformat() if driver.revoked_at else "-"
            created = driver.created_at.isoformat()
            typer.echo(f"{driver.driver_id}\t{driver.token_prefix}\t{created}\t{revoked}")


@app.command("assign")
def assign(
    driver_id: Annotated[str | None, typer.Argument(help="The driver (not with --plan)")] = None,
    order_ids: Annotated[list[str] | None, typer.Argument(help="Orders to give them")] = None,
    plan: Annotated[
        int | None, typer.Option(help="Assign every routed stop of this stored route plan")
    ] = None,
    connector: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Give orders' courier shipments to a driver (all or none), or a whole route plan to its
    drivers; a re-plan searching meanwhile leaves the stops with the drivers given here."""
    with open_services(load_settings()) as services:
        try:
            with transaction(services.sessions) as session:
                if plan is not None:
                    count, problems = assignments.assign_plan(
                        session=session, plan_id=plan, actor=ACTOR
                    )
                else:
                    if driver_id is None or not order_ids:
                        raise fail("name a driver and orders, or use --plan")
                    assignments.assign_orders(
                        session=session,
                        driver_id=driver_id,
                        order_ids=order_ids,
                        connector=connector,
                        actor=ACTOR,
                    )
                    count, problems = len(order_ids), []
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    for problem in problems:
        typer.echo(f"not assigned: {problem}", err=True)
    typer.echo(f"assigned {count} stop(s)")
    raise typer.Exit(3 if problems else 0)

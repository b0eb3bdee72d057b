"""``finalmile users``: console users, their passwords, and who viewed which patient."""

from __future__ import annotations

from typing import Annotated

import typer

from finalmile.auth import Role
from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import FinalmileError
from finalmile.users import create_user, list_users, patient_views, reset_password

app = typer.Typer(help="Console users (passwords stored as scrypt hashes).", no_args_is_help=True)


@app.command("create")
def create(
    name: str,
    role: Annotated[list[Role], typer.Option("--role", "-r", help="Repeat for several roles")],
) -> None:
    """Create a console user and print a one-time password (shown once)."""
    with open_services(load_settings()) as services, services.sessions() as session:
        try:
            with session.begin():
                password = create_user(session=session, name=name, roles=role, actor="cli")
        except FinalmileError as error:
            fail(str(error))
    typer.echo(f"{name}: {password}")


@app.command("reset-password")
def reset(name: str) -> None:
    """Print a new one-time password for NAME (unlocks it and ends its sessions)."""
    with open_services(load_settings()) as services, services.sessions() as session:
        try:
            with session.begin():
                password = reset_password(session=session, name=name, actor="cli")
        except FinalmileError as error:
            fail(str(error))
    typer.echo(f"{name}: {password}")


@app.command("list")
def list_() -> None:
    """Users: name, roles, last sign-in, locked until."""
    with open_services(load_settings()) as services, services.sessions() as session:
        for user in list_users(session=session):
            signed = user.last_sign_in_at.isoformat() if user.last_sign_in_at else "-"
            locked = user.locked_until.isoformat() if user.locked_until else "-"
            typer.echo(f"{user.name}\t{user.roles}\t{signed}\t{locked}")


@app.command("access-log")
def access_log(
    order: Annotated[str | None, typer.Option(help="Only views of this order id")] = None,
    user: Annotated[str | None, typer.Option(help="Only views by this user")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    """Who viewed which patient's details, and when (newest first)."""
    with open_services(load_settings()) as services, services.sessions() as session:
        for view in patient_views(session=session, order_id=order, user_name=user, limit=limit):
            typer.echo(f"{view.at.isoformat()}\t{view.user_name}\t{view.order_id}\t{view.page}")

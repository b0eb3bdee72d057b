"""``finalmile keys``: API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from finalmile.auth import Role, Scope, create_key, list_keys, revoke_key
from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail

app = typer.Typer(
    help="API keys (stored hashed; a key is shown once, when created).", no_args_is_help=True
)


@app.command("create")
def create(
    scope: Annotated[list[Scope], typer.Option("--scope", "-s", help="Repeat for several scopes")],
    name: Annotated[str, typer.Option(help="Who or what the key is for")] = "unnamed",
    role: Annotated[
        list[Role] | None,
        typer.Option("--role", "-r", help="The holder's role; repeat for several"),
    ] = None,
) -> None:
    """Create a key and print it once."""
    with (
        open_services(load_settings()) as services,
        services.sessions() as session,
        session.begin(),
    ):
        issued = create_key(session=session, name=name, scopes=scope, roles=role or ())
    typer.echo(issued.token)


@app.command("list")
def list_() -> None:
    """List keys: prefix, name, scopes, roles, created, revoked."""
    with open_services(load_settings()) as services, services.sessions() as session:
        for key in list_keys(session=session):
            revoked = key.revoked_at.isoformat() if key.revoked_at else "-"
            typer.echo(
                f"{key.prefix}\t{key.name}\t{key.scopes}\t{key.roles or '-'}\t"
                f"{key.created_at.isoformat()}\t{revoked}"
            )


@app.command("revoke")
def revoke(prefix: str) -> None:
    """Revoke the key whose prefix (the part after ``fm_``) is PREFIX."""
    with (
        open_services(load_settings()) as services,
        services.sessions() as session,
        session.begin(),
    ):
        if not revoke_key(session=session, prefix=prefix):
            raise fail(f"no live key with prefix {prefix}")
    typer.echo(f"revoked {prefix}")

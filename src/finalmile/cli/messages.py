"""``finalmile messages``: the inbound message store."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from finalmile.adapters.hl7v2 import check_structure, decode
from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import FinalmileError, InputError
from finalmile.messages import (
    MessageFlag,
    MessageStatus,
    count_messages,
    get_message,
    linked_orders,
    list_messages,
)

app = typer.Typer(help="Stored inbound messages: list, show, replay, check.", no_args_is_help=True)


@app.command("list")
def list_(
    status: Annotated[
        MessageStatus | None, typer.Option(help="Only messages with this status")
    ] = None,
    connector: Annotated[str | None, typer.Option(help="Only this connector")] = None,
    flag: Annotated[
        MessageFlag | None,
        typer.Option(help="Only messages with this flag (reused_id: a sender reused an id)"),
    ] = None,
    count: Annotated[
        bool, typer.Option("--count", help="Print only how many messages match")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
) -> None:
    """The newest messages: id, received, connector, type, control id, status, error location,
    flag."""
    with open_services(load_settings()) as services, services.sessions() as session:
        if count:
            typer.echo(
                count_messages(session=session, status=status, connector=connector, flag=flag)
            )
            return
        rows = list_messages(
            session=session, status=status, connector=connector, flag=flag, limit=limit
        )
        for row in rows:
            where = f"{row.error_location or ''} {row.error_code or ''}".strip()
            typer.echo(
                f"{row.id}\t{row.received_at.isoformat()}\t{row.connector}\t"
                f"{row.message_type or '-'}\t"
                f"{row.control_id or '-'}\t{row.status}\t{where or '-'}\t{row.flag or '-'}"
            )


@app.command("show")
def show(
    message_id: int,
    raw: Annotated[
        bool, typer.Option("--raw", help="Also print the raw message (patient data!)")
    ] = False,
) -> None:
    """One message as JSON: metadata, outcome, linked orders; with --raw its content."""
    with open_services(load_settings()) as services, services.sessions() as session:
        try:
            row = get_message(session=session, message_id=message_id)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
        data = row.model_dump(mode="json", exclude={"raw_encrypted", "dedupe_key", "content_key"})
        data["orders"] = [vars(o) for o in linked_orders(session=session, message_id=message_id)]
        if raw:
            data["raw"] = _text(services.vault.decrypt(row.raw_encrypted))
    typer.echo(json.dumps(data, indent=2))


@app.command("replay")
def replay(message_id: int) -> None:
    """Process a stored message again, e.g. after a profile fix. Exit 1 if it is rejected again."""
    with open_services(load_settings()) as services:
        try:
            outcome = services.intake.replay(message_id)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    line: dict[str, object] = {
        "message_id": message_id,
        "status": outcome.kind.value,
        "orders": list(outcome.order_ids),
    }
    if outcome.error is not None:
        line.update(
            location=outcome.error.location, code=outcome.error.code, error=outcome.error.message
        )
        raise fail(json.dumps(line))
    typer.echo(json.dumps(line))


@app.command("check")
def check(message_id: int) -> None:
    """Check a stored message's structure against its HL7 version (slow, thorough; diagnostics)."""
    with open_services(load_settings()) as services, services.sessions() as session:
        try:
            row = get_message(session=session, message_id=message_id)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
        text = _text(services.vault.decrypt(row.raw_encrypted))
    problems = check_structure(text)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo("structure ok")


def _text(raw: bytes) -> str:
    try:
        return decode(raw)
    except InputError:
        return raw.decode("latin-1")

"""``finalmile exceptions``: the queue of orders that need a person, and the actions on them.

Actions run with database access (a trusted operator): each takes ``--by NAME`` (recorded as
``cli:NAME``), ``--role`` (checked against the role matrix and recorded) and ``--reason``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from finalmile.auth import Role
from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import FinalmileError
from finalmile.exceptions import Action, ExceptionKind, QueueFilter, check_role, cli_actor
from finalmile.exceptions import exception_out as to_out
from finalmile.tracking import Obtained, ReceiptRecord, Relationship

app = typer.Typer(
    help="Orders that need a person: list them, and act (resolve a hold, cancel, ...).",
    no_args_is_help=True,
)
ById = Annotated[str, typer.Option("--by", help="Who acts (recorded as cli:NAME)")]
RoleOpt = Annotated[Role, typer.Option("--role", help="The role acted in (checked)")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why, in plain words (no patient data)")]
ConnectorOpt = Annotated[str | None, typer.Option(help="The order's connector, when ambiguous")]


@app.command("list")
def list_(
    *,
    kind: Annotated[list[ExceptionKind] | None, typer.Option(help="Repeat for several")] = None,
    site: Annotated[str | None, typer.Option(help="Only orders of this site")] = None,
    resolved: Annotated[bool, typer.Option(help="Resolved rows instead of open")] = False,
    order: Annotated[str | None, typer.Option(help="Only this order id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """Open (or resolved) exceptions, newest first: id, kind, order, since, reason, actions."""
    which = QueueFilter(kinds=kind or (), site=site, resolved=resolved, order_id=order)
    with open_services(load_settings()) as services:
        queue = services.exceptions
        queue.refresh()
        with services.sessions() as session:
            rows = queue.page(session, which, limit=limit)
            items = [to_out(row, o, queue.site_of(o.connector)) for row, o in rows]
    for item in items:
        if as_json:
            typer.echo(item.model_dump_json())
        else:
            acts = ",".join(a.name for a in item.actions) or "-"
            typer.echo(
                f"{item.id}\t{item.kind.value}\t{item.order_id}\t{item.since.isoformat()}\t"
                f"{item.reason}\t{acts}"
            )


@app.command("resolve-hold")
def resolve_hold(
    order_id: str,
    option: str,
    *,
    by: ById,
    role: RoleOpt,
    reason: ReasonOpt,
    connector: ConnectorOpt = None,
) -> None:
    """Choose one of the options a held order's decision lists."""
    with open_services(load_settings()) as services:
        try:
            decision_id = services.actions.resolve_hold(
                order_id=order_id,
                connector=connector,
                option=option,
                actor=cli_actor(by, role, reason),
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps({"order_id": order_id, "decision_id": decision_id}))


@app.command("redecide")
def redecide(
    order_id: str, by: ById, role: RoleOpt, reason: ReasonOpt, connector: ConnectorOpt = None
) -> None:
    """Decide a received, held or ready order again (after a fix)."""
    actor = cli_actor(by, role, reason)
    with open_services(load_settings()) as services:
        try:
            check_role(Action.REDECIDE, role)
            stored = services.decider.decide_order(
                order_id=order_id,
                connector=connector,
                actor=actor.name,
                why={"role": role.value, "reason": reason},
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps({**stored.decision, "decision_id": stored.row.id}))


@app.command("cancel")
def cancel(
    order_id: str, by: ById, role: RoleOpt, reason: ReasonOpt, connector: ConnectorOpt = None
) -> None:
    """Cancel the order, tell the PMS and void its live label where possible."""
    with open_services(load_settings()) as services:
        try:
            done = services.actions.cancel(
                order_id=order_id, connector=connector, actor=cli_actor(by, role, reason)
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps(done.__dict__))


@app.command("complete-pod")
def complete_pod(
    order_id: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="PNG, JPEG or PDF")],
    *,
    recipient: Annotated[str, typer.Option(help="Who received it, per the record")],
    relationship: Annotated[Relationship, typer.Option(help="The recipient's relationship")],
    received_at: Annotated[dt.datetime, typer.Option(help="When it was received (ISO 8601)")],
    obtained: Annotated[Obtained, typer.Option(help="paper or phone")],
    by: ById,
    role: RoleOpt,
    reason: ReasonOpt,
    connector: ConnectorOpt = None,
) -> None:
    """Complete a delivered order's POD from a paper or phone record with its attachment."""
    when = received_at if received_at.tzinfo else received_at.replace(tzinfo=dt.UTC)
    record = ReceiptRecord(recipient, relationship, when, obtained)
    with open_services(load_settings()) as services:
        content = file.read_bytes()
        try:
            services.actions.complete_pod(
                order_id=order_id,
                connector=connector,
                record=record,
                attachment=content,
                actor=cli_actor(by, role, reason),
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps({"order_id": order_id, "pod": "complete"}))


@app.command("replay-writeback")
def replay_writeback(
    order_id: str, by: ById, role: RoleOpt, reason: ReasonOpt, connector: ConnectorOpt = None
) -> None:
    """Send the order's dead-lettered write-backs again (fresh budget)."""
    with open_services(load_settings()) as services:
        try:
            ids = services.actions.replay_writebacks(
                order_id=order_id, connector=connector, actor=cli_actor(by, role, reason)
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps({"order_id": order_id, "outbox_ids": ids}))

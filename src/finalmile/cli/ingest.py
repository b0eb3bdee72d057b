"""``finalmile ingest FILE``: read messages from a file into finalmile (or just show them)."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from finalmile.adapters.hl7v2.batch import split_messages
from finalmile.cli.context import fail, load_settings, open_services
from finalmile.db_types import utcnow
from finalmile.errors import InputError
from finalmile.intake.outcome import OutcomeKind
from finalmile.intake.prepare import prepare_hl7
from finalmile.mapping.hl7v2 import Hl7Profile
from finalmile.mapping.intent import OrderAction


class InputFormat(enum.StrEnum):
    """File formats ``ingest`` reads."""

    HL7 = "hl7"


EXIT_REJECTED = 1
EXIT_RETRY = 3


def ingest(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File to read")
    ],
    format_: Annotated[
        InputFormat, typer.Option("--format", "-f", help="Format of FILE")
    ] = InputFormat.HL7,
    connector: Annotated[
        str | None, typer.Option(help="Connector profile [default: the default connector]")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the orders as JSON lines; store nothing")
    ] = False,
) -> None:
    """Ingest every message in FILE. Exit 0 when all are accepted, 1 when any is rejected.

    With --dry-run each resulting order is printed on stdout as one JSON line in the canonical
    contract form, and each rejection on stderr; nothing is stored.
    """
    settings = load_settings()
    name = connector or settings.connector
    raws = split_messages(file.read_bytes())
    if not raws:
        raise fail(f"{file}: no HL7 v2 message found (each message starts with an MSH segment)")
    if dry_run:
        profile = Hl7Profile(timezone=settings.timezone)
        raise typer.Exit(_dry_run(raws, connector=name, profile=profile))
    with open_services(settings) as services:
        outcomes = services.intake.ingest_hl7(raws, connector=name)
    status = 0
    for number, outcome in enumerate(outcomes, start=1):
        line = {"message": number, "message_id": outcome.message_id, "status": outcome.kind.value}
        if outcome.kind is OutcomeKind.RETRY:
            status = max(status, EXIT_RETRY)
            print(json.dumps({**line, "reason": outcome.retry_reason}), file=sys.stderr)
        elif outcome.error is not None:
            status = max(status, EXIT_REJECTED)
            print(json.dumps({**line, **_error(outcome.error)}), file=sys.stderr)
        else:
            print(
                json.dumps(
                    {
                        **line,
                        "orders": list(outcome.order_ids),
                        "duplicate_of": outcome.duplicate_of,
                    }
                )
            )
    raise typer.Exit(status)


def _dry_run(raws: list[bytes], *, connector: str, profile: Hl7Profile) -> int:
    status = 0
    for number, raw in enumerate(raws, start=1):
        prepared = prepare_hl7(raw, connector=connector, profile=profile, received_at=utcnow())
        if prepared.error is not None:
            status = EXIT_REJECTED
            line = {"message": number, "control_id": prepared.control_id, **_error(prepared.error)}
            print(json.dumps(line), file=sys.stderr)
            continue
        for intent in prepared.intents:
            if intent.action is OrderAction.CANCEL or intent.order is None:
                print(
                    json.dumps(
                        {"message": number, "order_id": intent.order_id, "action": "cancel"}
                    ),
                    file=sys.stderr,
                )
            else:
                print(json.dumps(intent.order.to_contract()))
    return status


def _error(error: InputError) -> dict[str, object]:
    return {"location": error.location, "code": error.code, "error": error.message}

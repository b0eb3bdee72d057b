"""``finalmile ingest FILE --format hl7|fhir|csv``: read a file into finalmile (or just show it).

HL7 files may hold several messages (one MSH each, optionally in FHS/BHS batches); a FHIR file
holds one Bundle or MedicationDispense; a CSV file is read under the connector's CSV profile.
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from finalmile.adapters.hl7v2 import split_messages
from finalmile.cli.context import connectors, load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.db_types import utcnow
from finalmile.errors import InputError, NotFoundError
from finalmile.intake import (
    CsvMessage,
    Outcome,
    OutcomeKind,
    PreparedMessage,
    prepare_csv,
    prepare_fhir,
    prepare_hl7,
)
from finalmile.mapping import OrderAction
from finalmile.profiles import ConnectorRegistry


class InputFormat(enum.StrEnum):
    """File formats ``ingest`` reads."""

    HL7 = "hl7"
    FHIR = "fhir"
    CSV = "csv"


_SECTIONS = {InputFormat.HL7: "hl7v2", InputFormat.FHIR: "fhir", InputFormat.CSV: "csv"}
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
    """Ingest FILE. Exit 0 when everything is accepted, 1 when anything is rejected.

    With --dry-run each resulting order is printed on stdout as one JSON line in the canonical
    contract form, and each rejection (with its HL7 field, FHIR path or CSV line and column) on
    stderr; nothing is stored.
    """
    settings = load_settings()
    name = connector or settings.connector
    registry = connectors(settings)
    try:
        registry.require(name, _SECTIONS[format_])
    except (InputError, NotFoundError) as exc:
        raise fail(str(exc), code=2) from None
    if dry_run:
        raise typer.Exit(dry_run_file(file, format_, connector=name, registry=registry))
    raws = _hl7_messages(file) if format_ is InputFormat.HL7 else []
    with open_services(settings) as services:
        if format_ is InputFormat.CSV:
            with file.open("rb") as stream:
                summary = services.files.ingest_csv(
                    stream, connector=name, name=file.name, on_result=_print_csv_result
                )
            if summary.already_processed:
                print(json.dumps({"file_id": summary.file_id, "status": "already_processed"}))
            if summary.error is not None:
                print(json.dumps({"file": file.name, **_error(summary.error)}), file=sys.stderr)
            raise typer.Exit(
                EXIT_RETRY if summary.retry else (0 if summary.clean else EXIT_REJECTED)
            )
        if format_ is InputFormat.FHIR:
            outcomes = services.intake.ingest_fhir([file.read_bytes()], connector=name)
        else:
            outcomes = services.intake.ingest_hl7(raws, connector=name)
    raise typer.Exit(_print_outcomes(outcomes))


def dry_run_file(
    path: Path, format_: InputFormat, *, connector: str, registry: ConnectorRegistry
) -> int:
    """Print what FILE becomes under ``connector``'s profile; the exit status."""
    received_at = utcnow()
    if format_ is InputFormat.CSV:
        return _dry_run_csv(path, connector=connector, registry=registry)
    if format_ is InputFormat.FHIR:
        profile = registry.fhir(connector)
        messages: Iterable[PreparedMessage] = [
            prepare_fhir(
                path.read_bytes(), connector=connector, profile=profile, received_at=received_at
            )
        ]
    else:
        hl7 = registry.hl7(connector)
        messages = (
            prepare_hl7(raw, connector=connector, profile=hl7, received_at=received_at)
            for raw in _hl7_messages(path)
        )
    status = 0
    for number, prepared in enumerate(messages, start=1):
        if prepared.error is not None:
            status = EXIT_REJECTED
            line = {"message": number, "control_id": prepared.control_id, **_error(prepared.error)}
            print(json.dumps(line), file=sys.stderr)
            continue
        for intent in prepared.intents:
            if intent.action is OrderAction.CANCEL or intent.order is None:
                cancel = {"message": number, "order_id": intent.order_id, "action": "cancel"}
                print(json.dumps(cancel), file=sys.stderr)
            else:
                print(json.dumps(intent.order.to_contract()))
    return status


def _dry_run_csv(path: Path, *, connector: str, registry: ConnectorRegistry) -> int:
    profile = registry.csv(connector)
    status = 0
    with path.open("rb") as stream:
        try:
            for message in prepare_csv(
                stream,
                connector=connector,
                profile=profile,
                received_at=utcnow(),
                source="dry-run",
            ):
                if _print_csv_message(message):
                    status = EXIT_REJECTED
        except InputError as exc:
            print(json.dumps({"file": path.name, **_error(exc)}), file=sys.stderr)
            status = EXIT_REJECTED
    return status


def _print_csv_message(message: CsvMessage) -> bool:
    """Print an accepted order on stdout or its rejected rows on stderr; True if rejected."""
    for row in message.rejections:
        print(
            json.dumps({"line": row.line, "order_id": row.order_id, **_error(row.error)}),
            file=sys.stderr,
        )
    prepared = message.prepared
    if prepared.error is not None and not message.rejections:
        print(
            json.dumps({"control_id": prepared.control_id, **_error(prepared.error)}),
            file=sys.stderr,
        )
    for intent in prepared.intents:
        if intent.order is not None:
            print(json.dumps(intent.order.to_contract()))
    return prepared.error is not None


def _print_csv_result(message: CsvMessage, outcome: Outcome) -> None:
    if message.rejections:
        for row in message.rejections:
            line = {"line": row.line, "order_id": row.order_id, "message_id": outcome.message_id}
            print(json.dumps({**line, **_error(row.error)}), file=sys.stderr)
        return
    _print_outcomes([outcome], label=message.prepared.control_id)


def _print_outcomes(outcomes: Iterable[Outcome], label: str | None = None) -> int:
    status = 0
    for number, outcome in enumerate(outcomes, start=1):
        line: dict[str, Any] = {
            "message": label or number,
            "message_id": outcome.message_id,
            "status": outcome.kind.value,
        }
        if outcome.kind is OutcomeKind.RETRY:
            status = max(status, EXIT_RETRY)
            print(json.dumps({**line, "reason": outcome.retry_reason}), file=sys.stderr)
        elif outcome.error is not None:
            status = max(status, EXIT_REJECTED)
            print(json.dumps({**line, **_error(outcome.error)}), file=sys.stderr)
        else:
            line |= {"orders": list(outcome.order_ids), "duplicate_of": outcome.duplicate_of}
            print(json.dumps(line))
    return status


def _hl7_messages(path: Path) -> list[bytes]:
    """The messages of an HL7 file; a file that is not HL7 v2 is reported and exits 1."""
    try:
        return split_messages(path.read_bytes())
    except InputError as exc:
        raise fail(json.dumps({"file": path.name, **_error(exc)}), code=EXIT_REJECTED) from None


def _error(error: InputError) -> dict[str, object]:
    return {"location": error.location, "code": error.code, "error": error.message}

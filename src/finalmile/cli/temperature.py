"""``finalmile temperature``: import a logger export for an order, show, evaluate again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import FinalmileError
from finalmile.evidence.temperature import (
    DEFAULT_LAYOUT,
    ReadOptions,
    StoredLog,
    TemperatureFileError,
    Unit,
    Upload,
)

app = typer.Typer(help="Temperature logs: import, show, evaluate.", no_args_is_help=True)
Connector = Annotated[str | None, typer.Option(help="Connector, when the order id is ambiguous")]


@app.command("import")
def import_(
    order_id: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Logger export")],
    *,
    layout: Annotated[str, typer.Option(help="Export layout")] = DEFAULT_LAYOUT,
    unit: Annotated[Unit | None, typer.Option(help="C or F, when the export does not say")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="IANA zone of times without an offset (default: the site's)")
    ] = None,
    logger_id: Annotated[
        str | None, typer.Option(help="Logger serial, if not in the export")
    ] = None,
    interval: Annotated[
        float | None, typer.Option(help="Logging interval in seconds (default: from the export)")
    ] = None,
    package: Annotated[str | None, typer.Option(help="Package label")] = None,
    actor: Annotated[str, typer.Option(help="Recorded in the audit trail")] = "cli",
    connector: Connector = None,
) -> None:
    """Store a logger export for an order and print its verdict. Bad rows: exit 1, each on
    stderr as JSON with its line and column."""
    settings = load_settings()
    try:
        zone = ZoneInfo(timezone or settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"unknown time zone {timezone!r}", 2) from None
    options = ReadOptions(
        zone=zone,
        unit=unit,
        logger_id=logger_id,
        interval=dt.timedelta(seconds=interval) if interval else None,
    )
    upload = Upload(content=file.read_bytes(), layout=layout, options=options, package=package)
    with open_services(settings) as services:
        try:
            stored = services.temperature.import_log(
                order_id=order_id, connector=connector, upload=upload, actor=actor
            )
        except TemperatureFileError as exc:
            for problem in exc.problems:
                typer.echo(
                    json.dumps(
                        {
                            "file": str(file),
                            "line": problem.line,
                            "column": problem.column,
                            "error": problem.message,
                        }
                    ),
                    err=True,
                )
            raise typer.Exit(1) from None
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps(_line(stored)))


@app.command("show")
def show(
    order_id: str,
    readings: Annotated[bool, typer.Option(help="Also print every reading")] = False,
    connector: Connector = None,
) -> None:
    """The order's verdict, then one JSON line per log (and its readings when asked)."""
    with open_services(load_settings()) as services:
        service = services.temperature
        try:
            record = service.for_order(order_id=order_id, connector=connector)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
        verdict = record.verdict.value if record.verdict else None
        typer.echo(json.dumps({"order_id": order_id, "verdict": verdict}))
        for stored in record.logs:
            typer.echo(json.dumps(_line(stored)))
            if readings:
                for reading in service.readings(stored.row):
                    typer.echo(f"{reading.at.isoformat()},{reading.celsius:.3f}")


@app.command("evaluate")
def evaluate(
    order_id: str,
    actor: Annotated[str, typer.Option(help="Recorded in the audit trail")] = "cli",
    connector: Connector = None,
) -> None:
    """Judge the order's logs again with today's limits and trip times (after delivery)."""
    with open_services(load_settings()) as services:
        try:
            record = services.temperature.evaluate_order(
                order_id=order_id, connector=connector, actor=actor
            )
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    verdict = record.verdict.value if record.verdict else None
    typer.echo(json.dumps({"order_id": order_id, "verdict": verdict}))
    for stored in record.logs:
        typer.echo(json.dumps(_line(stored)))


def _line(stored: StoredLog) -> dict[str, Any]:
    row, evaluation = stored.row, stored.evaluation
    return {
        "log_id": row.id,
        "created": stored.created,
        "logger_id": row.logger_id,
        "layout": row.layout,
        "readings": row.reading_count,
        "verdict": evaluation.verdict.value,
        "reasons": evaluation.reasons,
        "mkt_celsius": evaluation.summary.get("mkt_celsius"),
    }

"""``finalmile decide FILE``: how each order in a file would travel, as JSON lines.

Nothing is stored. Orders are read with the same pure mappings intake uses (HL7 v2, FHIR R4, CSV);
quotes come from the site's offline rate card.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from finalmile.adapters.hl7v2.batch import split_messages
from finalmile.cli.context import fail, load_settings
from finalmile.config.settings import Settings
from finalmile.db_types import utcnow
from finalmile.errors import ConfigError, InputError
from finalmile.intake.prepare import prepare_hl7
from finalmile.mapping.csv import CsvOrder, CsvProfile, iter_orders
from finalmile.mapping.fhir import FhirProfile, map_fhir
from finalmile.mapping.hl7v2 import Hl7Profile, OrderAction, OrderIntent
from finalmile.orders.canonical import DispatchOrder
from finalmile.rules import RateCardSource, RuleSet, Site, decide, load_catalog, load_rule_set

EXIT_REJECTED = 1
EXIT_CONFIG = 2


class OrderFormat(enum.StrEnum):
    """File formats orders can be read from."""

    HL7 = "hl7"
    FHIR = "fhir"
    CSV = "csv"


FileArgument = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File of orders")
]
FormatOption = Annotated[OrderFormat, typer.Option("--format", "-f", help="Format of the file")]
ConnectorOption = Annotated[
    str | None, typer.Option(help="Connector profile [default: the default connector]")
]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="Decide as if it were this ISO 8601 time [default: now]"),
]
SiteOption = Annotated[
    str | None, typer.Option("--site", help="Dispensing site [default: the connector's site]")
]


def decide_file(
    file: FileArgument,
    *,
    format_: FormatOption = OrderFormat.HL7,
    connector: ConnectorOption = None,
    at: AtOption = None,
    site: SiteOption = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules", exists=True, dir_okay=False, help="Rule file [default: the site's]"
        ),
    ] = None,
) -> None:
    """Print one JSON line per order: delivery type, carrier, service, arrival, cost, reasons.

    Orders that cannot be read are reported on stderr (exit 1); nothing is stored.
    """
    settings = load_settings()
    name = connector or settings.connector
    where = open_site(settings, site=site, connector=name)
    if rules is not None:
        where = where.with_rules(load_rule_file(rules))
    now = decision_time(at, where)
    source = RateCardSource()
    status = 0
    for item in read_orders(file, format_, connector=name, settings=settings):
        if isinstance(item, InputError):
            status = EXIT_REJECTED
            print(json.dumps(_error(item)), file=sys.stderr)
            continue
        decision = decide(item, where, source.quotes(item, where, now), now)
        print(json.dumps(decision.summary()))
    raise typer.Exit(status)


def load_rule_file(path: Path) -> RuleSet:
    """A rule file, validated; exits 1 listing every error with its line."""
    try:
        return load_rule_set(path.read_text(encoding="utf-8"), source=str(path))
    except ConfigError as exc:
        raise fail(str(exc), EXIT_REJECTED) from None


def open_site(settings: Settings, *, site: str | None, connector: str) -> Site:
    """The site under its configured rule set; exits 2 listing every configuration problem."""
    try:
        return load_catalog(settings.config_dir).site(site, connector=connector)
    except ConfigError as exc:
        raise fail(str(exc), EXIT_CONFIG) from None


def decision_time(at: str | None, site: Site) -> dt.datetime:
    """``--at`` (a time without offset is the site's local time), else now."""
    if at is None:
        return utcnow()
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        raise fail(f"--at: {at!r} is not an ISO 8601 date and time", EXIT_CONFIG) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=site.zone)


def read_orders(
    file: Path, format_: OrderFormat, *, connector: str, settings: Settings
) -> Iterator[DispatchOrder | InputError]:
    """Every order in ``file``, and an ``InputError`` (with its location) for each bad part."""
    if format_ is OrderFormat.HL7:
        yield from _hl7(file, connector, settings)
    elif format_ is OrderFormat.FHIR:
        yield from _fhir(file, connector, settings)
    else:
        with file.open("rb") as stream:
            profile = CsvProfile(timezone=settings.timezone)
            for result in iter_orders(stream, connector=connector, profile=profile):
                yield result.order if isinstance(result, CsvOrder) else result.error


def _hl7(file: Path, connector: str, settings: Settings) -> Iterator[DispatchOrder | InputError]:
    profile = Hl7Profile(timezone=settings.timezone)
    for number, raw in enumerate(split_messages(file.read_bytes()), start=1):
        prepared = prepare_hl7(raw, connector=connector, profile=profile, received_at=utcnow())
        if prepared.error is not None:
            error = prepared.error
            where = f"message {number}" + (f", {error.location}" if error.location else "")
            yield InputError(error.message, location=where, code=error.code)
            continue
        yield from _upserts(prepared.intents)


def _fhir(file: Path, connector: str, settings: Settings) -> Iterator[DispatchOrder | InputError]:
    try:
        mapping = map_fhir(
            file.read_bytes(), connector=connector, profile=FhirProfile(timezone=settings.timezone)
        )
    except InputError as exc:
        yield exc
        return
    yield from _upserts(mapping.intents)


def _upserts(intents: tuple[OrderIntent, ...] | list[OrderIntent]) -> Iterator[DispatchOrder]:
    # A cancellation needs no delivery decision.
    for intent in intents:
        if intent.action is OrderAction.UPSERT and intent.order is not None:
            yield intent.order


def _error(error: InputError) -> dict[str, object]:
    return {"location": error.location, "code": error.code, "error": error.message}

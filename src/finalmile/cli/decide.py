"""``finalmile decide FILE``: how each order in a file would travel, as JSON lines.

Nothing is stored. Orders are read with the same pure mappings intake uses (HL7 v2, FHIR R4, CSV);
quotes come from the site's offline rate card, or with ``--quotes live`` from the configured
carrier accounts (``FINALMILE_CARRIERS``), as the service decides with ``FINALMILE_QUOTES=live``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from finalmile.adapters.hl7v2 import split_messages
from finalmile.canonical import DispatchOrder
from finalmile.cli.context import connectors, load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.cli.ingest import InputFormat
from finalmile.config import Settings, read_source
from finalmile.db_types import utcnow
from finalmile.errors import ConfigError, InputError, NotFoundError, RetriableError
from finalmile.intake import PreparedMessage, prepare_csv, prepare_fhir, prepare_hl7
from finalmile.mapping import CsvProfile, OrderAction, OrderIntent
from finalmile.rules import (
    QuoteSource,
    RateCardSource,
    RuleSet,
    Site,
    decide,
    load_catalog,
    load_rule_set,
)

EXIT_REJECTED = 1
EXIT_CONFIG = 2


FileArgument = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File of orders")
]
FormatOption = Annotated[InputFormat, typer.Option("--format", "-f", help="Format of the file")]
ConnectorOption = Annotated[
    str | None, typer.Option(help="Connector profile [default: the default connector]")
]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="Decide as if it were this ISO 8601 time [default: now]"),
]


class QuotesFrom(StrEnum):
    """Where ``finalmile decide`` gets carrier rates."""

    RATE_CARD = "rate_card"
    LIVE = "live"


QuotesOption = Annotated[
    QuotesFrom | None,
    typer.Option(
        "--quotes",
        help="rate_card: the site's file; live: the configured carrier accounts "
        "[default: FINALMILE_QUOTES]",
    ),
]
SiteOption = Annotated[
    str | None, typer.Option("--site", help="Dispensing site [default: the connector's site]")
]


def decide_file(
    file: FileArgument,
    *,
    format_: FormatOption = InputFormat.HL7,
    connector: ConnectorOption = None,
    at: AtOption = None,
    site: SiteOption = None,
    quotes: QuotesOption = None,
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
    status = 0
    with ExitStack() as stack:
        source = quote_source(settings, quotes or QuotesFrom(settings.quotes), stack)
        for item in read_orders(file, format_, connector=name, settings=settings):
            if isinstance(item, InputError):
                status = EXIT_REJECTED
                print(json.dumps(_error(item)), file=sys.stderr)
                continue
            try:
                offered = source.quotes(item, where, now)
            except RetriableError as exc:
                raise fail(f"carrier rates are unavailable: {exc}", EXIT_CONFIG) from None
            print(json.dumps(decide(item, where, offered, now).summary()))
    raise typer.Exit(status)


def quote_source(settings: Settings, origin: QuotesFrom, stack: ExitStack) -> QuoteSource:
    """The rate card, or live rates from the configured carrier accounts (whose services stay
    open until ``stack`` closes); exits 2 when live rates have no account to come from."""
    if origin is QuotesFrom.RATE_CARD:
        return RateCardSource()
    try:
        services = stack.enter_context(
            open_services(settings.model_copy(update={"quotes": "live"}))
        )
    except ConfigError as exc:
        raise fail(str(exc), EXIT_CONFIG) from None
    return services.decider.quotes


def load_rule_file(path: Path) -> RuleSet:
    """A rule file, validated; exits 1 listing every error with its line."""
    try:
        return load_rule_set(read_source(path), source=str(path))
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
    file: Path, format_: InputFormat, *, connector: str, settings: Settings
) -> Iterator[DispatchOrder | InputError]:
    """Every order in ``file`` under ``connector``'s profile, and an ``InputError`` (with its
    HL7 field, FHIR path or CSV line) for each part that cannot be read. Exits 2 when the
    connector does not exist or does not take this format."""
    registry = connectors(settings)
    try:
        if format_ is InputFormat.CSV:
            return _csv(file, connector, registry.csv(connector))
        if format_ is InputFormat.FHIR:
            profile = registry.fhir(connector)
            raws = [file.read_bytes()]
            return _messages(
                raws,
                lambda raw, now: prepare_fhir(
                    raw, connector=connector, profile=profile, received_at=now
                ),
            )
        hl7 = registry.hl7(connector)
        try:
            raws = split_messages(file.read_bytes())
        except InputError as exc:  # not HL7 v2 at all: reported like an unreadable order
            return iter([exc])
        return _messages(
            raws,
            lambda raw, now: prepare_hl7(raw, connector=connector, profile=hl7, received_at=now),
        )
    except (InputError, NotFoundError) as exc:
        raise fail(str(exc), EXIT_CONFIG) from None


def _messages(
    raws: list[bytes], prepare: Callable[[bytes, dt.datetime], PreparedMessage]
) -> Iterator[DispatchOrder | InputError]:
    for number, raw in enumerate(raws, start=1):
        prepared = prepare(raw, utcnow())
        if prepared.error is not None:
            error = prepared.error
            where = f"message {number}" + (f", {error.location}" if error.location else "")
            yield InputError(error.message, location=where, code=error.code)
        else:
            yield from _upserts(prepared.intents)


def _csv(file: Path, connector: str, profile: CsvProfile) -> Iterator[DispatchOrder | InputError]:
    with file.open("rb") as stream:
        try:
            for message in prepare_csv(
                stream,
                connector=connector,
                profile=profile,
                received_at=utcnow(),
                source="decide",  # nothing is stored: control ids are not shown
            ):
                yield from (row.error for row in message.rejections)
                if message.prepared.error is not None and not message.rejections:
                    yield message.prepared.error
                yield from _upserts(message.prepared.intents)
        except InputError as exc:  # the file as a whole (header, encoding)
            yield exc


def _upserts(intents: Iterable[OrderIntent]) -> Iterator[DispatchOrder]:
    # A cancellation needs no delivery decision.
    for intent in intents:
        if intent.action is OrderAction.UPSERT and intent.order is not None:
            yield intent.order


def _error(error: InputError) -> dict[str, object]:
    return {"location": error.location, "code": error.code, "error": error.message}

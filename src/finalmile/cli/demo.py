"""``finalmile demo``: sample orders and an API key, so a first ``make run`` shows real data."""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import func, select
from sqlmodel import col

from finalmile.adapters.hl7v2 import read_header
from finalmile.app import Services
from finalmile.auth import Role, Scope, authenticate, create_key
from finalmile.cli.context import load_settings, open_services
from finalmile.config import days_since_samples, redate
from finalmile.db_types import utcnow
from finalmile.errors import AuthError, FinalmileError
from finalmile.intake import prepare_fhir
from finalmile.items import parse_item_yaml
from finalmile.messages import InboundMessage
from finalmile.orders import Order
from finalmile.rules import DecisionRecord, DeliveryType, current_decision
from finalmile.shipments import ShipmentState
from finalmile.users import create_user, list_users, password_matches, reset_password

DEMO_PACKAGE = "finalmile.config.defaults"
#: The order ``make run`` follows to delivered and billed: far outside the courier radius, so the
#: rules engine sends it by national carrier, and dispatch buys the label its decision names.
DEMO_CARRIER_ORDER = "DEMO-RX-011"
#: Where the demo's admin API key is kept (in the data directory, beside the database it opens).
DEMO_KEY_FILE = "demo-api-key"
#: Where the demo console users' passwords are kept ("name password" per line, owner-only).
DEMO_USERS_FILE = "demo-console-users"
#: The demo pharmacy's item master, imported for every site before the samples are stored.
DEMO_ITEM_MASTER = "item_master.yaml"


def demo_messages(suffix: str, *, days: int) -> list[bytes]:
    """Bundled synthetic samples (synthetic patients only) ending in ``suffix``, in name order,
    with their dates moved ``days`` days forward (``demo_dates``)."""
    folder = resources.files(DEMO_PACKAGE).joinpath("demo")
    return [
        redate(entry.read_bytes(), days)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(suffix)
    ]


def _fhir_key(raw: bytes, connector: str, services: Services) -> str | None:
    """The dedupe id a FHIR sample gets when stored (its control id)."""
    profile = services.intake.connectors.fhir(connector)
    return prepare_fhir(raw, connector=connector, profile=profile, received_at=utcnow()).control_id


def _demo_key(services: Services) -> tuple[str, bool]:
    """The demo's admin API key and whether it is new: the one in ``DEMO_KEY_FILE`` while it is
    valid, else a new one written there (owner-only), so repeated runs do not pile up keys."""
    path: Path = services.settings.data_dir / DEMO_KEY_FILE
    with services.sessions() as session, session.begin():
        if path.exists():
            token = path.read_text("utf-8").strip()
            try:
                authenticate(session=session, token=token)
            except AuthError:
                pass
            else:
                return token, False
        issued = create_key(session=session, name="demo", scopes=[Scope.ADMIN])
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(issued.token + "\n")
    return issued.token, True


def _demo_users(services: Services) -> dict[str, str]:
    """One console user per role, named after it, with the password kept in
    ``DEMO_USERS_FILE`` (owner-only) while it still signs in; otherwise a new one."""
    path: Path = services.settings.data_dir / DEMO_USERS_FILE
    kept: dict[str, str] = {}
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            name, _, password = line.partition(" ")
            kept[name] = password
    logins: dict[str, str] = {}
    for role in Role:
        name = role.value
        with services.sessions() as session, session.begin():
            known = {user.name for user in list_users(session=session)}
            if name not in known:
                logins[name] = create_user(session=session, name=name, roles=[role], actor="demo")
                continue
            works = name in kept and password_matches(
                session=session, name=name, password=kept[name]
            )
            logins[name] = (
                kept[name] if works else reset_password(session=session, name=name, actor="demo")
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.writelines(f"{name} {password}\n" for name, password in logins.items())
    return logins


def _decide_demo_order(services: Services) -> tuple[str, DecisionRecord | None]:
    """Decide the demo order (once) with the rules engine; what to print, and the decision."""
    with services.sessions() as session:
        order = session.scalars(
            select(Order).where(col(Order.order_id) == DEMO_CARRIER_ORDER)
        ).first()
        decided = (
            current_decision(session=session, order_pk=order.id) if order and order.id else None
        )
    if order is None:
        return f"demo decision: {DEMO_CARRIER_ORDER} is not stored", None
    if decided is None:
        try:
            decided = services.decider.decide_order(
                order_id=DEMO_CARRIER_ORDER, connector=order.connector, actor="demo"
            ).row
        except FinalmileError as exc:
            return f"demo decision: {DEMO_CARRIER_ORDER} not decided ({exc})", None
    choice = decided.delivery_type.value
    if decided.carrier:
        choice += f" via {decided.carrier}, service {decided.service}"
    return f"demo decision: {DEMO_CARRIER_ORDER} -> {choice}", decided


def _dispatch_demo_order(services: Services, decided: DecisionRecord) -> str:
    """Buy (once) the label the demo order's decision names, as ``finalmile dispatch --order``
    does; what to print about it. The label stays encrypted in the database (it prints the
    patient's name and address): the line names the command that writes it out."""
    if decided.carrier not in services.shipments.accounts:
        return (
            f"demo shipment: {DEMO_CARRIER_ORDER} not dispatched: its decision names "
            f"{decided.carrier!r}, which is no account in FINALMILE_CARRIERS (`make run` decides "
            "with FINALMILE_QUOTES=live, whose decisions name the sandbox account)"
        )
    bought = [
        s
        for s in services.shipments.for_order(order_id=DEMO_CARRIER_ORDER)
        if s.state is ShipmentState.PURCHASED
    ]
    if bought:
        shipment = bought[-1]
    else:
        try:
            done = services.dispatcher.dispatch_order(order_id=DEMO_CARRIER_ORDER)
        except FinalmileError as exc:
            return f"demo shipment: {DEMO_CARRIER_ORDER} not dispatched ({exc})"
        if done.shipment is None:
            return (
                f"demo shipment: {DEMO_CARRIER_ORDER} not bought ({done.error}); "
                "is the sandbox running?"
            )
        shipment = done.shipment
    try:
        label, label_format = services.shipments.label(shipment)
        # Once delivered, finalmile's tracking (GET /orders/{id}/tracking) says more than this.
        tracker = "" if bought else f", tracker {services.shipments.track(shipment).status.value}"
    except FinalmileError as exc:
        return f"demo shipment: {DEMO_CARRIER_ORDER} bought, but {type(exc).__name__}: {exc}"
    # Earlier demos kept a plain copy here; the encrypted stored label is the only one now.
    for plain in (services.settings.data_dir / "labels").glob(f"{DEMO_CARRIER_ORDER}.*"):
        plain.unlink()
    path = f"{DEMO_CARRIER_ORDER}{label_format.suffix}"
    command = f"finalmile shipments label {DEMO_CARRIER_ORDER} {shipment.key} -o {path}"
    return (
        f"demo shipment: {DEMO_CARRIER_ORDER} {'already ' if bought else ''}dispatched as decided: "
        f"account {shipment.account}, {shipment.carrier} {shipment.service}, tracking "
        f"{shipment.tracking_number}{tracker}, label stored encrypted ({len(label)} bytes: "
        f"{command})"
    )


def _samples_day(services: Services, connector: str, today: dt.date) -> dt.date:
    """The day this database first stored the samples, so a re-run on a later day offers them
    dated as they were stored and they are skipped (moved again, the FHIR and CSV samples would
    amend their orders); ``today`` when none is stored yet."""
    controls = [h.control_id for raw in demo_messages(".hl7", days=0) if (h := read_header(raw))]
    with services.sessions() as session:
        first = session.scalar(
            select(func.min(col(InboundMessage.received_at))).where(
                col(InboundMessage.connector) == connector,
                col(InboundMessage.control_id).in_(controls),
            )
        )
    if first is None:
        return today
    return first.astimezone(ZoneInfo(services.settings.timezone)).date()


@dataclass(frozen=True)
class LoadedSamples:
    """What one demo run stored: new HL7 v2 and FHIR messages, and CSV orders."""

    messages: int
    csv_orders: int


def load_samples(services: Services, *, connector: str, today: dt.date) -> LoadedSamples:
    """Store the bundled samples not stored yet, their dates moved forward (``demo_dates``) to
    the day the samples were first stored, or to ``today`` on a first run."""
    days = days_since_samples(_samples_day(services, connector, today))
    item_master = resources.files(DEMO_PACKAGE).joinpath("demo", DEMO_ITEM_MASTER)
    services.items.save(parse_item_yaml(item_master.read_text("utf-8"), source=DEMO_ITEM_MASTER))
    with services.sessions() as session:
        known = set(
            session.scalars(
                select(col(InboundMessage.control_id)).where(
                    col(InboundMessage.connector) == connector
                )
            )
        )
    fresh = [
        raw
        for raw in demo_messages(".hl7", days=days)
        if (h := read_header(raw)) is None or h.control_id not in known
    ]
    outcomes = services.intake.ingest_hl7(fresh, connector=connector)
    fhir = [
        raw
        for raw in demo_messages(".json", days=days)
        if _fhir_key(raw, connector, services) not in known
    ]
    outcomes += services.intake.ingest_fhir(fhir, connector=connector)
    csv_orders = 0
    for number, raw in enumerate(demo_messages(".csv", days=days), start=1):
        summary = services.files.ingest_csv(
            io.BytesIO(raw), connector=connector, name=f"demo-{number}.csv"
        )
        csv_orders += summary.accepted
    return LoadedSamples(
        messages=sum(1 for o in outcomes if o.durable_success), csv_orders=csv_orders
    )


def demo() -> None:
    """Load the sample orders, decide and dispatch the demo carrier order, print an API key.

    The samples load once, their dates moved to the day of the first run; the demo carrier
    order's decision is dispatched when it names a configured account (``make run``'s live
    quotes do); the demo admin API key is kept in the data directory and reused while valid.
    """
    settings = load_settings()
    today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    with open_services(settings) as services:
        loaded = load_samples(services, connector=settings.connector, today=today)
        decided, decision = _decide_demo_order(services)
        shipped = (
            _dispatch_demo_order(services, decision)
            if decision is not None and decision.delivery_type is DeliveryType.CARRIER
            else None
        )
        token, new_key = _demo_key(services)
        logins = _demo_users(services)
    base = f"http://{settings.http_host}:{settings.http_port}"
    key_file = settings.data_dir / DEMO_KEY_FILE
    typer.echo(
        f"demo data: {loaded.messages} new HL7 v2 and FHIR sample messages and "
        f"{loaded.csv_orders} CSV orders stored (samples already there are skipped)\n"
        f"demo API key (admin, {'new' if new_key else 'kept'} in {key_file}): {token}\n"
        f'  curl -H "X-API-Key: $(cat {key_file})" {base}/orders\n'
        f"  API docs: {base}/docs    MLLP: {settings.mllp_host}:{settings.mllp_port}\n"
        f"console: {base}/ (users kept in {settings.data_dir / DEMO_USERS_FILE})\n"
        + "".join(f"  sign in as {name} / {password}\n" for name, password in logins.items())
        + f"{decided}"
    )
    if shipped:
        typer.echo(shipped)

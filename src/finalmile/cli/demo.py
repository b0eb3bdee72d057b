"""``finalmile demo``: sample orders and an API key, so a first ``make run`` shows real data."""

from __future__ import annotations

import io
import os
from importlib import resources
from pathlib import Path

import typer
from sqlalchemy import select
from sqlmodel import col

from finalmile.adapters.hl7v2.header import read_header
from finalmile.auth.models import Scope
from finalmile.auth.service import authenticate, create_key
from finalmile.cli.context import load_settings, open_services
from finalmile.db_types import utcnow
from finalmile.errors import AuthError, FinalmileError
from finalmile.intake.prepare_fhir import prepare_fhir
from finalmile.messages.models import InboundMessage
from finalmile.orders.models import Order
from finalmile.rules.service import current_decision
from finalmile.services import Services
from finalmile.shipments.demo import ship_demo_order

DEMO_PACKAGE = "finalmile.config.defaults"
#: The carrier account ``make run`` points at the local sandbox, and the order it ships.
DEMO_ACCOUNT = "easypost"
DEMO_SHIPPED_ORDER = "DEMO-RX-001"
#: Where the demo's admin API key is kept (in the data directory, beside the database it opens).
DEMO_KEY_FILE = "demo-api-key"


def demo_messages(suffix: str = ".hl7") -> list[bytes]:
    """Bundled synthetic samples (synthetic patients only) ending in ``suffix``, in name order."""
    folder = resources.files(DEMO_PACKAGE).joinpath("demo")
    return [
        entry.read_bytes()
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


def _decide_demo_order(services: Services) -> str:
    """Decide the demo order (once) with the rules engine; what to print about the decision."""
    with services.sessions() as session:
        order = session.scalars(
            select(Order).where(col(Order.order_id) == DEMO_SHIPPED_ORDER)
        ).first()
        decided = (
            current_decision(session=session, order_pk=order.id) if order and order.id else None
        )
    if order is None:
        return f"demo decision: {DEMO_SHIPPED_ORDER} is not stored"
    if decided is None:
        try:
            decided = services.decider.decide_order(
                order_id=DEMO_SHIPPED_ORDER, connector=order.connector, actor="demo"
            ).row
        except FinalmileError as exc:
            return f"demo decision: {DEMO_SHIPPED_ORDER} not decided ({exc})"
    choice = " ".join(filter(None, [decided.delivery_type.value, decided.carrier, decided.service]))
    return f"demo decision: {DEMO_SHIPPED_ORDER} -> {choice}"


def _ship_demo_order(services: Services) -> str:
    """Buy (once) the demo order's label through the sandbox account; what to print about it."""
    try:
        bought = ship_demo_order(services, order_id=DEMO_SHIPPED_ORDER, account=DEMO_ACCOUNT)
    except FinalmileError as exc:
        return f"demo shipment: not bought ({type(exc).__name__}: {exc}); is the sandbox running?"
    shipment = bought.shipment
    folder = services.settings.data_dir / "labels"
    folder.mkdir(parents=True, exist_ok=True)
    label = folder / f"{DEMO_SHIPPED_ORDER}{bought.label_format.suffix}"
    label.write_bytes(bought.label)
    return (
        f"demo shipment: {DEMO_SHIPPED_ORDER} via {shipment.account} ({shipment.carrier} "
        f"{shipment.service}), tracking {shipment.tracking_number}, tracker "
        f"{bought.tracking.status.value}, label {label}\n"
        f"  (bought with the sandbox {DEMO_ACCOUNT} account whatever the decision, as staff can "
        f"with POST /orders/{DEMO_SHIPPED_ORDER}/shipments, so carrier tracking can be watched)"
    )


def demo() -> None:
    """Load the sample orders (once), decide the demo order and ship it through the sandbox when
    its account is configured (``make run`` does), and print the demo admin API key (kept in the
    data directory and reused while valid) for trying the API."""
    settings = load_settings()
    messages = demo_messages()
    csv_orders = 0
    with open_services(settings) as services:
        with services.sessions() as session:
            known = set(
                session.scalars(
                    select(col(InboundMessage.control_id)).where(
                        col(InboundMessage.connector) == settings.connector
                    )
                )
            )
        fresh = [
            raw for raw in messages if (h := read_header(raw)) is None or h.control_id not in known
        ]
        outcomes = services.intake.ingest_hl7(fresh, connector=settings.connector)
        fhir = [
            raw
            for raw in demo_messages(".json")
            if _fhir_key(raw, settings.connector, services) not in known
        ]
        outcomes += services.intake.ingest_fhir(fhir, connector=settings.connector)
        csv_files = demo_messages(".csv")
        for number, raw in enumerate(csv_files, start=1):
            summary = services.files.ingest_csv(
                io.BytesIO(raw), connector=settings.connector, name=f"demo-{number}.csv"
            )
            csv_orders += summary.accepted
        decided = _decide_demo_order(services)
        shipped = (
            _ship_demo_order(services) if DEMO_ACCOUNT in services.shipments.accounts else None
        )
        token, new_key = _demo_key(services)
    accepted = sum(1 for o in outcomes if o.durable_success)
    base = f"http://{settings.http_host}:{settings.http_port}"
    key_file = settings.data_dir / DEMO_KEY_FILE
    typer.echo(
        f"demo data: {accepted} new HL7 v2 and FHIR sample messages and {csv_orders} CSV orders "
        "stored (samples already there are skipped)\n"
        f"demo API key (admin, {'new' if new_key else 'kept'} in {key_file}): {token}\n"
        f'  curl -H "X-API-Key: $(cat {key_file})" {base}/orders\n'
        f"  API docs: {base}/docs    MLLP: {settings.mllp_host}:{settings.mllp_port}\n"
        f"{decided}"
    )
    if shipped:
        typer.echo(shipped)

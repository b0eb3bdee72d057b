"""``finalmile demo``: sample orders and an API key, so a first ``make run`` shows real data."""

from __future__ import annotations

from importlib import resources

import typer
from sqlalchemy import select
from sqlmodel import col

from finalmile.adapters.hl7v2.header import read_header
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli.context import load_settings, open_services
from finalmile.messages.models import InboundMessage

DEMO_PACKAGE = "finalmile.config.defaults"


def demo_messages() -> list[bytes]:
    """The bundled synthetic sample messages (synthetic patients only), in file-name order."""
    folder = resources.files(DEMO_PACKAGE).joinpath("demo")
    return [
        entry.read_bytes()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".hl7")
    ]


def demo() -> None:
    """Load the sample orders (once) and print a new admin API key for trying the API."""
    settings = load_settings()
    messages = demo_messages()
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
        with services.sessions() as session, session.begin():
            issued = create_key(session=session, name="demo", scopes=[Scope.ADMIN])
    accepted = sum(1 for o in outcomes if o.durable_success)
    base = f"http://{settings.http_host}:{settings.http_port}"
    typer.echo(
        f"demo data: {accepted} new sample messages stored "
        f"({len(messages) - len(fresh)} already there)\n"
        f"demo API key (admin; shown once): {issued.token}\n"
        f"  curl -H 'X-API-Key: {issued.token}' {base}/orders\n"
        f"  API docs: {base}/docs    MLLP: {settings.mllp_host}:{settings.mllp_port}"
    )

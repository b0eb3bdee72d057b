"""The long-lived objects one process needs, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from finalmile.billing.rules import BILLING_RULES, billing_rules
from finalmile.carriers.registry import load_registry
from finalmile.config.settings import Settings
from finalmile.connectors.fhir.client import FhirClient, clients_for
from finalmile.connectors.writeback.targets import Targets, build_targets
from finalmile.db import create_db_engine, session_factory
from finalmile.errors import ConfigError
from finalmile.intake.files import FileIntake
from finalmile.intake.service import IntakeService
from finalmile.intake.store import IntakeStore
from finalmile.outbox.store import OutboxStore
from finalmile.profiles.registry import load_connectors
from finalmile.rules.catalog import load_catalog
from finalmile.rules.live_quotes import LiveQuoteSource
from finalmile.rules.quotes import QuoteSource
from finalmile.rules.ratecard import RateCardSource
from finalmile.rules.service import Decider
from finalmile.shipments.dispatch import Dispatcher
from finalmile.shipments.service import ShipmentService
from finalmile.vault import Vault, vault_from_settings


@dataclass
class Services:
    """Settings, storage, intake and delivery decisions for one process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    vault: Vault
    intake: IntakeService
    files: FileIntake
    shipments: ShipmentService
    decider: Decider
    dispatcher: Dispatcher
    outbox: OutboxStore
    writeback: Targets
    fhir_clients: dict[str, FhirClient] = field(default_factory=dict)

    def close(self) -> None:
        """Release database and FHIR server connections."""
        for client in self.fhir_clients.values():
            client.close()
        self.writeback.close()
        self.engine.dispose()


def build_services(settings: Settings) -> Services:
    """Everything a process needs for ``settings`` (the schema must already be migrated).

    Raises:
        ConfigError: a connector profile, site or rule file is invalid, or a FHIR server's or
            write-back target's secret is not set (every problem listed).
    """
    engine = create_db_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    vault = vault_from_settings(settings)
    connectors = load_connectors(settings)
    sessions.configure(info={BILLING_RULES: billing_rules(connectors, settings)})
    fhir_clients = clients_for(connectors.with_format("fhir"))
    intake = IntakeService(
        store=IntakeStore(engine, vault),
        sessions=sessions,
        vault=vault,
        connectors=connectors,
        resolvers={name: client.resolve_or_none for name, client in fhir_clients.items()},
        max_batch=settings.ingest_max_batch,
    )
    shipments = ShipmentService(
        sessions=sessions,
        vault=vault,
        accounts=load_registry().build_accounts(settings.carriers),
        lease_seconds=settings.shipment_lease_seconds,
    )
    decider = Decider(
        catalog=load_catalog(settings.config_dir),
        sessions=sessions,
        vault=vault,
        quotes=_quote_source(settings, shipments),
    )
    writeback = build_targets(
        (connectors.get(name) for name in connectors.names), config_dir=settings.config_dir
    )
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        vault=vault,
        intake=intake,
        files=FileIntake(intake, sessions),
        fhir_clients=fhir_clients,
        shipments=shipments,
        decider=decider,
        dispatcher=Dispatcher(sessions=sessions, decider=decider, shipments=shipments),
        outbox=OutboxStore(sessions, lease_seconds=settings.outbox_lease_seconds),
        writeback=writeback,
    )


def _quote_source(settings: Settings, shipments: ShipmentService) -> QuoteSource:
    if settings.quotes == "rate_card":
        return RateCardSource()
    live = LiveQuoteSource(shipments)
    if not live.accounts:
        raise ConfigError(["FINALMILE_QUOTES=live needs an easypost or shippo FINALMILE_CARRIERS"])
    return live

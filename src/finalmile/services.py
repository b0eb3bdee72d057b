"""The long-lived objects one process needs, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from finalmile.carriers.registry import load_registry
from finalmile.config.settings import Settings
from finalmile.db import create_db_engine, session_factory
from finalmile.intake.service import IntakeService
from finalmile.intake.store import IntakeStore
from finalmile.mapping.hl7v2 import Hl7Profile
from finalmile.shipments.service import ShipmentService
from finalmile.vault import Vault, vault_from_settings


@dataclass
class Services:
    """Settings, storage and intake for one process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    vault: Vault
    intake: IntakeService
    shipments: ShipmentService

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def build_services(settings: Settings) -> Services:
    """Everything a process needs for ``settings`` (the schema must already be migrated)."""
    engine = create_db_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    vault = vault_from_settings(settings)
    profiles = {settings.connector: Hl7Profile(timezone=settings.timezone)}
    intake = IntakeService(
        store=IntakeStore(engine, vault),
        sessions=sessions,
        vault=vault,
        profiles=profiles,
        max_batch=settings.ingest_max_batch,
    )
    shipments = ShipmentService(
        sessions=sessions,
        vault=vault,
        accounts=load_registry().build_accounts(settings.carriers),
        lease_seconds=settings.shipment_lease_seconds,
    )
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        vault=vault,
        intake=intake,
        shipments=shipments,
    )

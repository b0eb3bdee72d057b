"""The long-lived objects one process needs, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from finalmile.config.settings import Settings
from finalmile.db import create_db_engine, session_factory
from finalmile.intake.service import IntakeService
from finalmile.intake.store import IntakeStore
from finalmile.mapping.hl7v2 import Hl7Profile
from finalmile.rules.catalog import load_catalog
from finalmile.rules.ratecard import RateCardSource
from finalmile.rules.service import Decider
from finalmile.vault import Vault, vault_from_settings


@dataclass
class Services:
    """Settings, storage, intake and delivery decisions for one process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    vault: Vault
    intake: IntakeService
    decider: Decider

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
    decider = Decider(
        catalog=load_catalog(settings.config_dir),
        sessions=sessions,
        vault=vault,
        quotes=RateCardSource(),
    )
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        vault=vault,
        intake=intake,
        decider=decider,
    )

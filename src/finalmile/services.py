"""The long-lived objects one process needs, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from finalmile.config.settings import Settings
from finalmile.connectors.registry import load_connectors
from finalmile.db import create_db_engine, session_factory
from finalmile.intake.service import IntakeService
from finalmile.intake.store import IntakeStore
from finalmile.vault import Vault, vault_from_settings


@dataclass
class Services:
    """Settings, storage and intake for one process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    vault: Vault
    intake: IntakeService

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def build_services(settings: Settings) -> Services:
    """Everything a process needs for ``settings`` (the schema must already be migrated).

    Raises:
        ConfigError: a connector profile is invalid (every problem listed).
    """
    engine = create_db_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    vault = vault_from_settings(settings)
    connectors = load_connectors(settings)
    intake = IntakeService(
        store=IntakeStore(engine, vault),
        sessions=sessions,
        vault=vault,
        connectors=connectors,
        max_batch=settings.ingest_max_batch,
    )
    return Services(settings=settings, engine=engine, sessions=sessions, vault=vault, intake=intake)

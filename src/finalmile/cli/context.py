"""What every command needs: settings, logging, a migrated database and the services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError

from finalmile.app import Services, build_services, check_configuration
from finalmile.carriers import load_registry
from finalmile.config import Settings
from finalmile.db import migrate
from finalmile.errors import ConfigError
from finalmile.logging import configure_logging
from finalmile.profiles import ConnectorRegistry, load_connectors


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment plus command-line overrides; exits 2 listing every problem."""
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
        load_registry().build_accounts(settings.carriers)  # every carrier problem, now
    except SettingsError as exc:
        typer.echo(f"invalid configuration:\n  - {exc}", err=True)
        raise typer.Exit(2) from None
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except ValidationError as exc:
        lines = [
            f"  - FINALMILE_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
            for e in exc.errors()
        ]
        typer.echo("invalid configuration:\n" + "\n".join(lines), err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level)
    return settings


@contextmanager
def open_services(settings: Settings) -> Iterator[Services]:
    """Migrate, then yield the services, closing them afterwards."""
    connectors(settings)  # refuse bad profiles before touching the database
    migrate(settings.resolved_database_url)
    services = build_services(settings)
    try:
        yield services
    finally:
        services.close()


def connectors(settings: Settings) -> ConnectorRegistry:
    """The validated connector profiles; exits 2 listing every problem."""
    try:
        return load_connectors(settings)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def checked(settings: Settings) -> ConnectorRegistry:
    """``check_configuration``: what ``serve`` validates before it starts; exits 2 listing every
    problem."""
    try:
        return check_configuration(settings)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None

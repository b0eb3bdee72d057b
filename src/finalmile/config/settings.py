"""Service settings, read from ``FINALMILE_*`` environment variables when asked, never at import."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from finalmile.config.temperature_limits import resolve_limits
from finalmile.errors import ConfigError

DEFAULT_DATA_DIR = Path(".finalmile")


class Environment(StrEnum):
    """Where the service runs; development allows generated secrets and demo data."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything the service needs to start. Validated as a whole at startup."""

    model_config = SettingsConfigDict(env_prefix="FINALMILE_", extra="ignore")

    environment: Environment = Field(
        default=Environment.DEVELOPMENT,
        title="Environment",
        description="development or production",
    )
    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        title="Data directory",
        description="SQLite file and the development encryption key live here",
    )
    database_url: str | None = Field(
        default=None,
        title="Database URL",
        description="SQLAlchemy URL; default is a SQLite file in the data directory",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        title="Encryption keys",
        description="Comma-separated Fernet keys for PHI at rest, newest first (rotation)",
    )
    config_dir: Path | None = Field(
        default=None,
        title="Configuration directory",
        description="connectors/*.yaml (connector profiles), sites/ and rules/ (delivery rules); "
        "unset: the embedded defaults only",
    )
    connector: str = Field(
        default="default",
        title="Default connector",
        description="Connector used when a request or command names none, and served on the "
        "main MLLP port",
    )
    timezone: str = Field(
        default="America/New_York",
        title="Pharmacy time zone",
        description="Used for HL7 times that carry no UTC offset",
    )
    temperature_limits: dict[str, dict[str, float | None]] = Field(
        default_factory=dict,
        title="Temperature limits",
        description="JSON object: storage class -> overrides of low, high, allowed_low, "
        "allowed_high, max_single_minutes, max_cumulative_minutes, max_mkt (see "
        "docs/temperature.md)",
    )
    temperature_gap_factor: float = Field(
        default=2.0,
        gt=1.0,
        title="Temperature gap factor",
        description="Readings further apart than this many logging intervals make a log incomplete",
    )
    archive_retention_years: int = Field(
        default=10,
        ge=1,
        title="Archive retention",
        description="Years an order's evidence is kept after delivery (or its last change)",
    )
    http_host: str = Field(default="127.0.0.1", title="HTTP bind address")
    http_port: int = Field(default=8000, ge=0, le=65535, title="HTTP port")
    mllp_host: str = Field(default="127.0.0.1", title="MLLP bind address")
    mllp_port: int | None = Field(
        default=2575, ge=0, le=65535, title="MLLP port", description="Unset to disable the listener"
    )
    mllp_max_frame_bytes: int = Field(
        default=1_048_576, gt=0, title="MLLP frame limit", description="Larger frames are refused"
    )
    mllp_idle_timeout_seconds: float = Field(
        default=300.0, gt=0, title="MLLP idle timeout", description="Close silent connections"
    )
    hl7_max_segments: int = Field(
        default=5_000, gt=0, title="HL7 segment limit", description="Segments per message at most"
    )
    hl7_max_repetitions: int = Field(
        default=1_000, gt=0, title="HL7 repetition limit", description="Repetitions per field"
    )
    hl7_max_field_expansion: int = Field(
        default=65_536,
        ge=0,
        title="HL7 escape expansion per field",
        description="Characters the .sp/.sk formatting escapes of one field may add",
    )
    hl7_max_message_expansion: int = Field(
        default=262_144,
        ge=0,
        title="HL7 escape expansion per message",
        description="Characters the .sp/.sk formatting escapes of one message may add in all",
    )
    mllp_tls_cert: Path | None = Field(default=None, title="MLLP TLS certificate (PEM)")
    mllp_tls_key: Path | None = Field(default=None, title="MLLP TLS private key (PEM)")
    mllp_tls_client_ca: Path | None = Field(
        default=None,
        title="MLLP client CA (PEM)",
        description="When set, clients must present a certificate signed by it (mutual TLS)",
    )
    http_max_body_bytes: int = Field(
        default=1_048_576,
        gt=0,
        title="HTTP body limit",
        description="Larger request bodies are refused with 413 as they stream, before buffering",
    )
    http_max_upload_bytes: int = Field(
        default=16_777_216,
        gt=0,
        title="HTTP upload limit",
        description="The body limit of multipart uploads (CSV files, temperature logs)",
    )
    ingest_max_batch: int = Field(
        default=256, gt=0, title="Group commit size", description="Messages per transaction at most"
    )
    outbox_workers: int = Field(
        default=2, ge=0, le=32, title="Outbox workers", description="0 disables write-back here"
    )
    outbox_poll_seconds: float = Field(
        default=1.0, gt=0, title="Outbox poll interval", description="How often idle workers look"
    )
    outbox_lease_seconds: float = Field(
        default=120.0,
        gt=0,
        title="Outbox lease",
        description="How long a worker owns a row it delivers before another may take it",
    )
    carriers: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        title="Carrier accounts",
        description="JSON object: account name -> settings with a type (easypost, shippo, courier,"
        " dropship); see docs/carriers.md",
    )
    shipment_lease_seconds: float = Field(
        default=120.0,
        gt=0,
        title="Shipment lease",
        description="How long a worker owns a shipment it drives before recovery may take it",
    )
    shipment_recovery_seconds: float = Field(
        default=300.0,
        gt=0,
        title="Shipment recovery interval",
        description="How often the server reconciles shipments left open (also at startup)",
    )
    decide_interval_seconds: float = Field(
        default=5.0,
        ge=0,
        title="Decision worker interval",
        description="How often received orders without a decision are decided; 0: never",
    )
    route_planning_at: dt.time | None = Field(
        default=None,
        title="Route planning time",
        description="Plan tomorrow's courier routes daily at this time (HH:MM, in the pharmacy"
        " time zone) from the stored courier decisions; unset: never",
    )
    route_planning_seconds: float = Field(
        default=60.0, gt=0, le=600, title="Route planning budget", description="Search seconds"
    )
    routing_table_url: str | None = Field(
        default=None,
        title="Routing engine table service",
        description="Travel times for stored route plans, re-plans and live ETAs from a"
        " self-hosted engine: osrm+http://HOST:PORT or valhalla+http://HOST:PORT (https too);"
        " unset: great-circle estimates (offline). Plans record it; see docs/routing.md",
    )
    quotes: Literal["rate_card", "live"] = Field(
        default="rate_card",
        title="Quote source",
        description="Where decisions get carrier rates: the sites' rate cards, or live from the"
        " EasyPost/Shippo accounts in FINALMILE_CARRIERS; see docs/rules.md",
    )
    dispatch_interval_seconds: float = Field(
        default=0.0,
        ge=0,
        title="Dispatch interval",
        description="How often decided carrier and courier orders get their label bought; 0: never",
    )
    easypost_webhook_secret: SecretStr | None = Field(
        default=None,
        title="EasyPost webhook secret",
        description="Old route POST /webhooks/easypost (an alias of /webhooks/{account}, whose "
        "secret is an account setting): comma-separated; any listed secret verifies "
        "X-Hmac-Signature (rotation). Unset: the route is the account named easypost, if any",
    )
    shippo_webhook_token: SecretStr | None = Field(
        default=None,
        title="Shippo webhook token",
        description="Old route POST /webhooks/shippo (an alias of /webhooks/{account}): the "
        "?token= of its URL. Unset: the route is the account named shippo, if any",
    )
    shippo_webhook_secret: SecretStr | None = Field(
        default=None,
        title="Shippo HMAC secret",
        description="Old route POST /webhooks/shippo: when set, Shippo-Auth-Signature "
        "(t=...,v1=...) is required as well",
    )
    webhook_tolerance_seconds: float = Field(
        default=300.0,
        gt=0,
        title="Webhook timestamp tolerance",
        description="Signed timestamps on the old route POST /webhooks/shippo",
    )
    tracking_poll_seconds: float = Field(
        default=900.0, gt=0, title="Tracking poll interval", description="How often to look"
    )
    tracking_stale_seconds: float = Field(
        default=21_600.0,
        gt=0,
        title="Tracking staleness",
        description="A parcel with no carrier event for this long is asked for (polling fallback)",
    )
    exceptions_interval_seconds: float = Field(
        default=60.0,
        ge=0,
        title="Exceptions queue interval",
        description="How often the exceptions queue is brought up to date; 0: only when listed",
    )
    stalled_after_seconds: float = Field(
        default=86_400.0,
        gt=0,
        title="Stalled shipment",
        description="A dispatched order with no carrier or driver event for this long is stalled",
    )
    pod_grace_seconds: float = Field(
        default=86_400.0,
        ge=0,
        title="POD grace",
        description="How long a delivered order's POD may stay incomplete before it is queued",
    )
    pod_attachment_max_bytes: int = Field(
        default=10_485_760,
        gt=0,
        title="POD attachment size",
        description="Largest paper or phone POD record accepted (image or PDF)",
    )
    log_level: str = Field(default="INFO", title="Log level")
    api_docs: bool | None = Field(
        default=None,
        title="Serve API docs",
        description="/docs and /openapi.json without a key; default on in development only",
    )
    console_idle_minutes: float = Field(
        default=15.0,
        gt=0,
        title="Console idle sign-off",
        description="A console session unused for this long ends (minutes)",
    )
    console_max_failures: int = Field(
        default=5,
        ge=1,
        title="Console lockout threshold",
        description="Wrong passwords in a row that lock a console account",
    )
    console_lockout_minutes: float = Field(
        default=15.0, gt=0, title="Console lockout", description="How long a locked account waits"
    )
    map_tiles_url: str | None = Field(
        default=None,
        title="Map tile server",
        description="A tile URL template ({z}/{x}/{y}); without one, routes draw on a plain map",
    )

    @model_validator(mode="after")
    def _check(self) -> Settings:
        problems: list[str] = []
        if self.environment is Environment.PRODUCTION:
            if self.secret_key is None:
                problems.append("FINALMILE_SECRET_KEY is required in production")
            if self.database_url is None:
                problems.append("FINALMILE_DATABASE_URL is required in production")
        if (self.mllp_tls_cert is None) != (self.mllp_tls_key is None):
            problems.append("FINALMILE_MLLP_TLS_CERT and FINALMILE_MLLP_TLS_KEY go together")
        if self.mllp_tls_client_ca is not None and self.mllp_tls_cert is None:
            problems.append("FINALMILE_MLLP_TLS_CLIENT_CA needs FINALMILE_MLLP_TLS_CERT")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"FINALMILE_TIMEZONE: unknown time zone {self.timezone!r}")
        if self.routing_table_url is not None:
            problems.extend(_routing_table_problems(self.routing_table_url))
        try:
            resolve_limits(self.temperature_limits)
        except ConfigError as exc:
            problems.extend(exc.errors)
        if problems:
            raise ConfigError(problems)
        return self

    @property
    def serve_api_docs(self) -> bool:
        """Whether the interactive docs and the OpenAPI schema are served."""
        if self.api_docs is not None:
            return self.api_docs
        return self.environment is Environment.DEVELOPMENT

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'finalmile.db').as_posix()}"


def _routing_table_problems(url: str) -> list[str]:
    """What is wrong with FINALMILE_ROUTING_TABLE_URL (plans record it, so no credentials)."""
    name = "FINALMILE_ROUTING_TABLE_URL"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port that is not a number raises)
    except ValueError:
        return [f"{name}: not a URL"]
    engine, _, scheme = parts.scheme.partition("+")
    if engine not in ("osrm", "valhalla") or scheme not in ("http", "https"):
        return [
            f"{name}: start with osrm+http://, osrm+https://, valhalla+http:// or valhalla+https://"
        ]
    if not parts.hostname:
        return [f"{name}: no host"]
    if parts.username or parts.password or parts.query or parts.fragment:
        return [f"{name}: no credentials, query or fragment (route plans record this URL)"]
    return []


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()

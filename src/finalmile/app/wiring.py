"""The composition root: every long-lived object of one process, built once from settings.

Domain packages never import this module: each service receives its collaborators through its
constructor, and the hooks that join layers (evidence settled -> billing) are bound here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from finalmile.adapters.hl7v2 import Hl7Limits
from finalmile.app.checks import check_configuration
from finalmile.billing import billing_rules, confirmation_hook
from finalmile.carriers import load_registry
from finalmile.config import Settings, resolve_limits
from finalmile.connectors.fhir import FhirClient, FhirPoller, clients_for
from finalmile.connectors.writeback import Targets, build_targets
from finalmile.courier import CourierPlanning, DriverUpdates, leave_plans
from finalmile.db import create_db_engine, session_factory
from finalmile.errors import ConfigError
from finalmile.evidence.archive import ArchiveService
from finalmile.evidence.temperature import TemperatureService, installed_layouts
from finalmile.exceptions import ExceptionQueue, OrderActions, Redelivery, Thresholds
from finalmile.intake import FileIntake, IntakeService, IntakeStore
from finalmile.items import ItemService, StorageResolver
from finalmile.outbox import OutboxStore
from finalmile.profiles import ConnectorRegistry
from finalmile.provided import Provided
from finalmile.reports import DeliveryReports
from finalmile.rules import (
    Catalog,
    Decider,
    LiveQuoteSource,
    QuoteSource,
    RateCardSource,
    load_catalog,
)
from finalmile.shipments import Dispatcher, OverrideGuard, ShipmentService
from finalmile.tracking import TrackingService
from finalmile.users import SignInPolicy
from finalmile.vault import Vault, vault_from_settings
from finalmile.worklist import Worklist


@dataclass
class Services:
    """Settings, storage and every service of one process."""

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
    tracking: TrackingService
    temperature: TemperatureService
    archive: ArchiveService
    planning: CourierPlanning
    driver_updates: DriverUpdates
    items: ItemService
    storage: StorageResolver
    exceptions: ExceptionQueue
    actions: OrderActions
    redelivery: Redelivery
    worklist: Worklist
    reports: DeliveryReports
    fhir_clients: dict[str, FhirClient] = field(default_factory=dict)

    @property
    def connectors(self) -> ConnectorRegistry:
        """The validated connector profiles."""
        return self.intake.connectors

    @property
    def sign_in_policy(self) -> SignInPolicy:
        """Console lockout and idle sign-off, from the settings."""
        return SignInPolicy(
            max_failures=self.settings.console_max_failures,
            lockout=dt.timedelta(minutes=self.settings.console_lockout_minutes),
            idle=dt.timedelta(minutes=self.settings.console_idle_minutes),
        )

    def provided(self) -> Provided:
        """What the HTTP views may ask for, by type (``finalmile.deps.provided``)."""
        return Provided(
            self.sessions,
            self.settings,
            self.engine,
            self.vault,
            self.intake,
            self.files,
            self.shipments,
            self.decider,
            self.tracking,
            self.temperature,
            self.archive,
            self.planning,
            self.driver_updates,
            self.items,
            self.exceptions,
            self.actions,
            self.redelivery,
            self.worklist,
            self.reports,
            self.sign_in_policy,
        )

    def fhir_pollers(self) -> dict[str, FhirPoller]:
        """A poller per connector that has a FHIR server to poll, by connector name."""
        store = IntakeStore(self.engine, self.vault, storage=self.storage)
        pollers = {}
        for name, client in sorted(self.fhir_clients.items()):
            section = self.connectors.get(name).fhir
            assert section is not None and section.server is not None
            pollers[name] = FhirPoller(
                connector=name,
                server=section.server,
                profile=section.mapping,
                client=client,
                store=store,
                engine=self.engine,
                sessions=self.sessions,
            )
        return pollers

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
    connectors = check_configuration(settings)
    settled = confirmation_hook(billing_rules(connectors, settings.timezone))
    fhir_clients = clients_for(connectors.with_format("fhir"))
    catalog = load_catalog(settings.config_dir)
    storage = storage_resolver(connectors, catalog)
    items = ItemService(sessions, sites=storage.sites)
    intake = IntakeService(
        store=IntakeStore(engine, vault, storage=storage),
        sessions=sessions,
        vault=vault,
        connectors=connectors,
        resolvers={name: client.resolve_or_none for name, client in fhir_clients.items()},
        max_batch=settings.ingest_max_batch,
        hl7_limits=Hl7Limits(
            max_segments=settings.hl7_max_segments,
            max_repetitions=settings.hl7_max_repetitions,
            max_field_expansion=settings.hl7_max_field_expansion,
            max_message_expansion=settings.hl7_max_message_expansion,
        ),
    )
    shipments = ShipmentService(
        sessions=sessions,
        vault=vault,
        accounts=load_registry().build_accounts(settings.carriers),
        lease_seconds=settings.shipment_lease_seconds,
        items=items,
    )
    decider = Decider(
        catalog=catalog,
        sessions=sessions,
        vault=vault,
        quotes=_quote_source(settings, shipments, items),
        items=items,
    )
    shipments.guard = OverrideGuard(sessions=sessions, decider=decider, leave_plans=leave_plans)
    zone = ZoneInfo(settings.timezone)
    outbox = OutboxStore(sessions, lease_seconds=settings.outbox_lease_seconds)
    dispatcher = Dispatcher(sessions=sessions, decider=decider, shipments=shipments)
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        vault=vault,
        intake=intake,
        files=FileIntake(intake, sessions, vault),
        fhir_clients=fhir_clients,
        shipments=shipments,
        decider=decider,
        dispatcher=dispatcher,
        outbox=outbox,
        writeback=build_targets(
            (connectors.get(name) for name in connectors.names), config_dir=settings.config_dir
        ),
        tracking=TrackingService(
            sessions=sessions,
            vault=vault,
            shipments=shipments,
            stale_after=dt.timedelta(seconds=settings.tracking_stale_seconds),
            on_evidence_settled=settled,
        ),
        temperature=TemperatureService(
            sessions=sessions,
            vault=vault,
            limits=resolve_limits(settings.temperature_limits),
            gap_factor=settings.temperature_gap_factor,
            zone=zone,
            layouts=installed_layouts(),
            on_evidence_settled=settled,
        ),
        archive=ArchiveService(
            sessions=sessions,
            vault=vault,
            zone=zone,
            retention_years=settings.archive_retention_years,
            sites=catalog.sites,
        ),
        planning=CourierPlanning(
            sessions=sessions,
            vault=vault,
            decider=decider,
            routing_table_url=settings.routing_table_url,
        ),
        driver_updates=DriverUpdates(sessions=sessions, vault=vault, on_evidence_settled=settled),
        items=items,
        storage=storage,
        exceptions=ExceptionQueue(
            sessions=sessions,
            vault=vault,
            thresholds=Thresholds(
                stalled_after=dt.timedelta(seconds=settings.stalled_after_seconds),
                pod_grace=dt.timedelta(seconds=settings.pod_grace_seconds),
            ),
            sites=storage.sites,
        ),
        actions=OrderActions(
            sessions=sessions,
            vault=vault,
            shipments=shipments,
            outbox=outbox,
            on_evidence_settled=settled,
            attachment_max_bytes=settings.pod_attachment_max_bytes,
        ),
        redelivery=Redelivery(
            sessions=sessions,
            vault=vault,
            shipments=shipments,
            dispatcher=dispatcher,
            decider=decider,
            on_settled=settled,
        ),
        worklist=Worklist(sessions=sessions, zone=zone, zones=site_zones(catalog)),
        reports=DeliveryReports(sessions=sessions, zone=zone, zones=site_zones(catalog)),
    )


def site_zones(catalog: Catalog) -> dict[str, ZoneInfo]:
    """Each configured site's time zone, by site name."""
    return {name: ZoneInfo(config.timezone) for name, config in catalog.sites.items()}


def storage_resolver(connectors: ConnectorRegistry, catalog: Catalog) -> StorageResolver:
    """Storage resolution for intake: each connector's explicit default and its site."""
    defaults, sites = {}, {}
    for name in connectors.names:
        default = connectors.get(name).default_storage
        if default is not None:
            defaults[name] = default
        try:
            sites[name] = catalog.site_config(connector=name).name
        except ConfigError:  # no site serves it: only installation-wide entries apply
            continue
    return StorageResolver(defaults, sites)


def _quote_source(
    settings: Settings, shipments: ShipmentService, items: ItemService
) -> QuoteSource:
    if settings.quotes == "rate_card":
        return RateCardSource(items)
    live = LiveQuoteSource(shipments)
    if not live.accounts:
        raise ConfigError(["FINALMILE_QUOTES=live needs an easypost or shippo FINALMILE_CARRIERS"])
    return live

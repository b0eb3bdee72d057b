"""The process's ``BillingRules``, built from the connector profiles; they travel on sessions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from finalmile.billing.confirm import SESSION_KEY, BillingRules
from finalmile.billing.stored import stored_evidence
from finalmile.config.settings import Settings
from finalmile.profiles.registry import ConnectorRegistry

BILLING_RULES = SESSION_KEY


def billing_rules(connectors: ConnectorRegistry, settings: Settings) -> BillingRules:
    """Each connector's billing policy and time zone, with evidence read from the stored POD."""
    profiles = [connectors.get(name) for name in connectors.names]
    return BillingRules(
        evidence=stored_evidence,
        policies={p.name: p.writeback.billing for p in profiles if p.writeback is not None},
        timezones={p.name: ZoneInfo(p.timezone) for p in profiles},
        default_timezone=ZoneInfo(settings.timezone),
    )

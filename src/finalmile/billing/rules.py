"""The process's ``BillingRules`` from the connector profiles, and the hook that applies them."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from finalmile.billing.confirm import BillingRules, confirm_if_ready
from finalmile.billing.stored import stored_evidence
from finalmile.profiles import ConnectorRegistry
from finalmile.tracking import EvidenceSettled


def billing_rules(connectors: ConnectorRegistry, default_timezone: str) -> BillingRules:
    """Each connector's billing policy and time zone, with evidence read from the stored POD."""
    profiles = [connectors.get(name) for name in connectors.names]
    return BillingRules(
        evidence=stored_evidence,
        policies={p.name: p.writeback.billing for p in profiles if p.writeback is not None},
        timezones={p.name: ZoneInfo(p.timezone) for p in profiles},
        default_timezone=ZoneInfo(default_timezone),
    )


def confirmation_hook(rules: BillingRules) -> EvidenceSettled:
    """The ``EvidenceSettled`` hook that writes an order's billing confirmation under ``rules``."""
    return partial(confirm_if_ready, rules=rules)

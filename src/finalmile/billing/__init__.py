"""Billing trigger: a delivery confirmation for the PMS once the proof of delivery is complete.

``confirm_if_ready(session, order_pk, rules=...)`` runs in the transaction that completed an
order's POD (or recorded a passing temperature log, for connectors with ``writeback.billing.
require_temperature_pass``). It writes at most one ``order.delivery_confirmed`` outbox row per
order. Tracking and evidence do not know billing: they call the ``EvidenceSettled`` hook they were
given, which the composition root builds with ``confirmation_hook(billing_rules(...))``.
"""

from finalmile.billing.confirm import BillingRules, confirm_if_ready, confirm_key
from finalmile.billing.evidence import DeliveryEvidence, EvidenceSource
from finalmile.billing.rules import billing_rules, confirmation_hook

__all__ = [
    "BillingRules",
    "DeliveryEvidence",
    "EvidenceSource",
    "billing_rules",
    "confirm_if_ready",
    "confirm_key",
    "confirmation_hook",
]

"""Billing trigger: a delivery confirmation for the PMS once the proof of delivery is complete.

Call ``confirm_if_ready(session, order_pk)`` in the transaction that completed an order's POD
(or recorded a passing temperature log, for connectors with ``writeback.billing.
require_temperature_pass``). It writes at most one ``order.delivery_confirmed`` outbox row per
order. The per-connector policy (date of service shipped or delivered, temperature required) and
the evidence reader travel with the process's sessions (``BillingRules``, set by
``build_services``).
"""

from finalmile.billing.confirm import BillingRules, confirm_if_ready, confirm_key
from finalmile.billing.evidence import DeliveryEvidence, EvidenceSource

__all__ = ["BillingRules", "DeliveryEvidence", "EvidenceSource", "confirm_if_ready", "confirm_key"]

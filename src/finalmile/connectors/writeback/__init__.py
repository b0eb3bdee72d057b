"""Write-back to the PMS: the targets an outbox row is delivered to, configured per connector.

The ``writeback`` section of a connector profile is ``finalmile.profiles.writeback``;
``webhook.py`` (signed JSON: ``events.py`` the event models, ``signing.py`` the signatures),
``hl7.py`` (HL7 v2 over MLLP), ``fhir.py`` (FHIR R4) and ``billing_csv.py`` (a daily CSV file)
each implement the outbox's ``Deliverer``; ``targets.py`` builds them from the profiles.
"""

from finalmile.connectors.writeback.events import (
    EVENTS,
    PING,
    DeliveredEvent,
    DeliveryConfirmedEvent,
    PingEvent,
    PingPayload,
    ShippedEvent,
    WebhookEvent,
    body_of,
    event_of,
    ping,
)
from finalmile.connectors.writeback.examples import EXAMPLES
from finalmile.connectors.writeback.signing import (
    TOLERANCE_SECONDS,
    Verdict,
    signature_headers,
    standard_secret,
    verify,
)
from finalmile.connectors.writeback.targets import Targets, build_targets, webhook_target
from finalmile.connectors.writeback.webhook import Reply, WebhookWriteback

__all__ = [
    "EVENTS",
    "EXAMPLES",
    "PING",
    "TOLERANCE_SECONDS",
    "DeliveredEvent",
    "DeliveryConfirmedEvent",
    "PingEvent",
    "PingPayload",
    "Reply",
    "ShippedEvent",
    "Targets",
    "Verdict",
    "WebhookEvent",
    "WebhookWriteback",
    "body_of",
    "build_targets",
    "event_of",
    "ping",
    "signature_headers",
    "standard_secret",
    "verify",
    "webhook_target",
]

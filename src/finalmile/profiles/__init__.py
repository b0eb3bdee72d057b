"""Connector profiles: each PMS's formats, transports, mappings and write-back, from YAML.

``connector`` holds the profile model, ``writeback`` its ``writeback`` section and ``registry``
loads every profile at startup. Only configuration lives here; the I/O is in ``connectors``.
"""

from finalmile.profiles.connector import ConnectorProfile, DropFolder, FhirServer
from finalmile.profiles.registry import ConnectorRegistry, load_connectors
from finalmile.profiles.writeback import (
    BillingCsvTarget,
    BillingPolicy,
    FhirTarget,
    Hl7Message,
    Hl7Target,
    SignatureScheme,
    WebhookTarget,
)

__all__ = [
    "BillingCsvTarget",
    "BillingPolicy",
    "ConnectorProfile",
    "ConnectorRegistry",
    "DropFolder",
    "FhirServer",
    "FhirTarget",
    "Hl7Message",
    "Hl7Target",
    "SignatureScheme",
    "WebhookTarget",
    "load_connectors",
]

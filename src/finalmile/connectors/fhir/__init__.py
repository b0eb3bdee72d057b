"""FHIR R4 client connector: polls a PMS's FHIR server for MedicationDispenses."""

from finalmile.connectors.fhir.client import FhirClient, clients_for
from finalmile.connectors.fhir.poller import FhirPoller

__all__ = [
    "FhirClient",
    "FhirPoller",
    "clients_for",
]

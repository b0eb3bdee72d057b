"""Write-back to the PMS: the targets an outbox row is delivered to, configured per connector.

The ``writeback`` section of a connector profile is ``finalmile.profiles.writeback``;
``webhook.py`` (signed JSON), ``hl7.py`` (HL7 v2 over MLLP), ``fhir.py`` (FHIR R4) and
``billing_csv.py`` (a daily CSV file) each implement the outbox's ``Deliverer``; ``targets.py``
builds them from the profiles.
"""

from finalmile.connectors.writeback.targets import Targets, build_targets

__all__ = [
    "Targets",
    "build_targets",
]

"""FHIR R4 wire format: parse ``application/fhir+json`` and build OperationOutcome replies.

``parse``, ``validate`` and ``fhir_path`` live in ``finalmile.adapters.fhir.parse``, which loads
the FHIR models: it is imported only by mapping's FHIR modules, themselves loaded with the first
FHIR payload (start-up stays light; docs/architecture.md rule 6)."""

from finalmile.adapters.fhir.codes import FhirErrorCode
from finalmile.adapters.fhir.outcome import operation_outcome

__all__ = [
    "FhirErrorCode",
    "operation_outcome",
]

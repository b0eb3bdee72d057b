"""FHIR R4 wire format: parse ``application/fhir+json`` and build OperationOutcome replies."""

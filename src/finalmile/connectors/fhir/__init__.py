"""FHIR R4 client connector: polls a PMS's FHIR server for MedicationDispenses."""

"""Stable ``InputError.code`` values for FHIR input, and their OperationOutcome issue types."""

from __future__ import annotations

from enum import StrEnum


class FhirErrorCode(StrEnum):
    """Why FHIR content was rejected; ``issue_type`` is the FHIR R4 ``IssueType`` code."""

    INVALID_ENCODING = "invalid_encoding"
    INVALID_JSON = "invalid_json"
    UNSUPPORTED_RESOURCE = "unsupported_resource"
    UNSUPPORTED_BUNDLE_TYPE = "unsupported_bundle_type"
    UNKNOWN_ELEMENT = "unknown_element"
    REQUIRED = "required"
    INVALID_VALUE = "invalid_value"
    INVALID_DATE = "invalid_date"
    INVALID_STATUS = "invalid_status"
    INVALID_QUANTITY = "invalid_quantity"
    UNKNOWN_STORAGE_CODE = "unknown_storage_code"
    INVALID_SCHEDULE = "invalid_schedule"
    INVALID_REFERENCE = "invalid_reference"
    UNRESOLVED_REFERENCE = "unresolved_reference"
    DUPLICATE_ORDER = "duplicate_order"
    UNDELIVERABLE_ADDRESS = "undeliverable_address"
    INVALID_NDC = "invalid_ndc"

    @property
    def issue_type(self) -> str:
        """The OperationOutcome.issue.code (FHIR R4 value set ``issue-type``)."""
        return _ISSUE_TYPES.get(self, "invalid")


_ISSUE_TYPES = {
    FhirErrorCode.INVALID_ENCODING: "structure",
    FhirErrorCode.INVALID_JSON: "structure",
    FhirErrorCode.UNKNOWN_ELEMENT: "structure",
    FhirErrorCode.UNSUPPORTED_RESOURCE: "not-supported",
    FhirErrorCode.UNSUPPORTED_BUNDLE_TYPE: "not-supported",
    FhirErrorCode.REQUIRED: "required",
    FhirErrorCode.INVALID_VALUE: "value",
    FhirErrorCode.INVALID_DATE: "value",
    FhirErrorCode.INVALID_STATUS: "value",
    FhirErrorCode.INVALID_QUANTITY: "value",
    FhirErrorCode.UNKNOWN_STORAGE_CODE: "value",
    FhirErrorCode.INVALID_SCHEDULE: "value",
    FhirErrorCode.UNRESOLVED_REFERENCE: "not-found",
    FhirErrorCode.DUPLICATE_ORDER: "duplicate",
}

"""Stable error codes of HL7 v2 and CSV mapping; FHIR mapping uses ``FhirErrorCode``."""

from __future__ import annotations

from enum import StrEnum


class MappingCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    INVALID_DATE = "invalid_date"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_SCHEDULE = "invalid_schedule"
    INVALID_FLAG = "invalid_flag"
    UNKNOWN_CODE = "unknown_code"
    EMPTY_FILE = "empty_file"
    UNDECODABLE = "undecodable"
    CONTROL_CHARACTER = "control_character"
    DUPLICATE_COLUMN = "duplicate_column"
    MISSING_COLUMN = "missing_column"
    FIELD_COUNT = "field_count"
    ORDER_REJECTED = "order_rejected"
    CONFLICTING_VALUE = "conflicting_value"
    CONFLICTING_ORDER_CONTROL = "conflicting_order_control"
    UNSUPPORTED_MESSAGE_TYPE = "unsupported_message_type"
    UNSUPPORTED_EVENT = "unsupported_event"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNSUPPORTED_ORDER_CONTROL = "unsupported_order_control"
    UNDELIVERABLE_ADDRESS = "undeliverable_address"
    INVALID_NDC = "invalid_ndc"

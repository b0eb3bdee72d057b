"""Stable error codes of the wire-format adapters (HL7 v2, CSV); FHIR's are ``FhirErrorCode``."""

from __future__ import annotations

from enum import StrEnum


class AdapterCode(StrEnum):
    """``code`` values of the errors this package raises, serialised as their string value."""

    MALFORMED_CSV = "malformed_csv"
    LINE_TOO_LONG = "line_too_long"
    MISSING_MSH = "missing_msh"
    INVALID_SEGMENT_ID = "invalid_segment_id"
    INVALID_ENCODING_CHARACTERS = "invalid_encoding_characters"
    UNSUPPORTED_CHARSET = "unsupported_charset"
    UNDECODABLE = "undecodable"
    TOO_MANY_SEGMENTS = "too_many_segments"
    TOO_MANY_REPETITIONS = "too_many_repetitions"
    ESCAPE_TOO_LARGE = "escape_too_large"

"""Turn raw inbound bytes into a ``PreparedMessage``: pure, no I/O, never raises for bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import structlog

from finalmile.adapters.hl7v2 import (
    DEFAULT_LIMITS,
    Hl7Limits,
    MessageHeader,
    read_header,
    resend_key,
)
from finalmile.errors import InputError
from finalmile.intake.codes import IntakeCode
from finalmile.mapping import Hl7Profile, OrderIntent, decode_and_map
from finalmile.messages import MessageFormat

log = structlog.get_logger(__name__)

MAX_ORDER_ID = 100
MAX_CONTROL_ID = 200


@dataclass(frozen=True)
class PreparedMessage:
    """A received message with either the order intents it carries or the reason it is rejected.

    ``dedupe_id`` identifies a first delivery within the connector and format (HL7: MSH-10; FHIR:
    resource id and version; CSV: file hash and line). ``content_key`` digests the content
    without what senders rewrite on a resend (HL7: MSH-7 and segment terminators; FHIR:
    ``meta.lastUpdated`` and JSON layout); ``None`` means the raw bytes' sha256. A stored message
    with the same dedupe id and content key makes this one a resend; the same dedupe id with other
    content is a new message whose sender reused the id. ``replay_of`` is set when an already
    stored message is processed again.
    """

    connector: str
    format: MessageFormat
    raw: bytes
    received_at: dt.datetime
    sha256: str
    control_id: str | None
    dedupe_id: str | None
    message_type: str | None
    version: str | None
    header: MessageHeader | None
    intents: tuple[OrderIntent, ...] = ()
    error: InputError | None = None
    replay_of: int | None = field(default=None, compare=False)
    content_key: str | None = None

    def __post_init__(self) -> None:
        # PostgreSQL text refuses NUL: a hostile MSH-10 or MSH-12 would fail its whole batch,
        # in every query and insert, and be answered AR forever. The raw bytes keep the original.
        for name in ("control_id", "dedupe_id", "message_type", "version"):
            value = getattr(self, name)
            if value is not None and "\x00" in value:
                object.__setattr__(self, name, value.replace("\x00", "\ufffd"))

    @property
    def resend_key(self) -> str:
        """What must match a stored message (besides the dedupe id) for this to be a resend."""
        return self.content_key or self.sha256


def prepare_hl7(
    raw: bytes,
    *,
    connector: str,
    profile: Hl7Profile,
    received_at: dt.datetime,
    replay_of: int | None = None,
    limits: Hl7Limits = DEFAULT_LIMITS,
) -> PreparedMessage:
    """Decode, parse (within ``limits``) and map one HL7 v2 message; content problems land in
    ``error``. Never raises: whatever the bytes, the result can be stored and answered."""
    header: MessageHeader | None = None
    intents: tuple[OrderIntent, ...] = ()
    error: InputError | None = None
    try:
        header, mapped = decode_and_map(raw, connector=connector, profile=profile, limits=limits)
        intents = tuple(mapped)
        error = check_lengths(intents)
    except InputError as exc:
        error = exc
    except Exception as exc:  # a bug of ours must not lose the message: keep it, rejected
        error = internal_error(exc, connector=connector, format_=MessageFormat.HL7V2)
    if header is None:  # mapping failed before the header was read: read it tolerantly for the ACK
        header = _tolerant_header(raw)
    control_id = header.control_id if header and header.control_id else None
    message_type = None
    if header and header.message_code:
        message_type = "^".join(p for p in (header.message_code, header.trigger_event) if p)
    if control_id is not None and len(control_id) > MAX_CONTROL_ID:
        error = error or InputError(
            f"control id is longer than {MAX_CONTROL_ID} characters", location="MSH-10"
        )
        control_id = None
    return PreparedMessage(
        connector=connector,
        format=MessageFormat.HL7V2,
        raw=raw,
        received_at=received_at,
        sha256=hashlib.sha256(raw).hexdigest(),
        control_id=control_id,
        dedupe_id=control_id,
        message_type=message_type[:32] if message_type else None,
        version=header.version[:16] if header and header.version else None,
        header=header,
        intents=intents if error is None else (),
        error=error,
        replay_of=replay_of,
        content_key=resend_key(raw),
    )


def _tolerant_header(raw: bytes) -> MessageHeader | None:
    try:
        return read_header(raw)
    except Exception:  # a bug of ours: the message is still answered, addressed to nobody
        log.exception("header_unreadable")
        return None


def check_lengths(intents: tuple[OrderIntent, ...]) -> InputError | None:
    """An error for the first order id longer than the store keeps, else None."""
    for intent in intents:
        if len(intent.order_id) > MAX_ORDER_ID:
            return InputError(
                f"order id is longer than {MAX_ORDER_ID} characters",
                location=intent.location,
                code=IntakeCode.TOO_LONG,
            )
    return None


def internal_error(exc: Exception, *, connector: str, format_: MessageFormat) -> InputError:
    """Log a bug of ours met while mapping (no values) and the rejection that keeps the message."""
    log.exception(
        "mapping_crashed", connector=connector, format=format_, error_type=type(exc).__name__
    )
    return InputError(
        "internal error while reading the message; it is stored and can be replayed",
        code=IntakeCode.INTERNAL_ERROR,
    )

"""HL7 v2 acknowledgements: which ones to send, and the ACK messages themselves.

HL7 v2.5 §2.9.2 (original mode), §2.9.3 (enhanced mode), §2.15.8 (MSA), §2.15.5 (ERR), Tables
0008, 0155 and 0357. Our outcomes follow design.md's reliability rules: AA once the order is
durable, AE when the content is invalid (the message is kept as rejected; resending it unchanged
cannot help), AR when it cannot be processed now (the sender should resend).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from finalmile.adapters.hl7v2.charset import codec_for
from finalmile.adapters.hl7v2.escaping import Delimiters, escape
from finalmile.adapters.hl7v2.header import MessageHeader
from finalmile.errors import InputError

DEFAULT_VERSION = "2.5.1"
#: MSH-18 of an ACK whose inbound message declared a character set we cannot encode.
SAFE_CHARSET = "UNICODE UTF-8"
_VERSION = re.compile(r"[0-9]{1,2}(?:\.[0-9]{1,2}){1,3}")
_LOCATION = re.compile(r"([A-Z0-9]{3})(?:-(\d+)(?:\.(\d+)(?:\.(\d+))?)?)?")
_COMMIT_REJECT_FIELDS = ("MSH-9", "MSH-11", "MSH-12")

# HL7 Table 0357 (message error condition codes).
_TABLE_0357 = {
    "100": "Segment sequence error",
    "101": "Required field missing",
    "102": "Data type error",
    "103": "Table value not found",
    "200": "Unsupported message type",
    "201": "Unsupported event code",
    "202": "Unsupported processing id",
    "203": "Unsupported version id",
    "205": "Duplicate key identifier",
    "206": "Application record locked",
    "207": "Application internal error",
}
_ERROR_CODES = {
    "missing_msh": "100",
    "invalid_segment_id": "100",
    "required": "101",
    "unknown_code": "103",
    "unsupported_charset": "103",
    "unsupported_order_control": "103",
    "unsupported_message_type": "200",
    "unsupported_event": "201",
    "unsupported_processing_id": "202",
    "unsupported_version": "203",
    "duplicate": "205",
    "locked": "206",
    "internal_error": "207",
}


class AckCode(StrEnum):
    """MSA-1 acknowledgment codes (HL7 Table 0008)."""

    AA = "AA"
    AE = "AE"
    AR = "AR"
    CA = "CA"
    CE = "CE"
    CR = "CR"


class Outcome(StrEnum):
    """What became of an inbound message."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RETRY = "retry"


def acknowledgements(
    header: MessageHeader | None, outcome: Outcome, *, error: InputError | None = None
) -> list[AckCode]:
    """The acknowledgements to send for ``outcome``, in sending order (possibly none, or two).

    Original mode, MSH-15 and MSH-16 both empty (HL7 v2.5 §2.9.2, §2.15.9.15): one of AA/AE/AR.
    Enhanced mode (§2.9.3): a commit ACK (CA/CE/CR) when MSH-15 asks for it and an application ACK
    (AA/AE/AR) when MSH-16 does, per Table 0155: AL always, NE never, ER only on error or reject, SU
    only on success. The standard requires both fields in enhanced mode and defines no default for
    an empty one; we read an empty field as "not asked for", matching its note that original mode
    equals MSH-15 = NE with MSH-16 = AL (v2.8.2 §2.9), and a value outside Table 0155 as AL, so a
    confused sender is answered rather than left waiting.

    The commit ACK is CA once the raw message is stored, which includes content we reject (it is
    kept as rejected, and AE follows); CR when MSH-9, MSH-11 or MSH-12 is unacceptable (§2.9.3.1);
    CE when we cannot take it now. Once a CR or CE is sent no application ACK follows (nothing was
    processed); when MSH-15 did not ask for it, MSH-16 decides alone.
    """
    application = {
        Outcome.ACCEPTED: AckCode.AA,
        Outcome.REJECTED: AckCode.AE,
        Outcome.RETRY: AckCode.AR,
    }[outcome]
    if header is None or not (header.accept_ack_type or header.application_ack_type):
        return [application]
    commit = AckCode.CA
    if outcome is Outcome.RETRY:
        commit = AckCode.CE
    elif error is not None and (error.location or "").startswith(_COMMIT_REJECT_FIELDS):
        commit = AckCode.CR
    acks: list[AckCode] = []
    if _asked(header.accept_ack_type, success=commit is AckCode.CA):
        acks.append(commit)
        if commit is not AckCode.CA:
            return acks
    if _asked(header.application_ack_type, success=application is AckCode.AA):
        acks.append(application)
    return acks


def _asked(condition: str, *, success: bool) -> bool:
    match condition.strip().upper():
        case "":
            return False
        case "NE":
            return False
        case "ER":
            return not success
        case "SU":
            return success
        case _:
            return True


def error_condition(error: InputError) -> tuple[str, str]:
    """The HL7 Table 0357 code and text for one of our input errors."""
    code = _ERROR_CODES.get(error.code, "102")
    return code, _TABLE_0357[code]


def build_ack(
    header: MessageHeader | None,
    *,
    code: AckCode,
    control_id: str,
    now: datetime,
    error: InputError | None = None,
    text: str | None = None,
) -> str:
    """An ACK for ``header``'s message, in its own delimiters, segments ending with ``\\r``.

    MSH swaps sender and receiver and echoes MSH-11, MSH-12 (2.5.1 when unknown) and MSH-18; MSH-9
    is ``ACK^<trigger>^ACK`` (``ACK^<trigger>`` before v2.3.1). MSA-3 carries ``text`` (else the
    error's message) up to v2.6; v2.7 withdrew it. An ``error`` adds ERR: ERR-1 (ELD) up to v2.4,
    ERR-2 (ERL), ERR-3 (Table 0357), ERR-4 = E and ERR-8 from v2.5 on. From v2.7 a negative ACK
    with ``text`` and no ``error`` gets an ERR (207, application internal error) to carry the text.
    An MSH-12 that is not ASCII digits (``2.²``) makes the ACK v2.5.1 and an MSH-18 without a codec
    makes it ``UNICODE UTF-8``; each fallback adds a warning ERR (ERR-4 = W) naming the field.

    Raises:
        ValueError: when ``now`` is naive.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    h = header or MessageHeader()
    d = h.delimiters
    numbers = _version(h.version)
    version = h.version if numbers else DEFAULT_VERSION
    numbers = numbers or _version(DEFAULT_VERSION)
    charset = h.charset if not h.charset or codec_for(h.charset) else SAFE_CHARSET
    trigger = h.trigger_event
    message_type = f"ACK{d.component}{trigger}"
    if numbers >= (2, 3, 1):
        message_type += f"{d.component}ACK"
    msh = [
        "MSH",
        d.encoding_characters,
        h.receiving_application,
        h.receiving_facility,
        h.sending_application,
        h.sending_facility,
        now.strftime("%Y%m%d%H%M%S%z"),
        "",
        message_type if trigger or numbers >= (2, 3, 1) else "ACK",
        escape(control_id, d),
        h.processing_id or "P",
        version,
        *[""] * 5,
        charset,
    ]
    message = text if text is not None else (error.message if error else "")
    # MSA-2 is required: when the inbound control ID is unknown, say so with the HL7 null "".
    msa = ["MSA", code.value, h.control_id or '""']
    if numbers < (2, 7) and message:
        msa.append(escape(message[:80], d))
    segments = [msh, msa]
    if error is not None:
        segments.append(_err(error_condition(error), error.location, error.message, d, numbers))
    elif message and numbers >= (2, 7) and code not in (AckCode.AA, AckCode.CA):
        # v2.7 withdrew MSA-3: the reason for a reject travels in ERR-8 instead.
        internal = ("207", _TABLE_0357["207"])
        segments.append(_err(internal, None, message, d, numbers))
    # The sender's own envelope values we could not use are said as warnings, never quoted.
    if version != h.version and h.version:
        note = f"MSH-12 is not a version this receiver reads; this ACK uses {DEFAULT_VERSION}"
        warning = ("203", _TABLE_0357["203"])
        segments.append(_err(warning, "MSH-12", note, d, numbers, severity="W"))
    if charset != h.charset:
        note = f"MSH-18 names a character set this receiver cannot use; this ACK is {charset}"
        warning = ("103", _TABLE_0357["103"])
        segments.append(_err(warning, "MSH-18", note, d, numbers, severity="W"))
    return "".join(d.field.join(f).rstrip(d.field) + "\r" for f in segments)


def _err(
    condition: tuple[str, str],
    location: str | None,
    message: str,
    d: Delimiters,
    numbers: tuple[int, ...],
    *,
    severity: str = "E",
) -> list[str]:
    number, label = condition
    where = _LOCATION.fullmatch(location or "")
    seg, field, comp, sub = where.groups() if where else ("", None, None, None)
    if numbers < (2, 5):
        code = d.subcomponent.join((number, label, "HL70357"))
        return ["ERR", d.component.join((seg, "1" if seg else "", field or "", code))]
    erl = [seg, "1", field, "1" if comp else None, comp, sub] if seg else []
    return [
        "ERR",
        "",
        d.component.join(p or "" for p in erl).rstrip(d.component),
        d.component.join((number, label, "HL70357")),
        severity,
        "",
        "",
        "",
        escape(message, d),
    ]


def _version(text: str) -> tuple[int, ...]:
    """MSH-12 as numbers, ``()`` unless it is ASCII digits like ``2.5.1`` (not ``2.²``)."""
    if not _VERSION.fullmatch(text):
        return ()
    return tuple(int(p) for p in text.split("."))


def encode_ack(ack: str, header: MessageHeader | None) -> bytes:
    """Encode an ACK in the character set its MSH-18 echoes (UTF-8 when empty or unsupported).

    Characters the charset cannot hold become ``?``; nothing here raises for any header.
    """
    codec = codec_for(header.charset) if header and header.charset else None
    try:
        return ack.encode(codec or "utf-8", errors="replace")
    except (LookupError, UnicodeError):
        return ack.encode("utf-8", errors="replace")

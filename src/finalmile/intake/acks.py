"""HL7 v2 acknowledgements for intake outcomes: built for any header, whatever its bytes."""

from __future__ import annotations

import secrets

import structlog

from finalmile.adapters.hl7v2 import MessageHeader, read_header
from finalmile.adapters.hl7v2 import ack as hl7_ack
from finalmile.db_types import utcnow
from finalmile.errors import InputError
from finalmile.intake.codes import IntakeCode
from finalmile.intake.outcome import Outcome, OutcomeKind

log = structlog.get_logger(__name__)


def acknowledge(header: MessageHeader | None, outcome: Outcome) -> list[bytes]:
    """Encoded acknowledgements for ``outcome`` (original or enhanced mode, per the header)."""
    verdict = {
        OutcomeKind.RETRY: hl7_ack.Outcome.RETRY,
        OutcomeKind.REJECTED: hl7_ack.Outcome.REJECTED,
    }.get(
        outcome.kind,
        hl7_ack.Outcome.ACCEPTED if outcome.durable_success else hl7_ack.Outcome.REJECTED,
    )
    return _acks(header, verdict, error=outcome.error, text=outcome.retry_reason)


def refuse_oversize(head: bytes, limit: int) -> list[bytes]:
    """Acknowledgements for a frame refused for its size (addressed from its first bytes)."""
    error = InputError(
        f"message exceeds the {limit} byte limit of this listener",
        location="MSH",
        code=IntakeCode.TOO_LARGE,
    )
    try:
        header = read_header(head)
    except Exception:  # a bug of ours must not leave the sender without an answer
        log.exception("header_unreadable")
        header = None
    return _acks(header, hl7_ack.Outcome.REJECTED, error=error, text=None)


def _acks(
    header: MessageHeader | None,
    verdict: hl7_ack.Outcome,
    *,
    error: InputError | None,
    text: str | None,
) -> list[bytes]:
    try:
        return _build_acks(header, verdict, error=error, text=text)
    except Exception:  # a bug of ours must not leave the sender without an answer
        log.exception("ack_unbuildable")
        return _build_acks(None, verdict, error=error, text=text)


def _build_acks(
    header: MessageHeader | None,
    verdict: hl7_ack.Outcome,
    *,
    error: InputError | None,
    text: str | None,
) -> list[bytes]:
    now = utcnow()
    codes = hl7_ack.acknowledgements(header, verdict, error=error)
    return [
        hl7_ack.encode_ack(
            hl7_ack.build_ack(
                header,
                code=code,
                control_id=_ack_control_id(),
                now=now,
                error=error if code in (hl7_ack.AckCode.AE, hl7_ack.AckCode.CR) else None,
                text=text if code in (hl7_ack.AckCode.AR, hl7_ack.AckCode.CE) else None,
            ),
            header,
        )
        for code in codes
    ]


def _ack_control_id() -> str:
    return "FM" + secrets.token_hex(8).upper()

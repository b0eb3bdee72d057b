"""HL7 v2 write-back over MLLP: send the status update, wait for the PMS's ACK.

``AA`` (or ``CA``) is delivered. ``AE``/``AR`` (and ``CE``/``CR``), no answer within the timeout,
a closed connection or an answer that is not an ACK are retried: HL7's original mode leaves the
sender to resend, and a PMS answers AE for a transient lookup failure as often as for content.
The outbox's budget bounds the retries; the dead letter shows the last MSA-3 text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from finalmile.adapters.hl7v2 import parse
from finalmile.connectors.mllp.client import MllpClient
from finalmile.connectors.writeback.hl7_message import build_status_update, control_id
from finalmile.db_types import utcnow
from finalmile.errors import FinalmileError, RetriableError
from finalmile.outbox import Effect, Topic
from finalmile.profiles import Hl7Target

ACCEPTED = frozenset({"AA", "CA"})


class Hl7Writeback:
    """One MLLP connection per delivery (a status update is rare; no idle socket to babysit)."""

    def __init__(self, settings: Hl7Target, *, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.name = "hl7v2"
        self.topics: tuple[Topic, ...] = settings.topics
        self._settings = settings
        self._clock = clock

    def deliver(self, effect: Effect) -> str:
        """Send the update and return the ACK code; RetriableError on anything but AA/CA."""
        message = build_status_update(effect, self._settings, now=self._clock())
        try:
            reply = asyncio.run(self._exchange(message))
        except TimeoutError:
            raise RetriableError("hl7v2: no ACK within the timeout") from None
        except OSError as exc:
            raise RetriableError(f"hl7v2: connection failed ({type(exc).__name__})") from None
        code, text = _ack(reply)
        if code not in ACCEPTED:
            detail = f": {text[:120]}" if text else ""
            raise RetriableError(f"hl7v2: ACK {code or 'unreadable'}{detail}")
        return f"ACK {code} to {control_id(effect)}"

    async def _exchange(self, message: bytes) -> bytes:
        settings = self._settings
        async with MllpClient(
            settings.host, settings.port, timeout=settings.timeout_seconds
        ) as client:
            return await client.send(message)


def _ack(reply: bytes) -> tuple[str | None, str | None]:
    """MSA-1 and MSA-3 of a reply (None, None when it is not an ACK we can read)."""
    try:
        message = parse(reply.decode("utf-8", errors="replace"))
    except FinalmileError:
        return None, None
    msa = message.segment("MSA")
    if msa is None:
        return None, None
    return msa.value(1), msa.value(3)

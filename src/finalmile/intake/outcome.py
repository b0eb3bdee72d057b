"""What intake did with one message; connectors turn it into an ACK or an HTTP answer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from finalmile.errors import InputError
from finalmile.messages import MessageFlag


class OutcomeKind(StrEnum):
    """Accepted and committed; rejected for its content; a resend; or not processed now."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    RETRY = "retry"


@dataclass(frozen=True)
class Outcome:
    """The result for one message.

    ``actions`` says, for each of ``order_ids``, what the message did: created, updated,
    unchanged or cancelled. For a duplicate, ``error`` repeats the first occurrence's rejection
    (so a resend of a rejected message is answered the same way) and ``duplicate_of`` names that
    first message. ``flag`` is ``reused_id`` when the message was processed as new although
    its dedupe id (e.g. MSH-10) was already stored with other content.
    """

    kind: OutcomeKind
    message_id: int | None = None
    order_ids: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    error: InputError | None = None
    duplicate_of: int | None = None
    retry_reason: str | None = None
    flag: MessageFlag | None = None

    @property
    def durable_success(self) -> bool:
        """True when the sender may forget the message: its orders are committed."""
        return self.kind is OutcomeKind.ACCEPTED or (
            self.kind is OutcomeKind.DUPLICATE and self.error is None
        )

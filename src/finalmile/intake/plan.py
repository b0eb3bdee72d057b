"""What a batch of prepared messages does to the orders: pure decisions, no I/O.

``plan_message`` turns one message into a ``PlannedMessage`` against the current order states: a
duplicate of a stored original (same dedupe id and same content), a rejection, or intents applied
all or nothing (create, update when the content changed, unchanged, cancel). A message whose dedupe
id is already stored with other content is processed like any new message and flagged
``reused_id``. The store reads the states and writes the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from finalmile.canonical import DispatchOrder
from finalmile.errors import InputError
from finalmile.intake.codes import IntakeCode
from finalmile.intake.outcome import Outcome, OutcomeKind
from finalmile.intake.prepare import PreparedMessage
from finalmile.mapping import OrderAction, OrderIntent
from finalmile.messages import MessageFlag, MessageStatus
from finalmile.orders import UNDISPATCHED, OrderStatus, content_digest


@dataclass
class OrderState:
    """An order as this transaction sees it, with the changes it is about to write."""

    connector: str
    order_id: str
    pk: int | None
    status: OrderStatus
    version: int
    digest: str
    content: DispatchOrder | None = None
    dirty: bool = False
    new: bool = False
    #: The status stored before this transaction (None for a new order).
    stored_status: OrderStatus | None = None


@dataclass(frozen=True)
class OrderEvent:
    """A change of one order caused by one message, for the audit trail."""

    order_key: tuple[str, str]
    action: str
    from_status: str | None
    to_status: str
    version: int


@dataclass
class PlannedMessage:
    """What to store for one message: its status, the orders it touches and how, its events.

    ``message_id`` is filled in by the store once the message row exists.
    """

    message: PreparedMessage
    status: MessageStatus
    error: InputError | None = None
    duplicate_of: int | None = None
    dedupe_key: str | None = None
    flag: MessageFlag | None = None
    links: dict[tuple[str, str], str] = field(default_factory=dict)
    events: list[OrderEvent] = field(default_factory=list)
    message_id: int | None = None


@dataclass(frozen=True)
class Original:
    """A stored first delivery under a dedupe id, as much as answering a resend needs.

    ``resend_key`` is its stored content key; ``None`` for rows stored before content keys
    existed, which match a resend by ``sha256`` (the exact bytes) instead.
    """

    id: int
    error: InputError | None
    resend_key: str | None = None
    sha256: str = ""

    def resent_as(self, message: PreparedMessage) -> bool:
        """Whether ``message`` is a resend of this one (its dedupe id is already known to match)."""
        if self.resend_key is None:
            return self.sha256 == message.sha256
        return self.resend_key == message.resend_key


def dedupe_key(message: PreparedMessage) -> tuple[str, str, str] | None:
    """(connector, format, dedupe id) of a first delivery; None for replays and unkeyed input."""
    if message.dedupe_id is None or message.replay_of is not None:
        return None
    return (message.connector, message.format.value, message.dedupe_id)


def plan_message(
    message: PreparedMessage,
    *,
    originals: dict[tuple[str, str, str], list[Original]],
    orders: dict[tuple[str, str], OrderState],
) -> PlannedMessage:
    """Plan one message; ``orders`` is updated with its effects for the messages after it.

    Args:
        originals: stored first deliveries by dedupe key; one with the same content makes the
            message a duplicate, only others make it a new message with a reused id.
        orders: current states of the orders the batch touches, by (connector, order id).
    """
    key = dedupe_key(message)
    stored = originals.get(key, []) if key is not None else []
    original = next((o for o in stored if o.resent_as(message)), None)
    if original is not None:
        return PlannedMessage(
            message, MessageStatus.DUPLICATE, error=original.error, duplicate_of=original.id
        )
    unique_key = key[2] if key is not None else None
    flag = MessageFlag.REUSED_ID if stored else None
    if message.error is not None:
        return PlannedMessage(
            message, MessageStatus.REJECTED, error=message.error, dedupe_key=unique_key, flag=flag
        )
    staged: dict[tuple[str, str], OrderState] = {}
    plan = PlannedMessage(message, MessageStatus.ACCEPTED, dedupe_key=unique_key, flag=flag)
    for intent in message.intents:
        okey = (message.connector, intent.order_id)
        current = staged.get(okey) or orders.get(okey)
        try:
            state, action = _apply(message.connector, intent, current)
        except InputError as error:
            return PlannedMessage(
                message, MessageStatus.REJECTED, error=error, dedupe_key=unique_key, flag=flag
            )
        staged[okey] = state
        plan.links[okey] = action
        if state is not current:
            previous = current.status.value if current else None
            plan.events.append(
                OrderEvent(okey, action, previous, state.status.value, state.version)
            )
    orders.update(staged)
    return plan


def _apply(
    connector: str, intent: OrderIntent, current: OrderState | None
) -> tuple[OrderState, str]:
    """The order's next state after one intent, and the link action; InputError if not allowed."""
    action, order_id, content = intent.action, intent.order_id, intent.order
    if action is OrderAction.CANCEL:
        if current is None:
            raise InputError(
                f"order {order_id} is unknown, so it cannot be cancelled",
                location=intent.location,
                code=IntakeCode.UNKNOWN_ORDER,
            )
        if current.status is OrderStatus.CANCELLED:
            return current, "unchanged"
        return _copy(
            current, status=OrderStatus.CANCELLED, version=current.version + 1
        ), "cancelled"
    assert content is not None
    digest = content_digest(content)
    if current is None:
        state = OrderState(
            connector,
            order_id,
            None,
            OrderStatus.RECEIVED,
            1,
            digest,
            content,
            dirty=True,
            new=True,
        )
        return state, "created"
    if current.status is OrderStatus.CANCELLED:
        raise InputError(
            f"order {order_id} was cancelled; send a new order number to deliver again",
            location=intent.location,
            code=IntakeCode.ORDER_CANCELLED,
        )
    if digest == current.digest:
        return current, "unchanged"
    # A changed order is decided again; once dispatched, its journey keeps its status.
    status = OrderStatus.RECEIVED if current.status in UNDISPATCHED else current.status
    changed = _copy(
        current, status=status, version=current.version + 1, digest=digest, content=content
    )
    return changed, "updated"


def _copy(state: OrderState, **changes: object) -> OrderState:
    fields = {**state.__dict__, "dirty": True, **changes}
    return OrderState(**fields)


def outcome_of(plan: PlannedMessage) -> Outcome:
    """The outcome a sender is told for a stored plan."""
    if plan.status is MessageStatus.DUPLICATE:
        return Outcome(
            kind=OutcomeKind.DUPLICATE,
            message_id=plan.message_id,
            error=plan.error,
            duplicate_of=plan.duplicate_of,
        )
    if plan.status is MessageStatus.REJECTED:
        return Outcome(
            kind=OutcomeKind.REJECTED, message_id=plan.message_id, error=plan.error, flag=plan.flag
        )
    return Outcome(
        kind=OutcomeKind.ACCEPTED,
        message_id=plan.message_id,
        order_ids=tuple(order_id for _, order_id in plan.links),
        actions=tuple(plan.links.values()),
        flag=plan.flag,
    )

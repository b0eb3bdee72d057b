"""The inbound message store: every raw message, kept before anything else happens to it."""

from finalmile.messages.models import (
    InboundMessage,
    MessageFlag,
    MessageFormat,
    MessageOrderLink,
    MessageStatus,
)
from finalmile.messages.service import (
    count_messages,
    get_message,
    linked_orders,
    list_messages,
    message_ids_of_order,
)

__all__ = [
    "InboundMessage",
    "MessageFlag",
    "MessageFormat",
    "MessageOrderLink",
    "MessageStatus",
    "count_messages",
    "get_message",
    "linked_orders",
    "list_messages",
    "message_ids_of_order",
]

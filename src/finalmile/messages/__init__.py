"""The inbound message store: every raw message, kept before anything else happens to it."""

from finalmile.messages.models import InboundMessage, MessageFormat, MessageOrderLink, MessageStatus
from finalmile.messages.service import (
    get_message,
    linked_orders,
    list_messages,
    message_ids_of_order,
)

__all__ = [
    "InboundMessage",
    "MessageFormat",
    "MessageOrderLink",
    "MessageStatus",
    "get_message",
    "linked_orders",
    "list_messages",
    "message_ids_of_order",
]

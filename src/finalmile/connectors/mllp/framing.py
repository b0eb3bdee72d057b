"""MLLP framing: ``<VT> message <FS><CR>`` (HL7 v2 Transport Specification: MLLP, Release 1)."""

from __future__ import annotations

import asyncio

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"


class FrameTooLargeError(Exception):
    """A frame grew past the configured limit; the rest of it was discarded."""

    def __init__(self, limit: int, head: bytes) -> None:
        self.limit = limit
        self.head = head
        super().__init__(f"MLLP frame exceeds {limit} bytes")


def frame(message: bytes) -> bytes:
    """Wrap one message in MLLP start and end blocks."""
    return START_BLOCK + message + END_BLOCK


async def read_frame(reader: asyncio.StreamReader, *, max_bytes: int) -> bytes | None:
    """The next framed message, or None at a clean end of stream.

    Bytes outside a frame (noise, keep-alives) are skipped. An oversized frame is read to its end
    and discarded, then reported with its first bytes so the sender can still be answered.

    Raises:
        FrameTooLargeError: the frame is longer than ``max_bytes``.
        asyncio.IncompleteReadError: the peer closed the connection inside a frame.
    """
    while True:
        # Skip to the start block; a clean EOF here is the end of the conversation.
        try:
            await reader.readuntil(START_BLOCK)
            break
        except asyncio.IncompleteReadError:
            return None  # whatever trailed the last frame was not a message
        except asyncio.LimitOverrunError as exc:
            await reader.readexactly(exc.consumed)
    try:
        body = await reader.readuntil(END_BLOCK)
    except asyncio.LimitOverrunError:
        return await _discard_oversized(reader, max_bytes)
    if len(body) - len(END_BLOCK) > max_bytes:
        raise FrameTooLargeError(max_bytes, body[:4096])
    return body[: -len(END_BLOCK)]


async def _discard_oversized(reader: asyncio.StreamReader, max_bytes: int) -> bytes:
    head = b""
    while True:
        try:
            chunk = await reader.readuntil(END_BLOCK)
            head = head or chunk[:4096]
            break
        except asyncio.LimitOverrunError as exc:
            chunk = await reader.readexactly(exc.consumed)
            head = head or chunk[:4096]
    raise FrameTooLargeError(max_bytes, head)

"""An asyncio MLLP client: send a message, wait for its acknowledgement, with timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from types import TracebackType

from finalmile.connectors.mllp.framing import frame, read_frame


class MllpClient:
    """One connection to an MLLP peer; messages are sent one at a time, in order.

    Usage::

        async with MllpClient("127.0.0.1", 2575) as client:
            ack = await client.send(message)
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        max_frame_bytes: int = 1_048_576,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._ssl = ssl_context
        self._max_frame_bytes = max_frame_bytes
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        """Open the connection (within the timeout)."""
        async with asyncio.timeout(self.timeout):
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, ssl=self._ssl, limit=self._max_frame_bytes + 2
            )

    async def send(self, message: bytes) -> bytes:
        """Send one message and return the next frame the peer sends back (its ACK).

        Raises:
            TimeoutError: no acknowledgement within the timeout.
            ConnectionError: the peer closed the connection.
        """
        if self._reader is None or self._writer is None:
            await self.connect()
        assert self._reader is not None and self._writer is not None
        self._writer.write(frame(message))
        async with asyncio.timeout(self.timeout):
            await self._writer.drain()
            reply = await read_frame(self._reader, max_bytes=self._max_frame_bytes)
        if reply is None:
            raise ConnectionError("the peer closed the connection without acknowledging")
        return reply

    async def receive(self) -> bytes | None:
        """The next frame from the peer (e.g. an enhanced-mode application ACK), None at EOF."""
        assert self._reader is not None
        async with asyncio.timeout(self.timeout):
            return await read_frame(self._reader, max_bytes=self._max_frame_bytes)

    async def close(self) -> None:
        """Close the connection."""
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await self._writer.wait_closed()
            self._reader = self._writer = None

    async def __aenter__(self) -> MllpClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

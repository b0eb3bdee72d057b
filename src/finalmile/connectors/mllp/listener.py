"""Asyncio MLLP listener: many concurrent connections, messages on one connection in order."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path

import structlog

from finalmile.connectors.mllp.framing import FrameTooLargeError, frame, read_frame

log = structlog.get_logger(__name__)

#: Handles one inbound message and returns the acknowledgements to send back, in order.
MessageHandler = Callable[[bytes], Awaitable[list[bytes]]]
#: Answers a frame that was refused for its size (the first bytes are given to address the ACK).
OversizeHandler = Callable[[bytes, int], list[bytes]]


class MllpListener:
    """Serves one connector's MLLP port."""

    def __init__(
        self,
        *,
        connector: str,
        on_message: MessageHandler,
        on_oversize: OversizeHandler,
        max_frame_bytes: int,
        idle_timeout: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.connector = connector
        self._on_message = on_message
        self._on_oversize = on_oversize
        self._max_frame_bytes = max_frame_bytes
        self._idle_timeout = idle_timeout
        self._ssl = ssl_context
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._reading: set[asyncio.Task[None]] = set()
        self._closing = False

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (port 0 picks a free one) and return the bound port."""
        self._server = await asyncio.start_server(
            self._serve_connection,
            host,
            port,
            ssl=self._ssl,
            limit=self._max_frame_bytes + 2,
        )
        bound = int(self._server.sockets[0].getsockname()[1])
        log.info(
            "mllp_listening", connector=self.connector, host=host, port=bound, tls=bool(self._ssl)
        )
        return bound

    async def stop(self, *, grace_seconds: float = 10.0) -> None:
        """Stop accepting; close idle connections; let messages in flight finish and be ACKed.

        A connection still busy after ``grace_seconds`` is cut; its sender resends, and intake's
        dedupe makes the resend harmless.
        """
        if self._server is None:
            return
        self._server.close()
        self._closing = True
        for task in self._reading:
            task.cancel()
        if self._connections:
            _, late = await asyncio.wait(self._connections, timeout=grace_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        peer = writer.get_extra_info("peername")
        log.info("mllp_connected", connector=self.connector, peer=str(peer))
        try:
            while not self._closing:
                raw = await self._next_frame(task, reader, writer)
                if raw is None:
                    break
                # Shielded: a peer hanging up mid-commit must not cancel the commit itself.
                acks = await asyncio.shield(self._on_message(raw))
                await self._send(writer, acks)
        except asyncio.CancelledError:
            pass  # stop() ends idle connections this way; nothing is in flight
        except TimeoutError:
            log.info("mllp_idle_timeout", connector=self.connector, peer=str(peer))
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError) as exc:
            log.info(
                "mllp_connection_lost", connector=self.connector, error_type=type(exc).__name__
            )
        except Exception:  # a bug of ours: log it, close this connection, keep serving the rest
            log.exception("mllp_connection_failed", connector=self.connector)
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.CancelledError):
                await writer.wait_closed()
            log.info("mllp_disconnected", connector=self.connector, peer=str(peer))

    async def _next_frame(
        self, task: asyncio.Task[None], reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bytes | None:
        """The next message; oversized frames are answered here and skipped."""
        self._reading.add(task)
        try:
            while True:
                try:
                    async with asyncio.timeout(self._idle_timeout):
                        return await read_frame(reader, max_bytes=self._max_frame_bytes)
                except FrameTooLargeError as exc:
                    log.warning("mllp_frame_too_large", connector=self.connector, limit=exc.limit)
                    await self._send(writer, self._on_oversize(exc.head, exc.limit))
        finally:
            self._reading.discard(task)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, acks: list[bytes]) -> None:
        for ack in acks:
            writer.write(frame(ack))
        await writer.drain()


def server_ssl_context(cert: Path, key: Path, client_ca: Path | None) -> ssl.SSLContext:
    """TLS for the listener; with ``client_ca`` clients must present a certificate (mutual TLS)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    if client_ca is not None:
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context

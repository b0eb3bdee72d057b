"""Listening TCP sockets for the HTTP servers (the service and the carrier sandbox)."""

from __future__ import annotations

import socket

#: Enough pending connections for a benchmark that opens hundreds at once.
BACKLOG = 2048


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket whose connections get TCP_NODELAY.

    asyncio sets TCP_NODELAY only on sockets whose ``proto`` is IPPROTO_TCP, and
    ``socket.create_server`` leaves it 0: every answer on a kept-alive connection then waits for
    the client's delayed ACK (40 ms on Linux) before its body leaves.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock

"""Servers as child processes, for process-level tests and benchmarks (loopback only)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

HOST = "127.0.0.1"
#: Below the Linux ephemeral range (32768+): an outgoing connection (a client reconnecting while
#: its server restarts, say) can then never hold a port the server must bind again.
SERVER_PORTS = (20_000, 32_000)
STARTUP_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    """A loopback port that is free now, below the ephemeral range."""
    for _ in range(100):
        port = random.randint(*SERVER_PORTS)  # noqa: S311 - not cryptographic
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {SERVER_PORTS}")


class ChildServer:
    """A server run as a child process, ready once ``port`` accepts TCP connections.

    It can be killed (SIGKILL: no shutdown code runs) or stopped gracefully, and started again on
    the same ports; its output goes to ``log_path`` and ``log_tail()`` quotes it in failures.
    """

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        port: int,
        env: Mapping[str, str],
        log_path: Path,
    ) -> None:
        self.name = name
        self.port = port
        self.starts = 0
        self._command = list(command)
        self._env = dict(env)
        self._log_path = log_path
        self._process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    async def start(self) -> None:
        """Start the process and wait until it accepts connections.

        Raises:
            RuntimeError: it exited, or was not ready within ``STARTUP_TIMEOUT_SECONDS``.
        """
        assert self._process is None, f"{self.name} is already running"
        self._log = self._log_path.open("ab")
        self._process = await asyncio.create_subprocess_exec(
            *self._command,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.starts += 1
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            try:
                _, writer = await asyncio.open_connection(HOST, self.port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return
        raise RuntimeError(
            f"{self.name} not ready in {STARTUP_TIMEOUT_SECONDS} s:\n{self.log_tail()}"
        )

    async def kill(self) -> None:
        """SIGKILL: whatever was in flight is cut off."""
        await self._stop(signal.SIGKILL)

    async def terminate(self) -> int:
        """SIGTERM (a graceful stop); returns the exit status."""
        return await self._stop(signal.SIGTERM)

    async def _stop(self, signum: signal.Signals) -> int:
        assert self._process is not None and self._log is not None
        if self._process.returncode is None:
            self._process.send_signal(signum)
        try:
            async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
                code = await self._process.wait()
        except TimeoutError:
            self._process.kill()
            code = await self._process.wait()
        self._log.close()
        self._process = self._log = None
        return code

    @property
    def pid(self) -> int:
        """The running child's process id."""
        assert self._process is not None, f"{self.name} is not running"
        return self._process.pid

    @property
    def running(self) -> bool:
        """Whether the child process is alive."""
        return self._process is not None and self._process.returncode is None

    @property
    def started(self) -> bool:
        """Whether a child process was started and not yet reaped."""
        return self._process is not None

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's output."""
        text = self._log_path.read_text(errors="replace") if self._log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def finalmile_server(*, env: Mapping[str, str], log_path: Path) -> ChildServer:
    """``python -m finalmile serve`` on free HTTP and MLLP ports; ``port`` is the MLLP one.

    ``env`` must name the database (``FINALMILE_DATABASE_URL``) and a secret key.
    """
    mllp_port, http_port = free_port(), free_port()
    command = [sys.executable, "-m", "finalmile", "serve"]
    command += ["--port", str(http_port), "--mllp-port", str(mllp_port)]
    return ChildServer(
        "finalmile", command, port=mllp_port, env={**os.environ, **env}, log_path=log_path
    )

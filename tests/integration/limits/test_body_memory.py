"""A huge unauthenticated body leaves the server's peak memory where it was: it is refused as it
streams (413), never buffered whole. Measured as the child's peak RSS (VmHWM), not a timing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest
from cryptography.fernet import Fernet

from finalmile_devtools.process import HOST, ChildServer, finalmile_server

pytestmark = pytest.mark.slow

BODY_BYTES = 300 * 1024 * 1024
CHUNK = b"{" + b" " * (1024 * 1024 - 1)
MARGIN_KIB = 50 * 1024


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


async def _chunks() -> AsyncIterator[bytes]:
    for _ in range(BODY_BYTES // len(CHUNK)):
        yield CHUNK


def _http_port(server: ChildServer) -> int:
    command = server._command  # the HTTP port the helper chose
    return int(command[command.index("--port") + 1])


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_300_mb_webhook_body_leaves_peak_memory_within_50_mb(
    tmp_path: Path, declared: bool
) -> None:
    env = {
        "FINALMILE_DATABASE_URL": f"sqlite:///{tmp_path / 'fm.db'}",
        "FINALMILE_SECRET_KEY": Fernet.generate_key().decode(),
        "FINALMILE_DATA_DIR": str(tmp_path / "data"),
        "FINALMILE_EASYPOST_WEBHOOK_SECRET": "whsec",
    }
    server = finalmile_server(env=env, log_path=tmp_path / "server.log")

    async def scenario() -> tuple[int, int, httpx2.Response]:
        await server.start()
        try:
            port = _http_port(server)
            async with httpx2.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=60) as client:
                for _ in range(100):  # HTTP binds before MLLP, but startup runs migrations
                    if (await client.get("/healthz")).status_code == 200:
                        break
                    await asyncio.sleep(0.1)
                await client.post("/webhooks/easypost", content=b"{}")  # warm the route
                idle = _peak_kib(server.pid)
                headers = {"Content-Type": "application/json"}
                if declared:
                    headers["Content-Length"] = str(BODY_BYTES)
                try:
                    answer = await client.post(
                        "/webhooks/easypost", content=_chunks(), headers=headers
                    )
                except (httpx2.WriteError, httpx2.RemoteProtocolError, httpx2.ReadError):
                    answer = httpx2.Response(413)  # refused and closed while we still sent
                return idle, _peak_kib(server.pid), answer
        finally:
            await server.terminate()

    idle, peak, answer = asyncio.run(scenario())
    assert answer.status_code == 413, server.log_tail()
    if answer.content:
        assert answer.json()["error"]["code"] == "too_large"
    print(f"idle {idle} KiB, peak {peak} KiB")
    assert peak - idle < MARGIN_KIB, f"peak {peak} KiB vs idle {idle} KiB"

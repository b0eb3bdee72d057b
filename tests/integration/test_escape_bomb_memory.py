"""The 362-byte escape bomb leaves the real service's memory flat (peak RSS, not a timing).

``\\.sp300000000\\\\.sk300000000\\`` decodes to 600 million characters; the service refuses it
(AE naming the field) from the escape's digits, without expanding it.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from cryptography.fernet import Fernet

from finalmile.connectors.mllp.client import MllpClient
from finalmile_devtools import finalmile_server
from tests.hl7_builder import msa, rde, segment

BOMB = rde("BOMB1", "RX-BOMB").replace(b"Leave with concierge", b"\\.sp300000000\\\\.sk300000000\\")
MEGABYTE = 1024 * 1024


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {key} for process {pid}")


def _reset_peak(pid: int) -> None:
    """Make VmHWM start again from the current RSS (Linux: clear_refs, value 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def test_the_escape_bomb_is_refused_with_memory_flat(
    tmp_path: Path, _sqlite_template: Path
) -> None:
    database = tmp_path / "finalmile.db"
    shutil.copy(_sqlite_template, database)
    env = {
        "FINALMILE_DATABASE_URL": f"sqlite:///{database}",
        "FINALMILE_SECRET_KEY": Fernet.generate_key().decode(),
        "FINALMILE_DATA_DIR": str(tmp_path / "data"),
    }
    server = finalmile_server(env=env, log_path=tmp_path / "server.log")

    async def run() -> tuple[bytes, int, int]:
        await server.start()
        try:
            async with MllpClient("127.0.0.1", server.port, timeout=60) as client:
                # Warm up: the first message loads what intake loads lazily.
                assert msa(await client.send(rde("WARM1", "RX-WARM")))[1] == "AA"
                _reset_peak(server.pid)
                idle = _status_kb(server.pid, "VmRSS")
                ack = await client.send(BOMB)
                peak = _status_kb(server.pid, "VmHWM")
            return ack, idle, peak
        finally:
            await server.kill()

    ack, idle_kb, peak_kb = asyncio.run(run())
    assert msa(ack)[1] == "AE"
    err = segment(ack, "ERR")
    assert err is not None and err[2] == "ZDL^1^4" and err[3].startswith("102^")
    assert (peak_kb - idle_kb) * 1024 < 50 * MEGABYTE, (idle_kb, peak_kb)

"""Durability under SIGKILL: after restarts, every acknowledged message has exactly one order.

The real service runs as a child process. Four MLLP connections stream 2,000 synthetic orders and,
like an interface engine, resend each message until it is acknowledged with AA, while the server
is killed with SIGKILL at seeded random points of the stream and restarted. One message in ten
reuses the control id (MSH-10) of the one before it, as a PMS does after a counter reset: it is a
different order and must exist too. The database is then checked directly.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select

from finalmile.adapters.hl7v2.parse import parse
from finalmile.connectors.mllp.client import MllpClient
from finalmile.messages.models import InboundMessage, MessageOrderLink, MessageStatus
from finalmile.orders.models import Order, OrderItem
from finalmile_devtools import (
    STORAGE_CODES,
    ChildServer,
    control_id_for,
    finalmile_server,
    order_id_for,
    rde_o11,
)

pytestmark = pytest.mark.slow

MESSAGES = 2_000
CONNECTIONS = 4
KILLS = 5
SEED = 20_261_122
RESEND_SAMPLE = 25
STREAM_BUDGET_SECONDS = 300.0
ACK_TIMEOUT_SECONDS = 10.0
RETRY_PAUSE_SECONDS = 0.02
#: Messages sent under the control id of the message before them (a reused MSH-10).
REUSED = frozenset(range(9, MESSAGES, 10))


@dataclass
class Ledger:
    """What the senders saw: AA per message, and how often each was written."""

    acked: set[int] = field(default_factory=set)
    sends: Counter[int] = field(default_factory=Counter)
    kills: int = 0
    resent_during_stream: int = 0


def _ack_code(ack: bytes) -> str:
    msa = parse(ack.decode("ascii")).segment("MSA")
    assert msa is not None, ack
    return msa.value(1) or ""


def _message(sequence: int) -> bytes:
    message = rde_o11(sequence, storage=STORAGE_CODES[sequence % len(STORAGE_CODES)])
    if sequence in REUSED:
        own, reused = control_id_for(sequence), control_id_for(sequence - 1)
        message = message.replace(own.encode(), reused.encode(), 1)
    return message


async def _send_until_aa(
    client: MllpClient, sequences: list[int], ledger: Ledger, deadline: float
) -> None:
    """Send each message in turn until it is answered AA; resend after AR or a lost connection.

    AE (or anything else) fails at once: the content was rejected and resending cannot help.
    Only the stream's deadline bounds the resends: how many a restart takes depends on how fast
    the machine starts the server, not on finalmile.
    """
    connected = False
    try:
        for sequence in sequences:
            message = _message(sequence)
            while True:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"message {sequence} not acknowledged within the stream's"
                        f" {STREAM_BUDGET_SECONDS} s"
                    )
                try:
                    if not connected:
                        await client.connect()
                        connected = True
                    ledger.sends[sequence] += 1
                    code = _ack_code(await client.send(message))
                except (OSError, EOFError):  # refused, reset, closed, timed out, cut mid-frame
                    await client.close()
                    connected = False
                    await asyncio.sleep(RETRY_PAUSE_SECONDS)
                    continue
                if code == "AA":
                    ledger.acked.add(sequence)
                    break
                assert code == "AR", f"message {sequence} answered {code}"
                await asyncio.sleep(RETRY_PAUSE_SECONDS)
    finally:
        await client.close()


async def _kill_during_stream(
    server: ChildServer, ledger: Ledger, thresholds: list[int], rng: random.Random, deadline: float
) -> None:
    """SIGKILL the server once the stream passes each threshold (plus a random delay), restart."""
    for threshold in thresholds:
        while len(ledger.acked) < threshold:
            assert time.monotonic() < deadline, "stream stalled before a planned kill"
            assert server.running, f"server died on its own:\n{server.log_tail()}"
            await asyncio.sleep(0.002)
        await asyncio.sleep(rng.uniform(0.0, 0.03))
        await server.kill()
        ledger.kills += 1
        await server.start()


async def _stream_with_kills(server: ChildServer, ledger: Ledger, rng: random.Random) -> None:
    deadline = time.monotonic() + STREAM_BUDGET_SECONDS
    # Kill points are spread over the stream, at least 100 acknowledgements apart.
    thresholds = sorted(rng.sample(range(150, MESSAGES - 150, 100), KILLS))
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(_kill_during_stream(server, ledger, thresholds, rng, deadline))
        for lane in range(CONNECTIONS):
            client = MllpClient("127.0.0.1", server.port, timeout=ACK_TIMEOUT_SECONDS)
            sequences = list(range(lane, MESSAGES, CONNECTIONS))
            tasks.create_task(_send_until_aa(client, sequences, ledger, deadline))


async def _run(server: ChildServer, ledger: Ledger, rng: random.Random) -> int:
    """Stream with kills, kill once more, resend a sample, stop gracefully; the exit status."""
    try:
        await server.start()
        await _stream_with_kills(server, ledger, rng)
        ledger.resent_during_stream = sum(1 for count in ledger.sends.values() if count > 1)
        # What was acknowledged must already be on disk: kill once more, then resend a sample of
        # acknowledged messages to the restarted server, as a sender that missed the ACKs would.
        await server.kill()
        ledger.kills += 1
        await server.start()
        sample = sorted(rng.sample(sorted(ledger.acked), RESEND_SAMPLE))
        async with MllpClient("127.0.0.1", server.port, timeout=ACK_TIMEOUT_SECONDS) as client:
            for sequence in sample:
                ledger.sends[sequence] += 1
                assert _ack_code(await client.send(_message(sequence))) == "AA"
        return await server.terminate()
    finally:
        if server.started:
            await server.kill()


def test_sigkill_during_stream_loses_and_duplicates_nothing(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        "FINALMILE_DATABASE_URL": database_url,
        "FINALMILE_SECRET_KEY": Fernet.generate_key().decode(),
        "FINALMILE_DATA_DIR": str(tmp_path / "data"),
    }
    server = finalmile_server(env=env, log_path=tmp_path / "server.log")
    ledger = Ledger()
    status = asyncio.run(_run(server, ledger, random.Random(SEED)))
    # uvicorn re-raises SIGTERM once its graceful shutdown is complete.
    assert status in (0, -signal.SIGTERM), server.log_tail()

    # The stream needed resends because of the kills: the test did exercise recovery.
    assert ledger.kills == KILLS + 1
    assert server.starts == KILLS + 2
    assert ledger.resent_during_stream > 0, "no message needed a resend: no kill hit the stream"
    assert ledger.acked == set(range(MESSAGES))

    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            orders = db.execute(
                select(Order.id, Order.order_id).where(Order.connector == "default")
            ).all()
            items = Counter(db.scalars(select(OrderItem.order_pk)))
            messages = db.execute(
                select(
                    InboundMessage.id,
                    InboundMessage.control_id,
                    InboundMessage.status,
                    InboundMessage.duplicate_of,
                    InboundMessage.sha256,
                    InboundMessage.flag,
                ).where(InboundMessage.connector == "default")
            ).all()
            links = db.execute(select(MessageOrderLink.message_id, MessageOrderLink.order_pk)).all()
    finally:
        engine.dispose()

    # Every acknowledged message has exactly one order, none twice, each with one item.
    order_ids = Counter(row.order_id for row in orders)
    assert set(order_ids) == {order_id_for(s) for s in ledger.acked}
    assert max(order_ids.values()) == 1
    assert items == {row.id: 1 for row in orders}

    # One accepted message per order; every other stored copy is a resend (same bytes) of one.
    accepted = {row.id: row for row in messages if row.status == MessageStatus.ACCEPTED}
    duplicates = [row for row in messages if row.status == MessageStatus.DUPLICATE]
    assert len(accepted) == len(orders) == MESSAGES
    assert len(accepted) + len(duplicates) == len(messages), "no message may be rejected"
    assert all(accepted[row.duplicate_of].sha256 == row.sha256 for row in duplicates)
    assert len(duplicates) >= RESEND_SAMPLE
    assert len(messages) <= sum(ledger.sends.values())
    # A reused control id is two accepted messages, the later one flagged.
    control_ids = Counter(row.control_id for row in accepted.values())
    assert control_ids == Counter(control_id_for(s - 1 if s in REUSED else s) for s in ledger.acked)
    flagged = [row for row in messages if row.flag is not None]
    assert len(flagged) == len(REUSED)
    assert all(row.status == MessageStatus.ACCEPTED for row in flagged)

    # Each accepted message is linked to the order it created, and to nothing else.
    assert len(links) == MESSAGES
    assert {row.message_id for row in links} == set(accepted)
    assert {row.order_pk for row in links} == {row.id for row in orders}

"""Storage known or the order waits, end to end over MLLP: the item master supplies a storage
class the message left out; without an entry the order is held, saying what to do."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from finalmile.canonical import StorageClass, StorageSource
from finalmile.connectors.mllp.client import MllpClient
from finalmile.items import ItemEntry, ItemService
from finalmile.orders.models import Order, OrderItem
from finalmile.provided import Provided
from finalmile.rules import Decider, DeliveryType
from finalmile.rules.models import DecisionRecord
from tests.hl7_builder import msa, rde

TUESDAY = dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)  # 10:00 in Cambridge MA
INSULIN = "00002-8215-01"
UNLISTED = "00078-0401-34"


def _send(port: int, messages: list[bytes]) -> list[bytes]:
    async def run() -> list[bytes]:
        async with MllpClient("127.0.0.1", port, timeout=10) as client:
            return [await client.send(m) for m in messages]

    return asyncio.run(run())


def _decisions(provided: Provided) -> dict[str, dict[str, object]]:
    decider = provided.get(Decider)
    decider.clock = lambda: TUESDAY
    decider.decide_pending()
    with provided.sessions() as session:
        read = [decider.read(record) for record in session.scalars(select(DecisionRecord))]
    return {str(decision["order_id"]): decision for decision in read}


def test_item_master_storage_decides_cold_chain_and_an_unknown_ndc_is_held(
    client: TestClient,
) -> None:
    provided: Provided = client.app.state.provided  # type: ignore[attr-defined]
    provided.get(ItemService).save(
        [ItemEntry(ndc=INSULIN, storage=StorageClass.REFRIGERATED, insulated_shipper=True)]
    )
    acks = _send(
        client.app.state.mllp_port,  # type: ignore[attr-defined]
        [
            rde("S1", "RX-MASTER", storage=""),  # no storage field: the item master's class
            rde("S2", "RX-SAID-R", storage="R"),  # the same product, refrigerated in the message
            rde("S3", "RX-SAID-A", storage="A"),  # the message says ambient: the colder wins
            rde("S4", "RX-UNLISTED", storage="", ndc=UNLISTED),  # neither: the order waits
            rde("S5", "RX-AMBIENT", storage="A", ndc=UNLISTED),  # ambient, for the price
        ],
    )
    assert [msa(ack)[1] for ack in acks] == ["AA"] * 5

    with provided.sessions() as session:
        stored = {
            order.order_id: (order.storage, item.storage, item.storage_source)
            for order, item in session.execute(
                select(Order, OrderItem).join(OrderItem, OrderItem.order_pk == Order.id)  # type: ignore[arg-type]
            )
        }
    cold = StorageClass.REFRIGERATED
    assert stored == {
        "RX-MASTER": (cold, cold, StorageSource.ITEM_MASTER),
        "RX-SAID-R": (cold, cold, StorageSource.MESSAGE),
        "RX-SAID-A": (cold, cold, StorageSource.MASTER_COLDER),
        "RX-UNLISTED": (None, None, None),
        "RX-AMBIENT": (StorageClass.AMBIENT, StorageClass.AMBIENT, StorageSource.MESSAGE),
    }

    decided = _decisions(provided)
    master, said = decided["RX-MASTER"], decided["RX-SAID-R"]
    assert master["delivery_type"] == DeliveryType.COURIER.value
    # Priced as cold chain (the refrigerated surcharge), as if the message had said so.
    assert (master["service"], master["cost"]) == (said["service"], said["cost"])
    ambient = decided["RX-AMBIENT"]
    assert Decimal(str(master["cost"])) > Decimal(str(ambient["cost"]))
    colder = decided["RX-SAID-A"]
    assert colder["cost"] == said["cost"]
    assert any(
        "item master is colder than the message" in reason
        for reason in colder["reasons"]  # type: ignore[attr-defined]
    )
    held = decided["RX-UNLISTED"]
    assert held["delivery_type"] == DeliveryType.HOLD.value
    assert held["reasons"] == [
        f"Hold: storage requirement unknown for NDC {UNLISTED}: add it to the item master or "
        "send it in the message"
    ]

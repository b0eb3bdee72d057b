"""Storage known or the order waits, end to end over MLLP: the item master supplies a storage
class the message left out; without an entry the order is held, saying what to do."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from finalmile.app import Services, import_items
from finalmile.audit import history
from finalmile.canonical import StorageClass, StorageSource
from finalmile.connectors.mllp.client import MllpClient
from finalmile.items import ItemEntry, ItemService, ReleasedOrder
from finalmile.orders.models import Order, OrderItem, OrderStatus
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


def test_a_held_order_is_released_and_decided_cold_chain_when_its_ndc_is_imported(
    client: TestClient, tmp_path: Path
) -> None:
    provided: Provided = client.app.state.provided  # type: ignore[attr-defined]
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    port = client.app.state.mllp_port  # type: ignore[attr-defined]
    acks = _send(
        port,
        [
            rde("H1", "RX-WAITS", storage="", ndc=UNLISTED),  # no class anywhere: held
            rde("H2", "RX-PRICE", storage="R"),  # refrigerated by message, for the price
        ],
    )
    assert [msa(ack)[1] for ack in acks] == ["AA", "AA"]
    held = _decisions(provided)["RX-WAITS"]
    assert held["delivery_type"] == DeliveryType.HOLD.value

    items = tmp_path / "items.csv"
    items.write_text(f"ndc,storage,insulated_shipper\n{UNLISTED},refrigerated,true\n")
    done = import_items(services, items)

    assert done.count == 1
    assert done.released == [ReleasedOrder("RX-WAITS", "default")]
    assert done.decided == {"RX-WAITS": DeliveryType.COURIER.value} and done.deferred == []
    with provided.sessions() as session:
        order = session.scalars(select(Order).where(Order.order_id == "RX-WAITS")).one()  # type: ignore[arg-type]
        line = session.scalars(select(OrderItem).where(OrderItem.order_pk == order.id)).one()  # type: ignore[arg-type]
        records = session.scalars(
            select(DecisionRecord).where(DecisionRecord.order_pk == order.id)  # type: ignore[arg-type]
        ).all()
        actions = [e.action for e in history(session=session, entity="order", entity_id=order.id)]
        decisions = [provided.get(Decider).read(r) for r in records]
    assert (order.storage, order.version) == (StorageClass.REFRIGERATED, 2)
    assert (line.storage, line.storage_source) == (
        StorageClass.REFRIGERATED,
        StorageSource.ITEM_MASTER,
    )
    assert actions[-4:] == ["storage_resolved", "status", "decided", "status"]
    assert order.status is OrderStatus.READY
    latest = decisions[-1]
    priced = _decisions(provided)["RX-PRICE"]
    assert latest["delivery_type"] == DeliveryType.COURIER.value
    assert latest["cost"] == priced["cost"]  # the cold chain price of a refrigerated order
    assert not any("storage requirement unknown" in r for r in latest["reasons"])  # type: ignore[attr-defined]

    again = import_items(services, items)  # nothing is waiting any more
    assert again.released == [] and again.decided == {}

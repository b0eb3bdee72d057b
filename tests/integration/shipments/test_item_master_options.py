"""The item master's dry ice and hazmat flags reach the carrier with every purchase."""

from __future__ import annotations

from pathlib import Path

import pytest

from finalmile.app import Services, import_items
from finalmile.errors import PermanentError
from finalmile.shipments.models import ShipmentState
from finalmile_sandbox.records import ShipmentRecord
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import ingest_orders, labels_by_order

NDC = "99999-0303-05"  # the synthetic refrigerated product of ``rde_o11``


def item_master(services: Services, tmp_path: Path, entry: str) -> None:
    path = tmp_path / "items.yaml"
    path.write_text(f'items:\n  - ndc: "{NDC}"\n    storage: frozen\n{entry}')
    import_items(services, path)


def sandbox_shipment(server: SandboxServer, provider_id: str) -> ShipmentRecord:
    record = server.call(lambda: server.sandbox.store.get(ShipmentRecord, provider_id))
    assert record is not None
    return record


@pytest.mark.parametrize("account", ["easypost", "shippo"])
def test_a_dry_ice_hazmat_item_is_declared_on_the_purchase(
    account: str, shipping: Services, sandbox: SandboxServer, tmp_path: Path
) -> None:
    item_master(
        shipping,
        tmp_path,
        "    dry_ice: true\n    dry_ice_weight_lb: 2\n    hazmat: [limited_quantity]\n",
    )
    [order_id] = ingest_orders(shipping, 1)

    row = shipping.shipments.buy(order_id=order_id, account=account)

    assert row.state is ShipmentState.PURCHASED and row.provider_shipment_id is not None
    record = sandbox_shipment(sandbox, row.provider_shipment_id)
    assert record.dry_ice_weight_oz == pytest.approx(32, abs=0.1)  # 2 lb
    if account == "easypost":
        assert record.options["dry_ice"] is True and record.options["dry_ice_medical"] is True
        assert record.options["hazmat"] == "LIMITED_QUANTITY"
    else:
        assert record.options["dry_ice"]["contains_dry_ice"] is True
        assert record.options["dangerous_goods"] == {"contains": True}
    # Declared dangerous goods narrow USPS to Ground Advantage: no other USPS rate was offered.
    usps = {r.service_token for r in record.rates if r.service_token.startswith("usps")}
    assert usps == {"usps_ground_advantage"}
    assert labels_by_order(sandbox) == {order_id: 1}


def test_dry_ice_without_a_weight_is_not_bought(
    shipping: Services, sandbox: SandboxServer, tmp_path: Path
) -> None:
    item_master(shipping, tmp_path, "    dry_ice: true\n")
    [order_id] = ingest_orders(shipping, 1)

    with pytest.raises(PermanentError, match=r"NDC 99999-0303-05; add dry_ice_weight_lb"):
        shipping.shipments.buy(order_id=order_id, account="easypost")
    assert labels_by_order(sandbox) == {}

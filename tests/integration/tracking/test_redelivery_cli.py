"""``finalmile redelivery``: the role matrix is checked, a wrong status is refused naming it, and
a reship of an unscanned label voids it and buys anew, recorded as ``cli:NAME`` in its role."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.audit import history
from finalmile.auth import Role
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.orders import find_order
from finalmile.rules import Override
from finalmile.shipments import ShipmentState
from tests.integration.shipments.conftest import ingest_orders

runner = CliRunner()

#: The fixture order's needed-by has passed, so the rules hold it: a pharmacist sends it on.
PAST_DUE = Override(
    by="test", roles=frozenset({Role.PHARMACIST}), reason="needed-by passed: send it anyway"
)


def test_reship_from_the_command_line_voids_an_unscanned_label_and_buys_again(
    tracked: Services, cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINALMILE_CARRIERS", json.dumps(cli_env.carriers))
    (order_id,) = ingest_orders(tracked, 1, start=760)
    tracked.decider.decide_backlog()
    tracked.shipments.buy(order_id=order_id, account="easypost", override=PAST_DUE)
    common = ["--by", "dana", "--reason", "label damaged"]

    billing = runner.invoke(app, ["redelivery", "reship", order_id, "--role", "billing", *common])
    reattempt = runner.invoke(
        app, ["redelivery", "reattempt", order_id, "--role", "dispatcher", *common]
    )
    done = runner.invoke(
        app,
        [
            "redelivery",
            "reship",
            order_id,
            "--role",
            "dispatcher",
            "--account",
            "easypost",
            *common,
        ],
    )

    assert (
        billing.exit_code == 1 and "reship needs the role dispatcher, pharmacist" in billing.stderr
    )
    assert reattempt.exit_code == 1
    assert f"order {order_id!r} is dispatched; reattempt is not possible then" in reattempt.stderr
    assert done.exit_code == 0, done.stderr
    old, new = tracked.shipments.for_order(order_id=order_id)
    assert (old.state, new.state) == (ShipmentState.VOIDED, ShipmentState.PURCHASED)
    assert json.loads(done.stdout)["shipment"] == new.key
    with tracked.sessions() as session:
        order = find_order(session=session, order_id=order_id, connector=None)
        events = history(session, entity="order", entity_id=order.id or 0)
    assert order.status.value == "dispatched"
    reship = [e for e in events if e.action == "reship"]
    assert [(e.actor, e.detail["role"], e.detail["reason"]) for e in reship] == [
        ("cli:dana", "dispatcher", "label damaged")
    ]
    assert [(e.from_status, e.to_status, e.actor) for e in events[-2:]] == [
        ("dispatched", "ready", "cli:dana"),
        ("ready", "dispatched", "cli:dana"),
    ]

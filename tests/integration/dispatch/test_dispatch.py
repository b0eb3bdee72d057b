"""From a received order to one bought label: decided from live sandbox rates, then dispatched
once, with carrier outages leaving the order for the next run (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.app.scheduler import build_scheduler
from finalmile.cli import app as cli
from finalmile.config.settings import Settings
from finalmile.errors import ConflictError
from finalmile.rules.facts import DeliveryType
from finalmile.rules.models import DecisionRecord
from finalmile.rules.service import list_current
from finalmile.shipments.models import ShipmentState
from finalmile_sandbox.faults import Fault, FaultKind
from finalmile_sandbox.records import ShipmentRecord
from finalmile_sandbox.server import SandboxServer
from tests.hl7_builder import rde
from tests.integration.shipments.conftest import labels_by_order
from tests.integration.shipments.test_api_cli import cli_env

ORDER = "RX-D1"


def receive(services: Services) -> None:
    """A refrigerated order asking for a signature, with no needed-by date (so the test does not
    depend on today's date)."""
    raw = rde("D1", ORDER).replace(b"ZDL|20261124170000-0500|", b"ZDL||")
    [outcome] = services.intake.ingest_hl7([raw], connector="default")
    assert outcome.error is None


def current(services: Services) -> dict[str, object]:
    with services.sessions() as session:
        [(record, _)] = list_current(session=session, delivery_type=None, limit=10)
        return services.decider.read(record)


def decisions(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(DecisionRecord)) or 0


def test_an_order_decided_from_live_rates_is_dispatched_to_exactly_one_label(
    live: Services, sandbox: SandboxServer
) -> None:
    receive(live)
    assert live.decider.decide_backlog() == 1

    decision = current(live)
    assert decision["delivery_type"] == DeliveryType.CARRIER.value
    assert decision["carrier"] in {"easypost", "shippo"}  # the account, so it can be bought
    assert decision["options"] == ["adult_signature"]
    reasons = decision["reasons"]
    assert isinstance(reasons, list)
    # The sandbox's own service names reach the pharmacist's reasons.
    assert any("UPS Ground (easypost)" in r or "ups_ground (shippo)" in r for r in reasons)
    assert reasons[-1].startswith(f"Chose {decision['label']}:")

    [done] = live.dispatcher.dispatch_pending()

    shipment = done.shipment
    assert shipment is not None and shipment.state is ShipmentState.PURCHASED
    assert shipment.account == decision["carrier"]
    assert shipment.requested_service == decision["service"]
    assert shipment.options["adult_signature"] is True
    assert labels_by_order(sandbox) == {ORDER: 1}


def test_dispatching_again_buys_nothing_more(live: Services, sandbox: SandboxServer) -> None:
    receive(live)
    live.decider.decide_backlog()
    assert live.dispatcher.run() == 1

    assert live.dispatcher.dispatch_pending() == []
    assert live.dispatcher.run() == 0
    again = live.dispatcher.dispatch_order(order_id=ORDER)  # a person asks explicitly

    assert again.shipment is not None
    assert len(live.shipments.for_order(order_id=ORDER)) == 1
    assert labels_by_order(sandbox) == {ORDER: 1}


def test_a_carrier_outage_while_quoting_leaves_the_order_undecided(
    live: Services, sandbox: SandboxServer
) -> None:
    receive(live)
    sandbox.add_fault(Fault(kind=FaultKind.SERVER_ERROR))

    assert live.decider.decide_backlog() == 0
    assert decisions(live) == 0

    sandbox.clear_faults()
    assert live.decider.decide_backlog() == 1
    assert current(live)["delivery_type"] == DeliveryType.CARRIER.value


def test_intake_commits_while_a_decision_batch_waits_for_carrier_rates(
    live: Services, sandbox: SandboxServer
) -> None:
    # Slow carriers: each sandbox call waits 0.7 s (timeout 10 s), so two orders quote for ~3 s.
    receive(live)
    second = rde("D9", "RX-D9").replace(b"ZDL|20261124170000-0500|", b"ZDL||")
    live.intake.ingest_hl7([second], connector="default")
    sandbox.add_fault(Fault(kind=FaultKind.LATENCY, latency_ms=700))
    quoted = sandbox.call(lambda: len(list(sandbox.sandbox.store.all(ShipmentRecord))))
    batch = threading.Thread(target=live.decider.decide_backlog)
    batch.start()
    # Once the first order's rates are in, the batch is still quoting the second one ...
    while sandbox.call(lambda: len(list(sandbox.sandbox.store.all(ShipmentRecord)))) < quoted + 2:
        assert batch.is_alive()
        batch.join(0.05)

    # ... and a new order is committed (and would be acknowledged) without waiting for it.
    [outcome] = live.intake.ingest_hl7([rde("D10", "RX-D10")], connector="default")

    assert outcome.error is None and outcome.durable_success
    assert batch.is_alive() and decisions(live) == 0
    batch.join()
    assert decisions(live) == 2


def test_an_order_changed_while_it_is_quoted_is_decided_at_its_new_version(
    live: Services, sandbox: SandboxServer
) -> None:
    receive(live)
    sandbox.add_fault(Fault(kind=FaultKind.LATENCY, latency_ms=700, times=2))
    batch = threading.Thread(target=live.decider.decide_backlog)
    batch.start()
    # The PMS amends the order while the batch is waiting for its rates. SQLite: the batch's
    # decision of version 1 is dropped. PostgreSQL: an amendment that comes after the batch took
    # its row lease waits for it, so version 1 is decided first. Version 2 is decided, once.
    live.intake.ingest_hl7([rde("D1b", ORDER, quantity="5")], connector="default")
    batch.join()

    live.decider.decide_backlog()
    with live.sessions() as session:
        versions = list(session.scalars(select(DecisionRecord.order_version)))
    leased = session.get_bind().dialect.name == "postgresql"
    assert versions in ([[2], [1, 2]] if leased else [[2]])


def test_a_carrier_outage_while_dispatching_leaves_the_order_for_the_next_run(
    live: Services, sandbox: SandboxServer
) -> None:
    receive(live)
    live.decider.decide_backlog()
    sandbox.add_fault(Fault(kind=FaultKind.SERVER_ERROR))

    [failed] = live.dispatcher.dispatch_pending()

    assert failed.shipment is None and failed.retriable
    assert live.shipments.for_order(order_id=ORDER) == []
    sandbox.clear_faults()
    assert live.dispatcher.run() == 1
    assert labels_by_order(sandbox) == {ORDER: 1}


def test_holds_are_not_dispatched(live: Services, sandbox: SandboxServer) -> None:
    raw = rde("D2", ORDER).replace(b"ZDL|20261124170000-0500|", b"ZDL|20200106170000-0500|")
    live.intake.ingest_hl7([raw], connector="default")  # needed long ago: nothing can make it
    live.decider.decide_backlog()
    assert current(live)["delivery_type"] == DeliveryType.HOLD.value

    assert live.dispatcher.dispatch_pending() == []
    with pytest.raises(ConflictError, match="no current carrier or courier decision"):
        live.dispatcher.dispatch_order(order_id=ORDER)
    assert labels_by_order(sandbox) == {}


def test_the_scheduler_runs_dispatch_when_an_interval_is_set(live: Services) -> None:
    live.settings = live.settings.model_copy(update={"dispatch_interval_seconds": 5.0})
    scheduler = build_scheduler(live)
    assert scheduler is not None
    assert scheduler.get_job("dispatch-decided") is not None


def test_dispatch_command_buys_once_and_names_what_it_cannot(
    live_settings: Settings, live: Services, sandbox: SandboxServer
) -> None:
    receive(live)
    live.decider.decide_backlog()
    env = {
        **cli_env(live_settings),
        "FINALMILE_CONFIG_DIR": str(live_settings.config_dir),
        "FINALMILE_QUOTES": "live",
    }
    runner = CliRunner()

    first = runner.invoke(cli, ["dispatch"], env=env)
    second = runner.invoke(cli, ["dispatch"], env=env)
    unknown = runner.invoke(cli, ["dispatch", "--order", "NOPE"], env=env)

    assert first.exit_code == 0, first.output
    [line] = [json.loads(text) for text in first.stdout.splitlines()]
    assert line["order_id"] == ORDER and line["state"] == "purchased"
    assert second.exit_code == 0 and second.stdout == ""
    assert unknown.exit_code == 1 and "NOPE" in unknown.stderr
    assert labels_by_order(sandbox) == {ORDER: 1}


def test_decide_cli_quotes_live_rates_from_the_carrier_accounts(
    live_settings: Settings, sandbox: SandboxServer, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.hl7"
    orders.write_bytes(rde("Q1", "RX-Q1").replace(b"ZDL|20261124170000-0500|", b"ZDL||"))
    env = {**cli_env(live_settings), "FINALMILE_CONFIG_DIR": str(live_settings.config_dir)}
    command = ["decide", str(orders), "--format", "hl7"]

    live = CliRunner().invoke(cli, [*command, "--quotes", "live"], env=env)
    card = CliRunner().invoke(cli, [*command, "--quotes", "rate_card"], env=env)

    assert live.exit_code == 0, live.output
    assert card.exit_code == 0, card.output
    [by_account], [by_card] = (
        [json.loads(line) for line in r.stdout.splitlines()] for r in (live, card)
    )
    assert by_account["delivery_type"] == by_card["delivery_type"] == "carrier"
    assert by_account["carrier"] in {"easypost", "shippo"}  # live rates name the account
    assert by_card["carrier"] not in {"easypost", "shippo"}  # the rate card names the carrier
    sandbox.add_fault(Fault(kind=FaultKind.SERVER_ERROR))
    down = CliRunner().invoke(cli, [*command, "--quotes", "live"], env=env)
    assert down.exit_code == 2 and "carrier rates are unavailable" in down.stderr
    no_accounts = CliRunner().invoke(
        cli, [*command, "--quotes", "live"], env={**env, "FINALMILE_CARRIERS": "{}"}
    )
    assert no_accounts.exit_code == 2 and "FINALMILE_QUOTES=live needs" in no_accounts.stderr

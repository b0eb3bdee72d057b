"""The shipments API and command line, over the sandbox."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from finalmile.app import Services, build_services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app as cli
from finalmile.config.settings import Settings
from finalmile.main import create_app
from finalmile_sandbox.faults import Fault, FaultKind
from finalmile_sandbox.server import SandboxServer
from tests.integration.shipments.conftest import ingest_orders, labels_by_order


@pytest.fixture
def api(ship_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(ship_settings)) as client:
        yield client


def key(client: TestClient, *scopes: Scope) -> dict[str, str]:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    with services.sessions() as session, session.begin():
        return {"X-API-Key": create_key(session=session, name="t", scopes=scopes).token}


def test_buy_list_label_track_and_void_over_http(api: TestClient, sandbox: SandboxServer) -> None:
    services: Services = api.app.state.services  # type: ignore[attr-defined]
    [order_id] = ingest_orders(services, 1)
    writer = key(api, Scope.ORDERS_WRITE, Scope.ORDERS_READ)
    reader = key(api, Scope.ORDERS_READ)
    body = {"carrier": "easypost", "options": {"label_format": "PDF", "adult_signature": True}}

    assert api.post(f"/orders/{order_id}/shipments", json=body, headers=reader).status_code == 403
    created = api.post(f"/orders/{order_id}/shipments", json=body, headers=writer)
    assert created.status_code == 201, created.text
    shipment = created.json()
    assert shipment["state"] == "purchased" and shipment["tracking_number"]
    assert "patient" not in created.text.lower()
    again = api.post(f"/orders/{order_id}/shipments", json=body, headers=writer)
    assert again.json()["key"] == shipment["key"]

    listed = api.get(f"/orders/{order_id}/shipments", headers=reader).json()
    assert [s["key"] for s in listed] == [shipment["key"]]
    label = api.get(f"/orders/{order_id}/shipments/{shipment['key']}/label", headers=reader)
    assert label.headers["content-type"] == "application/pdf"
    assert label.content.startswith(b"%PDF")
    tracking = api.get(f"/orders/{order_id}/shipments/{shipment['key']}/tracking", headers=reader)
    assert tracking.json()["status"] == "pre_transit"

    void = {"reason": "duplicate order"}
    voided = api.post(
        f"/orders/{order_id}/shipments/{shipment['key']}/void", json=void, headers=writer
    )
    assert voided.json()["state"] == "voided"
    assert labels_by_order(sandbox) == {order_id: 1}


def test_api_errors_name_the_problem(api: TestClient) -> None:
    services: Services = api.app.state.services  # type: ignore[attr-defined]
    [order_id] = ingest_orders(services, 1)
    writer = key(api, Scope.ORDERS_WRITE)
    unknown = api.post(f"/orders/{order_id}/shipments", json={"carrier": "nope"}, headers=writer)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_carrier"
    refused = api.post(
        f"/orders/{order_id}/shipments",
        json={"carrier": "easypost", "service": "teleport"},
        headers=writer,
    )
    assert refused.status_code == 422 and "offered" in refused.json()["error"]["message"]
    missing = api.post("/orders/NOPE/shipments", json={"carrier": "easypost"}, headers=writer)
    assert missing.status_code == 404
    dropship = api.post(
        f"/orders/{order_id}/shipments",
        json={"carrier": "maker", "tracking_number": "1Z1", "shipped_with": "UPS"},
        headers=writer,
    )
    assert dropship.status_code == 201 and dropship.json()["tracking_number"] == "1Z1"


def test_state_conflicts_answer_409(api: TestClient) -> None:
    services: Services = api.app.state.services  # type: ignore[attr-defined]
    [order_id] = ingest_orders(services, 1)
    writer = key(api, Scope.ORDERS_WRITE)
    path = f"/orders/{order_id}/shipments"
    bought = api.post(path, json={"carrier": "easypost"}, headers=writer)
    assert bought.status_code == 201, bought.text
    other = api.post(path, json={"carrier": "shippo"}, headers=writer)
    dropped = api.post(
        path,
        json={"carrier": "maker", "tracking_number": "1Z1", "shipped_with": "UPS"},
        headers=writer,
    )
    void = f"{path}/{bought.json()['key']}/void"
    assert api.post(void, json={"reason": "wrong address"}, headers=writer).status_code == 200
    again = api.post(void, json={"reason": "again"}, headers=writer)

    assert (other.status_code, other.json()["error"]) == (
        409,
        {
            "code": "live_shipment_exists",
            "message": f"order {order_id!r} already has a live shipment with 'easypost';"
            " void it first",
            "location": "carrier",
        },
    )
    assert (dropped.status_code, dropped.json()["error"]["code"]) == (409, "live_shipment_exists")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_voidable")
    assert again.json()["error"]["location"] == "shipment"


def cli_env(settings: Settings) -> dict[str, str]:
    assert settings.secret_key is not None
    return {
        "FINALMILE_DATABASE_URL": settings.resolved_database_url,
        "FINALMILE_DATA_DIR": str(settings.data_dir),
        "FINALMILE_SECRET_KEY": settings.secret_key.get_secret_value(),
        "FINALMILE_CARRIERS": json.dumps(settings.carriers),
    }


def test_ship_command_batch_then_label_and_recover(
    ship_settings: Settings, sandbox: SandboxServer, tmp_path: Path
) -> None:
    services = build_services(ship_settings)
    order_ids = ingest_orders(services, 3)
    services.close()
    runner = CliRunner()
    env = cli_env(ship_settings)

    result = runner.invoke(cli, ["ship", *order_ids, "--carrier", "shippo"], env=env)

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["order_id"] for line in lines] == order_ids
    assert labels_by_order(sandbox) == dict.fromkeys(order_ids, 1)
    out = tmp_path / "label.pdf"
    shown = runner.invoke(
        cli, ["shipments", "label", order_ids[0], lines[0]["shipment"], "-o", str(out)], env=env
    )
    assert shown.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    recovered = runner.invoke(cli, ["shipments", "recover"], env=env)
    assert json.loads(recovered.stdout)["still_open"] == []
    refused = runner.invoke(cli, ["ship", "NOPE", "--carrier", "shippo"], env=env)
    assert refused.exit_code == 1 and "NOPE" in refused.stderr


def test_dropship_csv_import_reports_bad_lines_and_keeps_the_rest(
    ship_settings: Settings, tmp_path: Path
) -> None:
    services = build_services(ship_settings)
    order_ids = ingest_orders(services, 2)
    services.close()
    csv_file = tmp_path / "dropship.csv"
    csv_file.write_text(
        "order_id,carrier_account,shipped_with,tracking_number\n"
        f"{order_ids[0]},maker,UPS,1ZAAA\n"
        f"{order_ids[1]},maker,UPS,\n"
        "NOPE,maker,FedEx,7777\n"
    )
    result = CliRunner().invoke(
        cli, ["shipments", "import-dropship", str(csv_file)], env=cli_env(ship_settings)
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["tracking_number"] == "1ZAAA"
    errors = [json.loads(line) for line in result.stderr.splitlines()]
    assert [e["line"] for e in errors] == [3, 4]
    assert "tracking_number" in errors[0]["error"]


def test_carrier_catalogue_serves_settings_schema_without_secrets(api: TestClient) -> None:
    assert api.get("/carriers", headers=key(api, Scope.ORDERS_READ)).status_code == 403
    catalogue = api.get("/carriers", headers=key(api, Scope.ADMIN)).json()
    easypost = next(i for i in catalogue["integrations"] if i["slug"] == "easypost")
    assert easypost["kind"] == "hub" and "buy" in easypost["capabilities"]
    assert easypost["settings_schema"]["properties"]["api_key"]["writeOnly"] is True
    names = {a["name"] for a in catalogue["accounts"]}
    assert {"easypost", "shippo", "drivers", "maker"} <= names
    assert "EZTK_sandbox_key" not in str(catalogue)


def test_the_server_finishes_a_shipment_left_open_by_an_outage(
    ship_settings: Settings, sandbox: SandboxServer
) -> None:
    settings = ship_settings.model_copy(update={"shipment_recovery_seconds": 0.2})
    with TestClient(create_app(settings)) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        [order_id] = ingest_orders(services, 1)
        writer = key(client, Scope.ORDERS_WRITE, Scope.ORDERS_READ)
        sandbox.add_fault(
            Fault(kind=FaultKind.DROP_CONNECTION, after_commit=True, operation="*.buy")
        )
        sandbox.add_fault(Fault(kind=FaultKind.SERVER_ERROR, operation="*.retrieve"))
        body = {"carrier": "easypost"}

        answer = client.post(f"/orders/{order_id}/shipments", json=body, headers=writer)

        assert answer.status_code == 503
        sandbox.clear_faults()
        deadline = time.monotonic() + 30
        while True:
            [shipment] = client.get(f"/orders/{order_id}/shipments", headers=writer).json()
            if shipment["state"] == "purchased" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert shipment["state"] == "purchased"
        assert labels_by_order(sandbox) == {order_id: 1}


def test_every_carrier_configuration_problem_is_reported_before_anything_runs(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    env = {"FINALMILE_DATA_DIR": str(tmp_path)}
    bad = {"ep": {"type": "easypost"}, "x": {"type": "ups"}}
    result = runner.invoke(
        cli, ["shipments", "list", "X"], env={**env, "FINALMILE_CARRIERS": json.dumps(bad)}
    )
    assert result.exit_code == 2
    assert "carriers.ep.api_key" in result.stderr and "unknown carrier 'ups'" in result.stderr
    garbled = runner.invoke(cli, ["shipments", "list", "X"], env={**env, "FINALMILE_CARRIERS": "{"})
    assert garbled.exit_code == 2 and '"carriers"' in garbled.stderr

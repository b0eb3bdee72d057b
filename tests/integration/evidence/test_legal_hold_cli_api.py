"""Legal holds through ``finalmile archive hold|release|holds``, the purge commands and the API;
the hold's text never reaches the logs."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.logging import configure_logging
from finalmile.main import create_app
from tests.integration.evidence.conftest import store_order
from tests.integration.evidence.test_legal_hold import (
    REASON,
    REFERENCE,
    RELEASE_REASON,
    due_order,
)

runner = CliRunner()
LONG_AGO = dt.datetime(2015, 6, 1, 12, tzinfo=dt.UTC)


def site_time(value: object) -> dt.datetime:
    """An ISO time as the site's (the test settings': America/New_York) wall clock."""
    return dt.datetime.fromisoformat(str(value)).astimezone(ZoneInfo("America/New_York"))


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_cli_places_lists_and_releases_holds_and_purge_keeps_held_orders(
    cli_env: Settings, services: Services
) -> None:
    order = due_order(services, 91, changed=LONG_AGO)
    args = ["--reason", REASON, "--reference", REFERENCE, "--actor", "compliance:rgray"]

    placed = runner.invoke(app, ["archive", "hold", order.order_id, *args])
    dry_run = runner.invoke(app, ["archive", "purge", "--dry-run"])
    purge = runner.invoke(app, ["archive", "purge", "--yes"])
    active = runner.invoke(app, ["archive", "holds"])
    released = runner.invoke(app, ["archive", "release", order.order_id, "--reason", "settled"])
    none_active = runner.invoke(app, ["archive", "holds"])
    everything = runner.invoke(app, ["archive", "holds", "--all"])
    purged = runner.invoke(app, ["archive", "purge", "--yes"])

    assert placed.exit_code == 0, placed.stderr
    (hold,) = lines(placed.stdout)
    assert (hold["order_id"], hold["active"], hold["placed_by"]) == (
        order.order_id,
        True,
        "compliance:rgray",
    )
    assert (hold["reason"], hold["reference"]) == (REASON, REFERENCE)
    reason = f"legal hold since {site_time(hold['placed_at']).date().isoformat()}"
    (listed,) = lines(dry_run.stdout)
    assert (listed["order_id"], listed["outcome"], listed["reason"]) == (
        order.order_id,
        "kept",
        reason,
    )
    (kept,) = lines(purge.stdout)
    assert (kept["outcome"], kept["reason"]) == ("kept", reason)
    assert "0 purged, 1 kept" in purge.stderr
    assert [h["hold_id"] for h in lines(active.stdout)] == [hold["hold_id"]]
    assert released.exit_code == 0, released.stderr
    assert lines(released.stdout)[0]["release_reason"] == "settled"
    assert none_active.stdout == ""
    (history,) = lines(everything.stdout)
    assert (history["active"], history["released_by"]) == (False, "cli")
    assert lines(purged.stdout)[0]["outcome"] == "purged"


def test_cli_errors_name_the_problem(cli_env: Settings, services: Services) -> None:
    order = store_order(services, 92)

    unknown = runner.invoke(app, ["archive", "hold", "RX-NOPE", "--reason", "audit"])
    missing = runner.invoke(app, ["archive", "hold", order.order_id])
    blank = runner.invoke(app, ["archive", "hold", order.order_id, "--reason", "  "])
    first = runner.invoke(app, ["archive", "hold", order.order_id, "--reason", "audit"])
    again = runner.invoke(app, ["archive", "hold", order.order_id, "--reason", "audit"])
    release_missing = runner.invoke(app, ["archive", "release", order.order_id])
    runner.invoke(app, ["archive", "release", order.order_id, "--reason", "done"])
    not_held = runner.invoke(app, ["archive", "release", order.order_id, "--reason", "done"])

    assert (unknown.exit_code, unknown.stderr.strip()) == (1, "no order 'RX-NOPE'")
    assert missing.exit_code == 2 and "--reason" in missing.stderr
    assert (blank.exit_code, blank.stderr.strip()) == (1, "reason: a reason is required")
    assert first.exit_code == 0
    since = site_time(lines(first.stdout)[0]["placed_at"]).isoformat(timespec="minutes")
    assert (again.exit_code, again.stderr.strip()) == (
        1,
        f"order_id: order {order.order_id!r} is already on legal hold since {since} by cli",
    )
    assert release_missing.exit_code == 2 and "--reason" in release_missing.stderr
    assert not_held.exit_code == 1
    assert not_held.stderr.strip() == f"order_id: order {order.order_id!r} is not on legal hold"


def test_api_places_lists_and_releases_holds_with_the_admin_scope(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 93)
    with app_services.sessions() as session, session.begin():
        reader = create_key(session=session, name="reader", scopes=[Scope.ORDERS_READ]).token
    path = f"/orders/{order.order_id}/legal-hold"
    body = {"reason": REASON, "reference": REFERENCE}

    forbidden = client.post(path, json=body, headers={"X-API-Key": reader})
    placed = client.post(path, json=body, headers=headers)
    again = client.post(path, json=body, headers=headers)
    empty = client.post(path, json={"reason": ""}, headers=headers)
    unknown = client.post("/orders/RX-NOPE/legal-hold", json=body, headers=headers)
    listed = client.get("/legal-holds", headers=headers)
    released = client.request("DELETE", path, json={"reason": RELEASE_REASON}, headers=headers)
    not_held = client.request("DELETE", path, json={"reason": "again"}, headers=headers)
    active = client.get("/legal-holds", headers=headers)
    everything = client.get("/legal-holds?all=true", headers=headers)
    schema = client.get("/openapi.json").json()

    assert forbidden.status_code == 403
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert (hold["order_id"], hold["active"], hold["reason"], hold["reference"]) == (
        order.order_id,
        True,
        REASON,
        REFERENCE,
    )
    assert hold["placed_by"].startswith("key:")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_held")
    assert empty.status_code == 422
    assert unknown.status_code == 404
    assert [h["hold_id"] for h in listed.json()] == [hold["hold_id"]]
    assert released.status_code == 200, released.text
    assert (released.json()["active"], released.json()["release_reason"]) == (
        False,
        RELEASE_REASON,
    )
    assert (not_held.status_code, not_held.json()["error"]["code"]) == (409, "not_held")
    assert active.json() == []
    assert [h["hold_id"] for h in everything.json()] == [hold["hold_id"]]
    operations = schema["paths"]["/orders/{order_id}/legal-hold"]
    assert set(operations) == {"post", "delete"}
    assert operations["post"]["tags"] == ["legal holds"]
    assert "/legal-holds" in schema["paths"] and "/orders/{order_id}/archive" in schema["paths"]


def test_the_hold_text_never_reaches_the_logs(
    cli_env: Settings, services: Services, capfd: pytest.CaptureFixture[str]
) -> None:
    held = due_order(services, 94, changed=LONG_AGO)
    api_held = store_order(services, 95)
    text = ["--reason", REASON, "--reference", REFERENCE]
    runs = [
        runner.invoke(app, ["archive", "hold", held.order_id, *text]),
        runner.invoke(app, ["archive", "hold", held.order_id, *text]),  # refused: already held
        runner.invoke(app, ["archive", "purge", "--dry-run"]),
        runner.invoke(app, ["archive", "purge", "--yes"]),
        runner.invoke(app, ["archive", "holds", "--all"]),
        runner.invoke(app, ["archive", "release", held.order_id, "--reason", RELEASE_REASON]),
    ]
    configure_logging("DEBUG")
    with TestClient(create_app(cli_env)) as client:
        with client.app.state.services.sessions() as session, session.begin():
            token = create_key(session=session, name="t", scopes=[Scope.ADMIN]).token
        path = f"/orders/{api_held.order_id}/legal-hold"
        headers = {"X-API-Key": token}
        client.post(path, json={"reason": REASON, "reference": REFERENCE}, headers=headers)
        client.post(path, json={"reason": REASON}, headers=headers)  # refused: already held
        client.get("/legal-holds?all=true", headers=headers)
        client.request("DELETE", path, json={"reason": RELEASE_REASON}, headers=headers)
    captured = capfd.readouterr()
    logs = captured.out + captured.err + "".join(run.stderr for run in runs)

    assert all(run.exit_code in (0, 1) for run in runs)
    assert logs.count("legal_hold_placed") == 2 and logs.count("legal_hold_released") == 2
    assert "Quillfeather" not in logs

"""The sandbox's own HTTP controls: clock, tracker outcomes, label files."""

from __future__ import annotations

import easypost
import requests

from finalmile_sandbox.server import SandboxServer
from tests.integration.sandbox.conftest import BOSTON, CAMBRIDGE, PARCEL


def test_clock_can_be_set_and_advanced(server: SandboxServer) -> None:
    set_to = requests.post(
        f"{server.url}_sandbox/clock", json={"now": "2026-12-01T09:00:00-05:00"}, timeout=5
    ).json()
    advanced = requests.post(
        f"{server.url}_sandbox/clock", json={"advance_seconds": 3600}, timeout=5
    ).json()
    naive = requests.post(
        f"{server.url}_sandbox/clock", json={"now": "2026-12-01T09:00:00"}, timeout=5
    )

    assert set_to["now"] == "2026-12-01T14:00:00Z"
    assert advanced["now"] == "2026-12-01T15:00:00Z"
    assert naive.status_code == 422


def test_outcome_endpoint_replans_a_tracker(
    server: SandboxServer, easypost_client: easypost.EasyPostClient
) -> None:
    shipment = easypost_client.shipment.create(
        from_address=BOSTON, to_address=CAMBRIDGE, parcel=PARCEL
    )
    bought = easypost_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())

    changed = requests.post(
        f"{server.url}_sandbox/trackers/easypost/{bought.tracking_code}/outcome",
        json={"outcome": "failure"},
        timeout=5,
    )
    unknown = requests.post(
        f"{server.url}_sandbox/trackers/easypost/NOPE/outcome",
        json={"outcome": "failure"},
        timeout=5,
    )
    requests.post(f"{server.url}_sandbox/clock", json={"advance_seconds": 7 * 86400}, timeout=5)

    assert changed.json() == {"tracker": bought.tracker.id, "outcome": "failure"}
    assert unknown.status_code == 404
    assert easypost_client.tracker.retrieve(bought.tracker.id).status == "failure"


def test_label_files_of_unknown_labels_are_404(server: SandboxServer) -> None:
    assert requests.get(f"{server.url}files/pl_missing.pdf", timeout=5).status_code == 404
    assert requests.get(f"{server.url}files/pl_missing.gif", timeout=5).status_code == 404

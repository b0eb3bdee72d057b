"""FHIR R4 write-back: a SupplyDelivery holding the tracking number, then the MedicationDispense
completed on delivery, against a small FHIR server standing in for the PMS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from finalmile.app import Services, build_services
from finalmile.config.settings import Settings
from finalmile.db import transaction
from finalmile.outbox import OutboxStatus, enqueue
from finalmile.outbox.worker import OutboxWorker

from .conftest import enqueue_shipped, write_profile
from .fhir_pms import FhirPms

STN = {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "STN"}


@pytest.fixture
def fhir_pms() -> Iterator[FhirPms]:
    with FhirPms().running() as server:
        yield server


@pytest.fixture
def fhir_services(
    settings: Settings, tmp_path: Path, fhir_pms: FhirPms, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    monkeypatch.setenv("PMS_FHIR_TOKEN", "token-for-tests")
    config_dir = tmp_path / "config"
    write_profile(
        config_dir,
        f"""
hl7v2: {{}}
writeback:
  fhir:
    base_url: {fhir_pms.base_url}
    bearer_token_env: PMS_FHIR_TOKEN
""",
    )
    services = build_services(settings.model_copy(update={"config_dir": config_dir}))
    yield services
    services.close()


def _dispense(order_id: str) -> dict[str, object]:
    return {
        "resourceType": "MedicationDispense",
        "id": "md-1",
        "identifier": [{"system": "urn:pms:rx", "value": order_id}],
        "status": "in-progress",
        "subject": {"reference": "Patient/p-1"},
        "medicationCodeableConcept": {"text": "Insulin lispro"},
    }


def test_shipped_then_delivered(fhir_services: Services, fhir_pms: FhirPms) -> None:
    [shipped_id] = enqueue_shipped(fhir_services, 1)
    row = fhir_services.outbox.get(shipped_id)[0]
    fhir_pms.put(_dispense(row.order_id))
    worker = OutboxWorker(fhir_services.outbox, fhir_services.writeback)
    worker.drain()
    [delivery] = fhir_pms.of_type("SupplyDelivery")
    assert delivery["status"] == "in-progress"
    assert delivery["patient"] == {"reference": "Patient/p-1"}
    tracking = [i for i in delivery["identifier"] if i.get("type", {}).get("coding")]
    assert tracking[0]["type"]["coding"][0] | STN == tracking[0]["type"]["coding"][0]
    assert tracking[0]["value"] == row.payload["tracking_number"]
    assert fhir_pms.resources[("MedicationDispense", "md-1")]["status"] == "in-progress"

    delivered_at = dt.datetime(2026, 11, 23, 18, 10, tzinfo=dt.UTC)
    with transaction(fhir_services.sessions) as session:
        enqueue(
            session,
            topic="order.delivered",
            key=f"delivered:{row.payload['order_pk']}",
            connector="pms",
            payload={
                "order_id": row.order_id,
                "order_pk": row.payload["order_pk"],
                "delivered_at": delivered_at.isoformat(),
                "source": "carrier",
                "carrier": "UPS",
                "tracking_number": row.payload["tracking_number"],
                "recipient_relationship": "spouse",
            },
        )
    worker.drain()
    [delivery] = fhir_pms.of_type("SupplyDelivery")  # the same resource, updated
    assert delivery["status"] == "completed"
    assert delivery["meta"]["versionId"] == "2"
    dispense = fhir_pms.resources[("MedicationDispense", "md-1")]
    assert dispense["status"] == "completed"
    assert dt.datetime.fromisoformat(dispense["whenHandedOver"]) == delivered_at
    assert dispense["receiver"] == [{"display": "designee (spouse)"}]
    assert dispense["meta"]["versionId"] == "2"
    assert fhir_pms.authorizations == {"Bearer token-for-tests"}


def test_no_dispense_at_the_pms_is_a_dead_letter(
    fhir_services: Services, fhir_pms: FhirPms
) -> None:
    with transaction(fhir_services.sessions) as session:
        enqueue(
            session,
            topic="order.delivered",
            key="delivered:1",
            connector="pms",
            payload={
                "order_id": "RX-NOPE",
                "order_pk": 1,
                "delivered_at": "2026-11-23T18:10:00+00:00",
                "source": "driver",
            },
        )
    OutboxWorker(fhir_services.outbox, fhir_services.writeback).drain()
    [row] = fhir_services.outbox.search()
    assert row.status is OutboxStatus.DEAD
    assert row.last_error == "fhir: the order's MedicationDispense does not exist"

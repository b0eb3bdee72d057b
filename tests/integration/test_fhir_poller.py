"""The FHIR client connector against a FHIR server on loopback: paging, references, the mark."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from finalmile.app import Services, build_services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app as cli
from finalmile.config.settings import Settings
from finalmile.connectors.fhir.lease import lock_key
from finalmile.connectors.fhir.poller import CURSOR_NAME, FhirPoller
from finalmile.errors import ConfigError
from finalmile.intake.models import ConnectorCursor
from finalmile.intake.outcome import OutcomeKind
from finalmile.logging import configure_logging
from finalmile.main import create_app
from finalmile.messages.models import InboundMessage, MessageStatus
from finalmile.orders.models import Order
from tests.conftest import read_fixture
from tests.fhir_server import EPOCH, FhirTestServer, Seen

CONNECTOR = "pms"
TOKEN = "synthetic-token-0001"
TOKEN_ENV = "PMS_FHIR_TOKEN"
NDC = "http://hl7.org/fhir/sid/ndc"


# Synthetic resources (obviously fake people and places).
def _patient(pid: str = "p1") -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"system": "urn:synthetic:mrn", "value": f"MRN-{pid}"}],
        "name": [{"use": "official", "family": "Synthetic", "given": ["Testa"]}],
        "birthDate": "1970-01-01",
        "address": [{"use": "home", "line": ["1 Fake St"], "city": "Testville", "state": "MA"}],
    }


def _medication(mid: str = "m1") -> dict[str, Any]:
    coding = [{"system": NDC, "code": "99999-0303-05", "display": "Synthetic insulin"}]
    return {"resourceType": "Medication", "id": mid, "code": {"coding": coding}}


def _location(lid: str = "l1") -> dict[str, Any]:
    address = {"line": ["9 Clinic Rd"], "city": "Testville", "state": "MA", "postalCode": "02139"}
    return {"resourceType": "Location", "id": lid, "address": address}


def _dispense(did: str, *, patient: str = "Patient/p1", quantity: int = 2) -> dict[str, Any]:
    return {
        "resourceType": "MedicationDispense",
        "id": did,
        "identifier": [{"value": f"RX-{did}"}],
        "status": "completed",
        "subject": {"reference": patient},
        "medicationReference": {"reference": "Medication/m1"},
        "destination": {"reference": "Location/l1"},
        "quantity": {"value": quantity, "unit": "mL"},
    }


def _task(tid: str, did: str) -> dict[str, Any]:
    return {
        "resourceType": "Task",
        "id": tid,
        "status": "requested",
        "intent": "order",
        "focus": {"reference": f"MedicationDispense/{did}"},
        "restriction": {"period": {"end": "2026-11-24T17:00:00-05:00"}},
    }


@pytest.fixture
def fhir() -> Iterator[FhirTestServer]:
    with FhirTestServer(token=TOKEN) as server:
        for resource in (_patient(), _medication(), _location()):
            server.put(resource, at=EPOCH - dt.timedelta(days=1))
        yield server


@pytest.fixture
def connect(
    settings: Settings,
    tmp_path: Path,
    fhir: FhirTestServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., Services]]:
    """Builds services for a config dir holding connector ``pms`` (page size 2, bearer auth)."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    (tmp_path / "connectors").mkdir()
    configured = settings.model_copy(update={"config_dir": tmp_path})
    built: list[Services] = []

    def build(**server: Any) -> Services:
        options = {
            "base_url": fhir.base_url,
            "page_size": 2,
            "auth": {"bearer_token_env": TOKEN_ENV},
            **server,
        }
        profile = {"name": CONNECTOR, "fhir": {"server": options}}
        (tmp_path / "connectors" / f"{CONNECTOR}.yaml").write_text(json.dumps(profile))
        services = build_services(configured)
        built.append(services)
        return services

    yield build
    for services in built:
        services.close()


def _poller(services: Services) -> FhirPoller:
    return services.fhir_pollers()[CONNECTOR]


def _count(services: Services, model: type) -> int:
    with services.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _mark(services: Services) -> str | None:
    """The saved mark; None when there is none (or it says "from the beginning", ``""``)."""
    with services.sessions() as session:
        row = session.get(ConnectorCursor, (CONNECTOR, CURSOR_NAME))
        return (row.value or None) if row else None


def _orders(services: Services) -> dict[str, Order]:
    with services.sessions() as session:
        return {o.order_id: o for o in session.scalars(select(Order))}


def _messages(services: Services) -> list[InboundMessage]:
    with services.sessions() as session:
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def test_pages_through_next_links_and_stores_self_contained_bundles(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    for n in range(1, 6):
        fhir.put(_dispense(f"d{n}"))
    fhir.put(_task("t3", "d3"))
    services = connect()

    report = _poller(services).poll()

    assert (report.error, report.pages, report.dispenses, report.accepted) == (None, 3, 5, 5)
    searches = fhir.searches("MedicationDispense")
    assert [s.query.get("_offset") for s in searches] == [None, "2", "4"]
    assert all(s.query["_sort"] == "_lastUpdated" and s.query["_count"] == "2" for s in searches)
    assert "_lastUpdated" not in searches[0].query  # no start_at: the first poll reads everything
    assert sorted(_orders(services)) == [f"RX-d{n}" for n in range(1, 6)]
    assert _mark(services) == fhir.resources[("MedicationDispense", "d5")]["meta"]["lastUpdated"]
    # Each message is one collection Bundle: the dispense and everything it needed.
    d3 = next(m for m in _messages(services) if m.dedupe_key == "MedicationDispense/d3/_history/1")
    bundle = json.loads(services.vault.decrypt(d3.raw_encrypted))
    assert bundle["type"] == "collection"
    assert [e["fullUrl"] for e in bundle["entry"]] == [
        f"{fhir.base_url}/{path}"
        for path in (
            "MedicationDispense/d3",
            "Patient/p1",
            "Medication/m1",
            "Location/l1",
            "Task/t3",
        )
    ]
    order = _orders(services)["RX-d3"]
    assert order.needed_by is not None and order.needed_by.isoformat().startswith("2026-11-24T22")
    # A replay needs no network.
    fhir.stop()
    assert services.intake.replay(d3.id or 0).kind is OutcomeKind.ACCEPTED


def test_the_first_poll_starts_at_start_at(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    fhir.put(_dispense("old"), at=EPOCH - dt.timedelta(hours=1))
    fhir.put(_dispense("new"), at=EPOCH + dt.timedelta(hours=1))
    services = connect(start_at=EPOCH.isoformat())
    report = _poller(services).poll()
    assert fhir.searches("MedicationDispense")[0].query["_lastUpdated"] == f"gt{EPOCH.isoformat()}"
    assert (report.mark_before, sorted(_orders(services))) == (EPOCH.isoformat(), ["RX-new"])


def test_the_official_r4_example_with_a_contained_medication(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    fhir.put(json.loads(read_fixture("fhir", "r4_medicationdispense0301.json")))
    fhir.put(_patient("pat1"))
    fhir.put({**_location(), "id": "ph"})
    services = connect()

    report = _poller(services).poll()

    assert (report.accepted, report.rejected) == (1, 0)
    assert [r.path for r in fhir.requests if not r.query] == [
        "/fhir/Patient/pat1",
        "/fhir/Location/ph",
    ]
    [message] = _messages(services)
    bundle = json.loads(services.vault.decrypt(message.raw_encrypted))
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
        "MedicationDispense",
        "Patient",
        "Location",
    ]  # the contained Medication travels inside the dispense
    # The official example carries no storage class and its product is in no item master: the
    # order is stored with storage unknown (the rules hold it) rather than assumed ambient.
    assert _orders(services)["meddisp0301"].storage is None


def test_sends_the_bearer_token_and_reports_a_refused_search(
    connect: Callable[..., Services], fhir: FhirTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fhir.put(_dispense("d1"))
    _poller(connect()).poll()
    assert fhir.requests and {r.authorization for r in fhir.requests} == {f"Bearer {TOKEN}"}

    monkeypatch.setenv(TOKEN_ENV, "a-wrong-token")
    fhir.put(_dispense("d2"))
    services = connect()
    mark = _mark(services)
    report = _poller(services).poll()
    assert report.error is not None and "HTTP 401" in report.error and not report.retriable
    assert (_mark(services), len(_orders(services))) == (mark, 1)


def test_sends_basic_credentials(
    connect: Callable[..., Services], fhir: FhirTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMS_FHIR_PASSWORD", "synthetic-password")
    fhir.authorization = "Basic " + base64.b64encode(b"finalmile:synthetic-password").decode()
    fhir.put(_dispense("d1"))
    auth = {"username": "finalmile", "password_env": "PMS_FHIR_PASSWORD"}
    report = _poller(connect(auth=auth)).poll()
    assert (report.error, report.accepted) == (None, 1)


def test_polls_log_no_patient_data(
    connect: Callable[..., Services], fhir: FhirTestServer, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")
    fhir.put(_dispense("d1"))
    fhir.put(_dispense("d2", patient="Patient/nobody"))
    services = connect()
    _poller(services).poll()
    fhir.before_request = lambda seen: 503
    _poller(services).poll()
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    # The test server's own access log is the PMS's business, not ours.
    logged = "\n".join(json.dumps(r) for r in lines if not r["logger"].startswith("uvicorn"))
    assert "fhir_poll_finished" in logged and "fhir_poll_interrupted" in logged
    for phi in ("Synthetic", "Testa", "1 Fake St", "9 Clinic Rd", "1970-01-01", "MRN-p1", "nobody"):
        assert phi not in logged


def test_posted_payloads_resolve_references_through_the_connector_client(
    connect: Callable[..., Services],
    fhir: FhirTestServer,
    settings: Settings,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    services = connect(poll_seconds=3600)
    with services.sessions() as session, session.begin():
        token = create_key(session=session, name="pms", scopes=[Scope.ORDERS_WRITE]).token
    headers = {"X-API-Key": token, "Content-Type": "application/fhir+json"}
    app = create_app(settings.model_copy(update={"config_dir": tmp_path}))
    with TestClient(app) as client:
        url = f"/fhir/r4/MedicationDispense?connector={CONNECTOR}"
        posted = client.post(url, content=json.dumps(_dispense("h1")), headers=headers)
        assert posted.status_code < 300, posted.text
        fhir.stop()  # the PMS's server is down: the payload is kept, rejected, replayable
        refused = client.post(url, content=json.dumps(_dispense("h2")), headers=headers)
    assert refused.status_code == 422
    assert refused.json()["issue"][0]["expression"] == ["MedicationDispense.subject.reference"]
    assert "mapping_crashed" not in capfd.readouterr().err
    assert sorted(_orders(services)) == ["RX-h1"]
    fhir.start()
    [_, rejected] = _messages(services)
    assert services.intake.replay(rejected.id or 0).kind is OutcomeKind.ACCEPTED


def test_a_wrong_base_url_is_reported_as_refused(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    fhir.put(_dispense("d1"))
    report = _poller(connect(base_url=fhir.base_url + "/nothing-here")).poll()
    assert report.error is not None and "HTTP 404" in report.error and not report.retriable


def test_credentials_never_follow_a_next_link_to_another_server(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    for n in range(1, 4):
        fhir.put(_dispense(f"d{n}"))
    fhir.next_link_base = "http://127.0.0.2:9/fhir"
    services = connect()
    report = _poller(services).poll()
    assert report.error is not None and "leaves the configured base URL" in report.error
    assert sorted(_orders(services)) == ["RX-d1", "RX-d2"]  # the first page is kept
    assert len(fhir.searches("MedicationDispense")) == 1


def test_a_missing_secret_is_a_configuration_error(
    connect: Callable[..., Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV)
    with pytest.raises(ConfigError, match=TOKEN_ENV):
        connect()


def test_a_restart_neither_skips_nor_reingests(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    for n in range(1, 4):
        fhir.put(_dispense(f"d{n}"))
    first = connect()
    _poller(first).poll()
    mark = _mark(first)
    first.close()
    for n in range(4, 6):
        fhir.put(_dispense(f"d{n}"))

    again = connect()  # a new process on the same database
    fhir.requests.clear()
    report = _poller(again).poll()
    assert (report.accepted, report.already_stored) == (2, 0)
    assert fhir.searches("MedicationDispense")[0].query["_lastUpdated"] == f"gt{mark}"
    report = _poller(again).poll()
    assert (report.dispenses, report.accepted) == (0, 0)
    assert (_count(again, InboundMessage), _count(again, Order)) == (5, 5)


def test_a_dispense_updated_after_a_poll_is_ingested_as_an_update(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    fhir.put(_dispense("d1", quantity=2))
    services = connect()
    _poller(services).poll()
    fhir.put(_dispense("d1", quantity=5))

    report = _poller(services).poll()

    assert (report.dispenses, report.accepted) == (1, 1)
    order = _orders(services)["RX-d1"]
    assert order.version == 2
    keys = [m.dedupe_key for m in _messages(services)]
    assert keys == ["MedicationDispense/d1/_history/1", "MedicationDispense/d1/_history/2"]


def test_an_unreachable_server_loses_nothing_and_keeps_the_mark(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    for n in range(1, 6):
        fhir.put(_dispense(f"d{n}"))
    services = connect()
    fhir.stop()
    report = _poller(services).poll()
    assert report.retriable and "unreachable" in (report.error or "")
    assert (_mark(services), _count(services, InboundMessage)) == (None, 0)

    fhir.start()
    fhir.before_request = lambda seen: 503 if seen.query.get("_offset") == "4" else None
    report = _poller(services).poll()
    assert report.retriable and "HTTP 503" in (report.error or "")
    assert sorted(_orders(services)) == ["RX-d1", "RX-d2", "RX-d3", "RX-d4"]
    assert _mark(services) == fhir.resources[("MedicationDispense", "d3")]["meta"]["lastUpdated"]

    fhir.before_request = None
    report = _poller(services).poll()
    assert (report.accepted, report.already_stored) == (1, 1)  # d4 is read again, not stored again
    assert (_count(services, InboundMessage), _count(services, Order)) == (5, 5)


def test_an_unresolvable_reference_is_stored_rejected_with_its_path(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    fhir.put(_dispense("d1", patient="Patient/nobody"))
    fhir.put(_dispense("d2"))
    services = connect()

    report = _poller(services).poll()

    assert (report.accepted, report.rejected) == (1, 1)
    rejected, accepted = _messages(services)
    assert rejected.status is MessageStatus.REJECTED and accepted.status is MessageStatus.ACCEPTED
    assert rejected.error_code == "unresolved_reference"
    assert rejected.error_location == "Bundle.entry[0].resource.subject.reference"
    assert _mark(services) == fhir.resources[("MedicationDispense", "d2")]["meta"]["lastUpdated"]
    # Once the PMS has the Patient, a replay resolves it through the connector's client.
    fhir.put(_patient("nobody"))
    assert services.intake.replay(rejected.id or 0).kind is OutcomeKind.ACCEPTED
    assert sorted(_orders(services)) == ["RX-d1", "RX-d2"]


def test_equal_timestamps_across_a_page_boundary_are_not_skipped(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    same = EPOCH + dt.timedelta(hours=1)
    fhir.put(_dispense("d1"), at=same - dt.timedelta(seconds=1))
    for n in range(2, 7):
        fhir.put(_dispense(f"d{n}"), at=same)
    services = connect()
    # Page 2 (d3, d4) fails: page 1 ends at `same`, and d3..d6 share it.
    fhir.before_request = lambda seen: 503 if seen.query.get("_offset") == "2" else None
    report = _poller(services).poll()
    assert report.retriable and sorted(_orders(services)) == ["RX-d1", "RX-d2"]
    assert _mark(services) == fhir.resources[("MedicationDispense", "d1")]["meta"]["lastUpdated"]

    fhir.before_request = None
    report = _poller(services).poll()
    assert (report.accepted, report.already_stored) == (4, 1)
    assert sorted(_orders(services)) == [f"RX-d{n}" for n in range(1, 7)]
    assert _count(services, InboundMessage) == 6
    assert _mark(services) == same.isoformat(timespec="milliseconds")


def test_a_dispense_updated_while_paging_does_not_hide_another(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    for n in range(1, 6):
        fhir.put(_dispense(f"d{n}"))
    services = connect()

    def update_d1_after_page_one(seen: Seen) -> None:
        if seen.path.endswith("MedicationDispense") and seen.query.get("_offset") == "2":
            fhir.put(_dispense("d1", quantity=7))  # d1 moves to the end: offsets shift by one

    fhir.before_request = update_d1_after_page_one
    first = _poller(services).poll()
    fhir.before_request = None
    assert "RX-d3" not in _orders(services)  # the offset shift hid d3 from this poll
    assert _mark(services) is None  # so the mark stayed where the poll started

    second = _poller(services).poll()
    assert (first.error, second.error, second.accepted) == (None, None, 1)
    assert sorted(_orders(services)) == [f"RX-d{n}" for n in range(1, 6)]
    assert _orders(services)["RX-d1"].version == 2
    assert _count(services, InboundMessage) == 6


def test_a_connector_polled_by_another_process_is_skipped(
    connect: Callable[..., Services], fhir: FhirTestServer
) -> None:
    services = connect()
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serves one process: there is no one to share the poll with")
    fhir.put(_dispense("d1"))
    with services.engine.connect() as other:  # another process's session, holding the lease
        key = lock_key(other, f"fhir-poll:{CONNECTOR}")
        assert other.scalar(select(func.pg_try_advisory_lock(key)))
        report = _poller(services).poll()
        assert report.retriable and "another process" in (report.error or "")
        assert fhir.requests == []
        other.execute(select(func.pg_advisory_unlock(key)))
    assert _poller(services).poll().accepted == 1


def test_the_service_polls_on_its_scheduler(
    connect: Callable[..., Services], fhir: FhirTestServer, settings: Settings, tmp_path: Path
) -> None:
    fhir.put(_dispense("d1"))
    services = connect(poll_seconds=3600)
    with TestClient(create_app(settings.model_copy(update={"config_dir": tmp_path}))):
        deadline = time.monotonic() + 20
        while not _orders(services) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert sorted(_orders(services)) == ["RX-d1"]


def test_cli_polls_once_and_prints_the_report(
    connect: Callable[..., Services],
    fhir: FhirTestServer,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fhir.put(_dispense("d1"))
    fhir.put(_dispense("d2", patient="Patient/nobody"))
    services = connect()
    monkeypatch.setenv("FINALMILE_DATABASE_URL", settings.resolved_database_url)
    assert settings.secret_key is not None
    monkeypatch.setenv("FINALMILE_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("FINALMILE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FINALMILE_CONFIG_DIR", str(tmp_path))
    runner = CliRunner()

    result = runner.invoke(cli, ["fhir", "poll", CONNECTOR])
    assert result.exit_code == 1, result.stderr  # one dispense was rejected
    report = json.loads(result.stdout)
    assert (report["connector"], report["accepted"], report["rejected"]) == (CONNECTOR, 1, 1)
    assert sorted(_orders(services)) == ["RX-d1"]

    missing = runner.invoke(cli, ["fhir", "poll", "default"])
    assert missing.exit_code == 2 and "no fhir.server" in missing.stderr

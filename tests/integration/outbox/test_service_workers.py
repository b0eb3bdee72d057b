"""The service runs the outbox workers on its scheduler: an effect enqueued while it serves is
delivered without anyone calling a worker."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from finalmile.app import build_services
from finalmile.config.settings import Settings
from finalmile.main import create_app
from finalmile.outbox import OutboxStatus

from .conftest import PmsProcess, enqueue_shipped


def test_the_service_delivers_what_is_enqueued(
    pms_settings: Settings, fake_pms: PmsProcess
) -> None:
    settings = pms_settings.model_copy(update={"outbox_workers": 2, "outbox_poll_seconds": 0.05})
    services = build_services(settings)
    try:
        with TestClient(create_app(settings)):
            [event_id] = enqueue_shipped(services, 1)
            deadline = time.monotonic() + 30
            while services.outbox.get(event_id)[0].status is OutboxStatus.PENDING:
                assert time.monotonic() < deadline, "the service's workers delivered nothing"
                time.sleep(0.05)
        assert services.outbox.get(event_id)[0].status is OutboxStatus.DELIVERED
    finally:
        services.close()
    assert len(fake_pms.accepted()) == 1

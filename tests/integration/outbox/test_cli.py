"""``finalmile outbox list|show|retry|replay``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.db_types import utcnow
from finalmile.errors import ConflictError
from finalmile.outbox import OutboxStatus
from finalmile.outbox.worker import OutboxWorker

from .conftest import PmsProcess, enqueue_shipped

runner = CliRunner()


@pytest.fixture
def cli_env(pms_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINALMILE_DATABASE_URL", pms_settings.resolved_database_url)
    monkeypatch.setenv("FINALMILE_DATA_DIR", str(pms_settings.data_dir))
    monkeypatch.setenv("FINALMILE_CONFIG_DIR", str(pms_settings.config_dir))
    assert pms_settings.secret_key is not None
    monkeypatch.setenv("FINALMILE_SECRET_KEY", pms_settings.secret_key.get_secret_value())


def test_list_show_retry_replay(cli_env: None, pms: Services, fake_pms: PmsProcess) -> None:
    [event_id] = enqueue_shipped(pms, 1)
    fake_pms.answer(422)
    OutboxWorker(pms.outbox, pms.writeback).drain()

    listed = runner.invoke(app, ["outbox", "list", "--status", "dead"])
    assert listed.exit_code == 0, listed.output
    fields = listed.output.strip().split("\t")
    assert (fields[0], fields[4], fields[5], fields[8]) == (
        str(event_id),
        "order.shipped",
        "dead",
        "webhook: HTTP 422, refused",
    )

    shown = json.loads(runner.invoke(app, ["outbox", "show", str(event_id)]).output)
    assert shown["status"] == "dead"
    assert [a["outcome"] for a in shown["attempt_log"]] == ["refused"]

    fake_pms.answer(200)
    retried = runner.invoke(app, ["outbox", "retry", str(event_id)])
    assert json.loads(retried.output)["status"] == "pending"
    OutboxWorker(pms.outbox, pms.writeback).drain()
    assert pms.outbox.get(event_id)[0].status is OutboxStatus.DELIVERED

    with pytest.raises(ConflictError) as conflict:
        pms.outbox.retry(event_id, now=utcnow())
    assert conflict.value.code == "not_retriable"
    refused = runner.invoke(app, ["outbox", "retry", str(event_id)])
    assert refused.exit_code == 1
    assert "use replay" in refused.stderr
    replayed = runner.invoke(app, ["outbox", "replay", str(event_id)])
    assert replayed.exit_code == 0
    assert pms.outbox.get(event_id)[0].status is OutboxStatus.PENDING

    missing = runner.invoke(app, ["outbox", "show", "999"])
    assert missing.exit_code == 1
    assert "no outbox row 999" in missing.stderr

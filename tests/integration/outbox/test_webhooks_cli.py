"""``finalmile webhooks test CONNECTOR`` and ``finalmile webhooks verify``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from finalmile.cli import app
from finalmile_devtools.fake_pms import FakePms
from tests.webhook_contract import assert_declared

from .conftest import write_profile

SECRET = "whsec_Y2xpIHRlc3RzOiB0aGUgcmVjZWl2ZXIncyBzZWNyZXQ="
runner = CliRunner()


@pytest.fixture
def pms(tmp_path: Path) -> Iterator[FakePms]:
    with FakePms(secret=SECRET, events_file=tmp_path / "events.jsonl") as server:
        yield server


@pytest.fixture
def cli_env(tmp_path: Path, pms: FakePms, monkeypatch: pytest.MonkeyPatch) -> None:
    config_dir = tmp_path / "config"
    webhook = f"    url: {pms.url}\n    signature: standard\n    secret_env: PMS_WEBHOOK_SECRET\n"
    write_profile(config_dir, f"hl7v2: {{}}\nwriteback:\n  webhook:\n{webhook}")
    monkeypatch.setenv("FINALMILE_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("FINALMILE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FINALMILE_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("PMS_WEBHOOK_SECRET", SECRET)


def test_webhooks_test_sends_a_signed_ping_and_prints_the_answer(
    cli_env: None, pms: FakePms, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["webhooks", "test", "pms"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"POST {pms.url} (ping, signature: standard)",
        "HTTP 200",
        '{"outcome": "pong"}',
    ]
    [captured] = pms.receiver.requests()
    assert assert_declared(captured["body"]) == "ping"

    # A captured request checks out with verify: headers as JSON, or as 'Name: value' lines.
    body = tmp_path / "body.json"
    body.write_text(captured["body"], encoding="utf-8")
    as_json = json.dumps(captured["headers"])
    lines = tmp_path / "headers.txt"
    head = "".join(f"{name}: {value}\n" for name, value in captured["headers"].items())
    lines.write_text(f"POST /finalmile/events HTTP/1.1\n{head}", encoding="utf-8")
    for headers in (as_json, str(lines)):
        args = ["webhooks", "verify", "--secret", SECRET, "--headers", headers, "--body", str(body)]
        verified = runner.invoke(app, args)
        assert verified.exit_code == 0, verified.output
        assert verified.output.splitlines()[:2] == ["scheme: standard", "signature: matches"]
        assert verified.output.splitlines()[-1] == "valid"

    body.write_text(captured["body"].replace("ping", "pong"), encoding="utf-8")
    changed = runner.invoke(
        app, ["webhooks", "verify", "--secret", SECRET, "--headers", as_json, "--body", str(body)]
    )
    assert changed.exit_code == 1
    assert "signature: does not match" in changed.output


def test_webhooks_test_names_a_refusal_and_a_missing_secret(
    cli_env: None, pms: FakePms, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMS_WEBHOOK_SECRET", "whsec_" + "b3RoZXI" * 5 + "=")
    refused = runner.invoke(app, ["webhooks", "test", "pms"])
    assert refused.exit_code == 1
    assert "HTTP 401" in refused.output
    monkeypatch.delenv("PMS_WEBHOOK_SECRET")
    unset = runner.invoke(app, ["webhooks", "test", "pms"])
    assert unset.exit_code == 2
    assert "variable PMS_WEBHOOK_SECRET is not set" in unset.output
    unknown = runner.invoke(app, ["webhooks", "test", "nope"])
    assert unknown.exit_code == 2
    assert "no connector named 'nope'" in unknown.output

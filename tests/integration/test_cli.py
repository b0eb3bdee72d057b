"""The command line: ingest (dry run and stored), keys, messages list/show/replay, demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finalmile.cli import app
from finalmile.config.settings import Settings
from tests.hl7_builder import rde


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FINALMILE_DATABASE_URL", settings.resolved_database_url)
    assert settings.secret_key is not None
    monkeypatch.setenv("FINALMILE_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("FINALMILE_DATA_DIR", str(settings.data_dir))
    return settings


runner = CliRunner()


def _file(tmp_path: Path, *messages: bytes, separator: bytes = b"\r\n") -> Path:
    path = tmp_path / "batch.hl7"
    path.write_bytes(separator.join(messages))
    return path


def test_dry_run_prints_contract_lines_and_stores_nothing(
    cli_env: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path, rde("D1", "RX-D1"), rde("D2", "RX-D2", storage="F"), separator=b"\n")
    result = runner.invoke(app, ["ingest", str(path), "--format", "hl7", "--dry-run"])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["order_id"] for line in lines] == ["RX-D1", "RX-D2"]
    assert lines[1]["items"][0]["storage"] == "frozen"
    assert set(lines[0]) == {
        "order_id", "connector", "patient", "ship_to", "items", "needed_by",
        "requires_signature", "instructions",
    }  # fmt: skip
    listed = runner.invoke(app, ["messages", "list"])
    assert listed.exit_code == 0 and listed.stdout == ""


def test_dry_run_reports_errors_on_stderr_with_nonzero_exit(
    cli_env: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path, rde("D1", "RX-D1"), rde("D2", "RX-D2", quantity="lots"))
    result = runner.invoke(app, ["ingest", str(path), "--dry-run"])
    assert result.exit_code == 1
    assert [json.loads(line)["order_id"] for line in result.stdout.splitlines()] == ["RX-D1"]
    error = json.loads(result.stderr.strip())
    assert (error["message"], error["location"], error["control_id"]) == (2, "RXE-10", "D2")


def test_ingest_stores_and_messages_can_be_listed_shown_and_replayed(
    cli_env: Settings, tmp_path: Path
) -> None:
    path = _file(
        tmp_path, rde("S1", "RX-S1"), rde("S2", "RX-S2", storage="FRZ"), rde("S1", "RX-S1")
    )
    result = runner.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 1
    stored = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(s["status"], s["orders"]) for s in stored] == [
        ("accepted", ["RX-S1"]),
        ("duplicate", []),
    ]
    rejected = json.loads(result.stderr.strip())
    assert (rejected["status"], rejected["location"]) == ("rejected", "ZDL-2")

    listed = runner.invoke(app, ["messages", "list", "--status", "rejected"])
    assert listed.stdout.count("\n") == 1 and "ZDL-2" in listed.stdout
    shown = json.loads(runner.invoke(app, ["messages", "show", str(rejected["message_id"])]).stdout)
    assert shown["status"] == "rejected" and "raw" not in shown
    with_raw = runner.invoke(app, ["messages", "show", str(rejected["message_id"]), "--raw"])
    assert json.loads(with_raw.stdout)["raw"].startswith("MSH|")

    again = runner.invoke(app, ["messages", "replay", str(rejected["message_id"])])
    assert again.exit_code == 1 and json.loads(again.stderr)["location"] == "ZDL-2"
    duplicate = runner.invoke(app, ["messages", "replay", "3"])
    assert duplicate.exit_code == 1 and "resend of message 1" in duplicate.stderr
    missing = runner.invoke(app, ["messages", "show", "999"])
    assert missing.exit_code == 1 and "no message with id 999" in missing.stderr


def test_keys_create_prints_a_working_key_once(cli_env: Settings) -> None:
    created = runner.invoke(app, ["keys", "create", "--scope", "orders:read", "--name", "billing"])
    assert created.exit_code == 0
    token = created.stdout.strip()
    assert token.startswith("fm_")
    listed = runner.invoke(app, ["keys", "list"]).stdout
    assert "billing\torders:read" in listed and token not in listed
    prefix = token.split("_")[1]
    assert runner.invoke(app, ["keys", "revoke", prefix]).exit_code == 0
    assert runner.invoke(app, ["keys", "revoke", prefix]).exit_code == 1
    bad = runner.invoke(app, ["keys", "create", "--scope", "everything"])
    assert bad.exit_code == 2


def test_demo_loads_samples_once_and_prints_a_key(cli_env: Settings) -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.stderr
    assert "demo API key (admin; shown once): fm_" in first.stdout
    second = runner.invoke(app, ["demo"])
    assert "0 new sample messages stored" in second.stdout
    listed = runner.invoke(app, ["messages", "list"]).stdout.splitlines()
    assert listed and all("\taccepted\t" in line for line in listed)


def test_bad_configuration_lists_every_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINALMILE_ENVIRONMENT", "production")
    monkeypatch.setenv("FINALMILE_TIMEZONE", "Nowhere/Else")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    for expected in ("FINALMILE_SECRET_KEY", "FINALMILE_DATABASE_URL", "Nowhere/Else"):
        assert expected in result.stderr

"""The command line: ingest (dry run and stored), keys, messages list/show/replay, demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile_sandbox.server import SandboxServer
from tests.conftest import FIXTURES
from tests.hl7_builder import rde
from tests.integration.shipments.conftest import carrier_config, labels_by_order

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


def test_demo_loads_samples_once_and_keeps_one_key(cli_env: Settings) -> None:
    key_file = cli_env.data_dir / "demo-api-key"
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.stderr
    token = key_file.read_text().strip()
    assert f"demo API key (admin, new in {key_file}): {token}" in first.stdout
    assert token.startswith("fm_") and key_file.stat().st_mode & 0o077 == 0
    assert "9 new HL7 v2 and FHIR sample messages and 2 CSV orders stored" in first.stdout
    assert "demo decision: DEMO-RX-011 -> carrier via ups, service ground" in first.stdout
    assert "demo shipment: DEMO-RX-011 not dispatched: its decision names 'ups'" in first.stdout
    second = runner.invoke(app, ["demo"])
    assert "0 new HL7 v2 and FHIR sample messages and 0 CSV orders stored" in second.stdout
    assert f"demo API key (admin, kept in {key_file}): {token}" in second.stdout
    listed = runner.invoke(app, ["messages", "list"]).stdout.splitlines()
    assert len(listed) == 11 and all("\taccepted\t" in line for line in listed)
    assert runner.invoke(app, ["keys", "revoke", token.split("_")[1]]).exit_code == 0
    third = runner.invoke(app, ["demo"])
    assert "demo API key (admin, new in" in third.stdout
    assert key_file.read_text().strip() != token


def test_bad_configuration_lists_every_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINALMILE_ENVIRONMENT", "production")
    monkeypatch.setenv("FINALMILE_TIMEZONE", "Nowhere/Else")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    for expected in ("FINALMILE_SECRET_KEY", "FINALMILE_DATABASE_URL", "Nowhere/Else"):
        assert expected in result.stderr


EXAMPLES = Path(__file__).parents[2] / "examples" / "connectors"


def test_ingest_fhir_and_csv_dry_runs_print_contracts_and_name_failures(
    cli_env: Settings, tmp_path: Path
) -> None:
    fhir = runner.invoke(
        app,
        ["ingest", str(FIXTURES / "fhir" / "transaction_urn_uuid.json"), "-f", "fhir", "--dry-run"],
    )
    assert fhir.exit_code == 0, fhir.stderr
    assert [json.loads(line)["order_id"] for line in fhir.stdout.splitlines()] == [
        "RX-1001",
        "RX-1002",
    ]
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "MedicationDispense", "status": "completed"}')
    refused = runner.invoke(app, ["ingest", str(bad), "--format", "fhir", "--dry-run"])
    assert refused.exit_code == 1
    assert json.loads(refused.stderr)["location"] == "MedicationDispense.medication[x]"

    csv = runner.invoke(
        app, ["ingest", str(FIXTURES / "csv" / "rows_with_errors.csv"), "-f", "csv", "--dry-run"]
    )
    assert csv.exit_code == 1
    assert [json.loads(line)["order_id"] for line in csv.stdout.splitlines()] == ["OK-1", "OK-2"]
    errors = [json.loads(line) for line in csv.stderr.splitlines()]
    assert errors[0] == {
        "line": 2,
        "order_id": "BAD-1",
        "location": "line 2, column 'quantity'",
        "code": "invalid_quantity",
        "error": "the quantity must be a number greater than 0",
    }
    listed = runner.invoke(app, ["messages", "list"])
    assert listed.stdout.strip() == ""  # a dry run stores nothing


def test_ingest_csv_stores_orders_once_per_file_content(cli_env: Settings) -> None:
    path = str(FIXTURES / "csv" / "orders_bom_crlf.csv")
    first = runner.invoke(app, ["ingest", path, "--format", "csv"])
    assert first.exit_code == 0, first.stderr
    assert [json.loads(line)["orders"] for line in first.stdout.splitlines()] == [
        ["RX-1001"],
        ["RX-1002"],
    ]
    again = runner.invoke(app, ["ingest", path, "--format", "csv"])
    assert again.exit_code == 0
    assert json.loads(again.stdout)["status"] == "already_processed"


def test_connectors_check_list_and_test_with_the_example_profiles(
    cli_env: Settings, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    (config / "connectors").mkdir(parents=True)
    for name in ("nte-hl7.yaml", "cp1252-semicolon.yaml", "fhir-extensions.yaml"):
        (config / "connectors" / name).write_bytes((EXAMPLES / name).read_bytes())
    checked = runner.invoke(app, ["connectors", "check", "--config-dir", str(config)])
    assert checked.stdout.strip() == (
        "4 connector(s) valid: cp1252-semicolon, default, fhir-extensions, nte-hl7"
    )
    listed = [
        json.loads(line)
        for line in runner.invoke(
            app, ["connectors", "list", "--config-dir", str(config)]
        ).stdout.splitlines()
    ]
    assert [(c["name"], c["formats"]) for c in listed] == [
        ("cp1252-semicolon", ["csv"]),
        ("default", ["hl7v2", "fhir", "csv"]),
        ("fhir-extensions", ["fhir"]),
        ("nte-hl7", ["hl7v2"]),
    ]
    hl7 = runner.invoke(
        app,
        [
            "connectors",
            "test",
            "nte-hl7",
            str(EXAMPLES / "samples" / "nte-hl7.hl7"),
            "--config-dir",
            str(config),
        ],
    )
    assert hl7.exit_code == 0, hl7.stderr
    order = json.loads(hl7.stdout)
    assert (order["instructions"], order["items"][0]["storage"], order["needed_by"]) == (
        "Ring twice; patient uses a walker",
        "refrigerated",
        "2026-11-24T17:00:00-06:00",
    )
    csv = runner.invoke(
        app,
        [
            "connectors",
            "test",
            "cp1252-semicolon",
            str(EXAMPLES / "samples" / "cp1252-semicolon.csv"),
            "--config-dir",
            str(config),
        ],
    )
    assert csv.exit_code == 0, csv.stderr
    assert [json.loads(line)["patient"]["given"] for line in csv.stdout.splitlines()] == [
        "Zoë",
        "José",
    ]
    fhir = runner.invoke(
        app,
        [
            "connectors",
            "test",
            "fhir-extensions",
            str(EXAMPLES / "samples" / "fhir-extensions.json"),
            "--config-dir",
            str(config),
        ],
    )
    assert fhir.exit_code == 0, fhir.stderr
    order = json.loads(fhir.stdout)
    assert (order["patient"]["mrn"], order["needed_by"], order["instructions"]) == (
        "SYN900101",
        "2026-11-25T23:59:59-07:00",
        "Leave with the front desk",
    )
    assert (order["requires_signature"], order["items"][0]["storage"]) == (True, "refrigerated")
    refused = runner.invoke(
        app,
        [
            "connectors",
            "test",
            "nte-hl7",
            str(EXAMPLES / "samples" / "cp1252-semicolon.csv"),
            "--config-dir",
            str(config),
        ],
    )
    assert refused.exit_code == 2
    assert "does not accept csv; it accepts hl7v2" in refused.stderr


def test_connectors_check_lists_every_problem_once_in_line_order(
    cli_env: Settings, tmp_path: Path
) -> None:
    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "pms.yaml").write_text(
        "timezone: America/Bostn\n"
        "hl7v2:\n  mapping:\n    storage: nowhere\n"
        "fhir:\n  server: {base_url: 'https://pms.example/fhir', poll_seconds: !!float often}\n"
        "csv:\n  mapping:\n    encoding: klingon\n"
    )
    result = runner.invoke(app, ["connectors", "check", "--config-dir", str(tmp_path)])
    assert result.exit_code == 2
    pms = tmp_path / "connectors" / "pms.yaml"
    assert result.stderr.splitlines() == [
        "invalid configuration:",
        f"  - {pms}:1: timezone: unknown time zone 'America/Bostn'",
        f"  - {pms}:4: hl7v2.mapping.storage: 'nowhere' is not an HL7 path like 'PID-5' or "
        "'RXE-8.9.3'",
        f"  - {pms}:6: fhir.server.poll_seconds: not a valid value: could not convert string to "
        "float: 'often'",
        f"  - {pms}:9: csv.mapping.encoding: unknown encoding 'klingon'",
    ]


def test_demo_dispatches_its_live_carrier_decision_once(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with SandboxServer(tick_seconds=None) as sandbox:
        monkeypatch.setenv("FINALMILE_CARRIERS", json.dumps(carrier_config(sandbox)))
        monkeypatch.setenv("FINALMILE_QUOTES", "live")
        first = runner.invoke(app, ["demo"])
        assert first.exit_code == 0, first.stderr
        [decided] = [x for x in first.stdout.splitlines() if x.startswith("demo decision:")]
        [line] = [x for x in first.stdout.splitlines() if x.startswith("demo shipment:")]
        account, service = decided.split(" via ")[1].split(", service ")
        assert decided.startswith("demo decision: DEMO-RX-011 -> carrier via ")
        carrier, carrier_service = service.split(":")
        assert line.startswith(
            f"demo shipment: DEMO-RX-011 dispatched as decided: account {account}, "
            f"{carrier} {carrier_service}, tracking "
        )
        assert not (cli_env.data_dir / "labels").exists()  # no plain copy of the label
        command = line.split(": finalmile ")[1].rstrip(")").split()
        out = tmp_path / command[-1]
        written = runner.invoke(app, [*command[:-1], str(out)])
        assert written.exit_code == 0, written.stderr
        assert out.read_bytes().startswith(b"%PDF")
        again = runner.invoke(app, ["demo"])
        tracking = line.split(", tracking ")[1].split(",")[0]
        assert f"DEMO-RX-011 already dispatched as decided: account {account}" in again.stdout
        assert f"tracking {tracking}, label stored encrypted" in again.stdout  # bought once
        assert sum(labels_by_order(sandbox).values()) == 1

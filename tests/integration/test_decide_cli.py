"""``finalmile decide`` and ``finalmile rules check|activate|simulate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finalmile.app import build_services
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.rules import FACTS, load_catalog
from finalmile.rules.versions import active_version
from tests.conftest import FIXTURES
from tests.hl7_builder import rde

runner = CliRunner()
AT = ["--at", "2026-11-23T09:00"]  # a Monday morning at the site
SUMMARY_KEYS = [
    "order_id", "delivery_type", "carrier", "service", "estimated_delivery", "cost", "reasons",
]  # fmt: skip
DEFAULT_TEXT = load_catalog(None).rule_files["default"].text


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_decide_prints_one_json_line_per_hl7_order(tmp_path: Path) -> None:
    path = tmp_path / "orders.hl7"
    path.write_bytes(rde("D1", "RX-D1") + b"\n" + rde("D2", "RX-D2", storage="F"))
    result = runner.invoke(app, ["decide", str(path), "--format", "hl7", *AT])
    assert result.exit_code == 0, result.stderr
    lines = _lines(result.stdout)
    assert [list(line) for line in lines] == [SUMMARY_KEYS, SUMMARY_KEYS]
    assert [line["order_id"] for line in lines] == ["RX-D1", "RX-D2"]
    assert {line["delivery_type"] for line in lines} == {"courier"}


def test_decide_reads_csv_and_fhir_and_reports_bad_rows(tmp_path: Path) -> None:
    csv = runner.invoke(
        app, ["decide", str(FIXTURES / "csv" / "orders_bom_crlf.csv"), "-f", "csv", *AT]
    )
    assert csv.exit_code == 0, csv.stderr
    lines = _lines(csv.stdout)
    # A row without storage is held (a file is decided without the item master); the rest travel.
    held = [line for line in lines if line["delivery_type"] == "hold"]
    assert [line["reasons"][0] for line in held] == [
        "Hold: storage requirement unknown for NDC (none, item 1): add it to the item master or "
        "send it in the message"
    ]
    assert len(lines) > len(held)
    fhir = runner.invoke(
        app, ["decide", str(FIXTURES / "fhir" / "transaction_urn_uuid.json"), "-f", "fhir", *AT]
    )
    assert fhir.exit_code == 0, fhir.stderr
    assert len(_lines(fhir.stdout)) >= 1
    bad = runner.invoke(
        app, ["decide", str(FIXTURES / "csv" / "rows_with_errors.csv"), "-f", "csv", *AT]
    )
    assert bad.exit_code == 1
    assert all("location" in json.loads(line) for line in bad.stderr.splitlines())


def test_rules_check_lists_every_error_with_its_line(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(DEFAULT_TEXT)
    assert runner.invoke(app, ["rules", "check", str(good)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nrules:\n  - name: a\n    when: {storge: frozen}\n    forbid: true\n"
                   "  - name: b\n    require: [saturday]\n"
                   "  - name: c\n    when: {distance_miles: {above: 2026-02-30}}\n    hold: true\n"
                   "settings: {late: 17:00, late: 18:00}\n")  # fmt: skip
    result = runner.invoke(app, ["rules", "check", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "invalid configuration:",
        f"  - {bad}:4: rules[0].when.storge: unknown fact 'storge' (did you mean storage?); "
        f"facts are: {', '.join(FACTS)}",
        f"  - {bad}:7: rules[1].require[0]: unknown option 'saturday'; use adult_signature, "
        "saturday_delivery, dry_ice, hazmat, insurance",
        f"  - {bad}:9: rules[2].when.distance_miles.above: not a valid value: day is out of "
        "range for month",
        f"  - {bad}:11: settings.late: key given twice",
    ]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: Zürich\nrules: []\n".encode("cp1252"))
    unreadable = runner.invoke(app, ["rules", "check", str(latin)])
    assert unreadable.exit_code == 1
    assert f"{latin}: cannot be read (UnicodeDecodeError)" in unreadable.stderr


def test_decide_lists_every_site_problem_once_in_line_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sites").mkdir()
    demo = tmp_path / "sites" / "demo.yaml"
    demo.write_text(
        "name: demo\ntimezone: America/New_York\npostal_code: '02139'\n"
        "holidays: {dates: [2026-02-30]}\n"
        "carriers:\n  - {carrier: ups, cutoff: '17:00', bogus: 1}\n"
        "rules: winter\n"
    )
    monkeypatch.setenv("FINALMILE_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "orders.hl7"
    path.write_bytes(rde("D1", "RX-D1"))
    result = runner.invoke(app, ["decide", str(path), "--format", "hl7", *AT])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "invalid configuration:",
        f"  - {demo}:4: holidays.dates[0]: not a valid value: day is out of range for month",
        f"  - {demo}:6: carriers[0].bogus: unknown key",
        f"  - {demo}:7: rules: no rule set file winter.yaml",
    ]


def test_rules_activate_stores_a_new_version_and_refuses_broken_files(
    cli_env: Settings, tmp_path: Path
) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(DEFAULT_TEXT.replace("courier_radius_miles: 50", "courier_radius_miles: 30"))
    done = runner.invoke(app, ["rules", "activate", str(new), "--site", "demo"])
    assert done.exit_code == 0, done.stderr
    assert "rule set 'default' v1 active" in done.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text(DEFAULT_TEXT.replace("storage: frozen", "storage: icy"))
    refused = runner.invoke(app, ["rules", "activate", str(broken), "--site", "demo"])
    assert refused.exit_code == 1
    unknown = runner.invoke(app, ["rules", "activate", str(new), "--site", "nowhere"])
    assert unknown.exit_code == 2
    services = build_services(cli_env)
    try:
        with services.sessions() as session:
            active = active_version(session=session, site="demo")
            assert active is not None
            assert (active.version, active.text) == (1, new.read_text())
    finally:
        services.close()


def test_rules_simulate_reports_changes_cost_and_changed_orders(tmp_path: Path) -> None:
    orders = FIXTURES / "csv" / "orders_bom_crlf.csv"
    new = tmp_path / "no-courier.yaml"
    new.write_text(DEFAULT_TEXT.replace("courier_radius_miles: 50", "courier_radius_miles: -1"))
    text = runner.invoke(app, ["rules", "simulate", str(orders), "--rules", str(new), *AT])
    assert text.exit_code == 0, text.stderr
    assert "decisions changed:" in text.stdout
    result = runner.invoke(
        app, ["rules", "simulate", str(orders), "--rules", str(new), "--json", *AT]
    )
    report = json.loads(result.stdout)
    assert report["changed"] == len(report["changed_orders"]) > 0
    assert all(c["current"].startswith("Courier") for c in report["changed_orders"])
    assert set(report["moves"]) <= {"courier -> carrier", "courier -> hold"}
    same = runner.invoke(
        app,
        [
            "rules",
            "simulate",
            str(orders),
            "--rules",
            str(new),
            "--against",
            str(new),
            "--json",
            *AT,
        ],
    )
    assert json.loads(same.stdout)["changed"] == 0


def test_decide_with_another_rule_file(tmp_path: Path) -> None:
    path = tmp_path / "orders.hl7"
    path.write_bytes(rde("R1", "RX-R1"))
    strict = tmp_path / "strict.yaml"
    strict.write_text(DEFAULT_TEXT.replace("courier_radius_miles: 50", "courier_radius_miles: -1"))
    result = runner.invoke(app, ["decide", str(path), "--rules", str(strict), *AT])
    assert result.exit_code == 0, result.stderr
    (line,) = _lines(result.stdout)
    assert line["delivery_type"] == "carrier"
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: b\nrules: 3\n")
    refused = runner.invoke(app, ["decide", str(path), "--rules", str(broken), *AT])
    assert refused.exit_code == 1
    assert f"{broken}:2: rules: rules is a list of rules" in refused.stderr

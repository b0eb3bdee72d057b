"""Connector profiles: YAML validated as a whole, every error with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from finalmile.canonical import StorageClass
from finalmile.config.settings import Settings
from finalmile.errors import ConfigError, InputError, NotFoundError
from finalmile.profiles.registry import load_connectors

EXAMPLES = Path(__file__).parents[3] / "examples" / "connectors"


def _settings(config_dir: Path | None, **values: object) -> Settings:
    return Settings(config_dir=config_dir, timezone="America/Denver", mllp_port=2575, **values)  # type: ignore[arg-type]


def _write(config_dir: Path, name: str, text: str) -> Path:
    folder = config_dir / "connectors"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


def _errors(config_dir: Path, **values: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_connectors(_settings(config_dir, **values))
    return caught.value.errors


def test_built_in_default_accepts_every_format_in_the_pharmacy_time_zone() -> None:
    registry = load_connectors(_settings(None))
    assert registry.names == ["default"]
    assert registry.get().formats == ["hl7v2", "fhir", "csv"]
    assert registry.hl7().timezone == registry.fhir().timezone == "America/Denver"
    assert registry.csv().delimiter == ","


def test_shipped_examples_are_valid(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "connectors", ignore=shutil.ignore_patterns("samples"))
    registry = load_connectors(_settings(tmp_path))
    assert registry.names == ["cp1252-semicolon", "default", "fhir-extensions", "nte-hl7"]
    assert registry.fhir("fhir-extensions").paths["instructions"].root == "MedicationDispense"
    nte = registry.hl7("nte-hl7")
    assert (nte.instructions, nte.storage, nte.timezone) == ("NTE-3", "ZRX-4.2", "America/Chicago")
    assert nte.storage_codes["FRZ"] is StorageClass.FROZEN
    csv = registry.csv("cp1252-semicolon")
    assert (csv.delimiter, csv.encoding, csv.header_name("order_id")) == (
        ";",
        "cp1252",
        "Rx Number",
    )
    folder = registry.get("cp1252-semicolon").csv
    assert folder is not None and folder.drop_folder is not None
    assert folder.drop_folder.path == tmp_path / "drop" / "cp1252-semicolon"


def test_every_error_of_every_file_is_listed_once_by_file_then_line(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "broken",
        "timezone: Mars/Olympus\n"
        "hl7v2:\n"
        "  mllp_port: 70000\n"
        "  mapping:\n"
        "    storage: ZRX-four\n"
        "    storage_codes: {FRZ: deep-frozen}\n"
        "fhir:\n"
        "  server:\n"
        "    base_url: https://pms.example/fhir\n"
        "    start_at: 2026-02-30T08:00:00\n"
        "    poll_seconds: !!float often\n"
        "csv:\n"
        "  mapping:\n"
        "    delimiter: ';;'\n"
        "    columns: {rx: Rx Number}\n"
        "  extra: true\n",
    )
    _write(tmp_path, "twice", "name: twice\ncsv: {}\ncsv: {}\n")
    _write(tmp_path, "other", "name: another\ncsv: {}\n")
    _write(tmp_path, "empty", "description: nothing to accept\n")
    broken = tmp_path / "connectors" / "broken.yaml"
    folder = broken.parent
    columns = (
        "order_id, mrn, family, given, birth_date, phone, email, ship_name, line1, line2, city, "
        "state, postal_code, ndc, description, quantity, unit, storage, controlled_schedule, "
        "needed_by, requires_signature, instructions"
    )
    # The wrong zone once (not again for each section that inherits it), the bad date and
    # number once (not again as pydantic's "Input should be ..."), in the order of the lines.
    assert _errors(tmp_path) == [
        f"{broken}:1: timezone: unknown time zone 'Mars/Olympus'",
        f"{broken}:3: hl7v2.mllp_port: Input should be less than or equal to 65535",
        f"{broken}:5: hl7v2.mapping.storage: 'ZRX-four' is not an HL7 path like 'PID-5' or "
        "'RXE-8.9.3'",
        f"{broken}:6: hl7v2.mapping.storage_codes.FRZ: Input should be 'ambient', "
        "'controlled_room', 'refrigerated' or 'frozen'",
        f"{broken}:10: fhir.server.start_at: not a valid value: day is out of range for month",
        f"{broken}:11: fhir.server.poll_seconds: not a valid value: could not convert string to "
        "float: 'often'",
        f"{broken}:14: csv.mapping.delimiter: must be one character other than a quote or a line "
        "break",
        f"{broken}:15: csv.mapping.columns: unknown column(s) rx; expected some of {columns}",
        f"{broken}:16: csv.extra: unknown key",
        f"{folder / 'empty.yaml'}:1: a connector needs at least one of the sections hl7v2, fhir, "
        "csv",
        f"{folder / 'other.yaml'}:1: name: 'another' differs from the file name 'other'",
        f"{folder / 'twice.yaml'}:3: csv: key given twice",
    ]


def test_a_wrong_zone_in_a_section_is_reported_there_and_a_good_one_is_inherited(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        "pms",
        "timezone: America/Chicago\nhl7v2: {}\ncsv:\n  mapping: {timezone: Pluto/Base}\n",
    )
    assert _errors(tmp_path) == [
        f"{tmp_path / 'connectors' / 'pms.yaml'}:4: csv.mapping.timezone: unknown time zone "
        "'Pluto/Base'"
    ]
    _write(tmp_path, "pms", "timezone: America/Chicago\nhl7v2: {}\ncsv: {}\n")
    registry = load_connectors(_settings(tmp_path))
    assert registry.hl7("pms").timezone == registry.csv("pms").timezone == "America/Chicago"


def test_ports_and_drop_folders_may_not_be_shared(tmp_path: Path) -> None:
    _write(tmp_path, "a", "hl7v2: {mllp_port: 2575}\ncsv: {drop_folder: {path: drop}}\n")
    _write(tmp_path, "b", "csv: {drop_folder: {path: drop}}\n")
    folder = tmp_path / "connectors"
    drop = tmp_path / "drop"
    assert _errors(tmp_path) == [
        f"{folder / 'a.yaml'}:1: hl7v2.mllp_port: port 2575 is also used by another connector or "
        "FINALMILE_MLLP_PORT",
        f"{folder / 'a.yaml'}:2: csv.drop_folder.path: {drop} is used by another connector",
        f"{folder / 'b.yaml'}:1: csv.drop_folder.path: {drop} is used by another connector",
    ]


def test_default_connector_must_exist(tmp_path: Path) -> None:
    _write(tmp_path, "pms", "csv: {}\n")
    errors = _errors(tmp_path, connector="nope")
    assert errors == ["FINALMILE_CONNECTOR: no connector named 'nope'; configured: default, pms"]


def test_a_config_dir_default_replaces_the_built_in_one(tmp_path: Path) -> None:
    _write(tmp_path, "default", "timezone: America/Phoenix\ncsv: {mapping: {delimiter: '|'}}\n")
    registry = load_connectors(_settings(tmp_path))
    assert registry.get().formats == ["csv"]
    assert registry.csv().timezone == "America/Phoenix"
    with pytest.raises(InputError, match="does not accept hl7v2; it accepts csv"):
        registry.hl7()
    with pytest.raises(NotFoundError, match="no connector named 'x'"):
        registry.get("x")


def test_not_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    _write(tmp_path, "bad", "csv:\n  mapping: [unclosed\n")
    assert _errors(tmp_path) == [
        f"{tmp_path / 'connectors' / 'bad.yaml'}:3: not valid YAML: while parsing a flow "
        "sequence, expected ',' or ']', but got '<stream end>'"
    ]

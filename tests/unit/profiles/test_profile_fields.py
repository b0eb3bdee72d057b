"""Re-pointed fields (``fields:``) are checked when the profiles load, each error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from finalmile.config.settings import Settings
from finalmile.errors import ConfigError
from finalmile.profiles.registry import load_connectors


def _errors(tmp_path: Path, text: str) -> list[str]:
    folder = tmp_path / "connectors"
    folder.mkdir()
    (folder / "pms.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_connectors(Settings(config_dir=tmp_path))
    return caught.value.errors


def test_hl7_fields_refused_at_load_with_their_lines(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        "hl7v2:\n"
        "  mapping:\n"
        "    fields:\n"
        "      order_id: ZOR-1\n"
        "      patient.ssn: PID-19\n"
        "      patient.mrn: PID2\n",
    )
    pms = str(tmp_path / "connectors" / "pms.yaml")
    assert errors[0].startswith(
        f"{pms}:5: hl7v2.mapping.fields.patient.ssn: unknown canonical field 'patient.ssn'; "
        "expected one of order_id, patient.mrn,"
    )
    assert errors[1:] == [
        f"{pms}:6: hl7v2.mapping.fields.patient.mrn: 'PID2' is not an HL7 path like 'PID-5' or "
        "'RXE-8.9.3'"
    ]


def test_hl7_delivery_key_and_field_may_not_both_be_given(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path, "hl7v2:\n  mapping:\n    needed_by: ORC-15\n    fields: {needed_by: ZOR-2}\n"
    )
    assert errors == [
        f"{tmp_path / 'connectors' / 'pms.yaml'}:2: hl7v2.mapping: give needed_by or "
        "fields.needed_by, not both"
    ]


def test_fhir_fields_refused_at_load_with_their_lines(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        "fhir:\n"
        "  mapping:\n"
        "    fields:\n"
        "      instructions: MedicationDispense.note[1].text\n"
        "      needed_by: MedicationDispense.extension('https://pms.example/by').first()\n"
        "      ship_to.line3: Location.address.line[2]\n",
    )
    pms = str(tmp_path / "connectors" / "pms.yaml")
    assert len(errors) == 2
    assert errors[0].startswith(
        f'{pms}:5: fhir.mapping.fields.needed_by: "MedicationDispense.extension('
    )
    assert "unsupported FHIRPath at '.first()'" in errors[0]
    assert errors[1].startswith(
        f"{pms}:6: fhir.mapping.fields.ship_to.line3: unknown canonical field"
    )

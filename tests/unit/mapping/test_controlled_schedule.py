"""Each format's default place for the DEA schedule, its re-pointing, and its errors."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from finalmile.canonical import ControlledSchedule, DispatchOrder
from finalmile.errors import InputError
from finalmile.mapping.csv import CsvOrder, CsvProfile, CsvRejection, iter_orders
from finalmile.mapping.fhir import map_fhir
from finalmile.mapping.fhir_profile import FhirProfile
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map

II, IIN, IV = ControlledSchedule.II, ControlledSchedule.IIN, ControlledSchedule.IV
LONE = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "fhir" / "lone_contained_patient.json").read_text()
)
SCHEDULE_URL = "https://finalmile.dev/fhir/StructureDefinition/controlled-schedule"


def rxe(ndc: str, schedule: str = "") -> str:
    """An RXE with RXE-2 product, RXE-10/11 dispense amount and unit, RXE-35 schedule."""
    return f"RXE||{ndc}^Drug {ndc}^LOCAL||||||||1|EA" + "|" * 24 + schedule


def hl7(kind: str, *body: str) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|PMS|SITE|FINALMILE|FM|20261120093000||{kind}|MSG-S1|P|2.6",
            "PID|1||MRN1^^^SITE^MR||Testperson^Alma||||||1 Test Way^^Boston^MA^02101",
            "ORC|NW|RX-S1",
            *body,
            "",
        ]
    )


def hl7_items(text: str, **settings: Any) -> list[ControlledSchedule | None]:
    profile = Hl7Profile.model_validate(settings)
    _, intents = decode_and_map(text.encode(), connector="c", profile=profile)
    assert len(intents) == 1 and intents[0].order is not None
    return [item.controlled_schedule for item in intents[0].order.items]


def hl7_error(text: str, **settings: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        hl7_items(text, **settings)
    return caught.value


def test_hl7_reads_rxe_35_of_each_rxe() -> None:
    text = hl7("RDE^O11^RDE_O11", rxe("1", "C-II"), rxe("2"), rxe("3", "4"), rxe("4", "VI"))
    assert hl7_items(text) == [II, None, IV, None]


def test_hl7_rds_items_take_the_schedule_of_their_group_rxe() -> None:
    rxd = "RXD|1|{0}^Drug {0}^LOCAL|20261120101500|1|EA"
    with_rxe = hl7("RDS^O13^RDS_O13", rxe("1", "CII"), rxd.format("1"), rxd.format("2"))
    assert hl7_items(with_rxe) == [II, II]
    without_rxe = hl7("RDS^O13^RDS_O13", rxd.format("1"))
    assert hl7_items(without_rxe) == [None]


def test_hl7_rxo_items_have_no_schedule_field() -> None:
    text = hl7("OMP^O09^OMP_O09", "RXO|1^Drug^LOCAL||||||||||1|EA")
    assert hl7_items(text) == [None]


def test_hl7_schedule_can_be_re_pointed_to_a_z_segment() -> None:
    text = hl7("RDE^O11^RDE_O11", rxe("1", "V"), "ZRX|N|2N")
    fields = {"item.controlled_schedule": "ZRX-2"}
    assert hl7_items(text, fields=fields) == [IIN]  # RXE-35 is no longer read
    assert hl7_items(hl7("RDE^O11^RDE_O11", rxe("1", "V")), fields=fields) == [None]


@pytest.mark.parametrize(
    ("text", "settings", "location"),
    [
        (hl7("RDE^O11^RDE_O11", rxe("1", "C-X")), {}, "RXE-35"),
        (hl7("RDE^O11^RDE_O11", rxe("1", "I")), {}, "RXE-35"),
        (
            hl7("RDE^O11^RDE_O11", rxe("1"), "ZRX|N|7"),
            {"fields": {"item.controlled_schedule": "ZRX-2"}},
            "ZRX-2",
        ),
    ],
)
def test_hl7_bad_schedule_names_the_field(
    text: str, settings: dict[str, Any], location: str
) -> None:
    caught = hl7_error(text, **settings)
    assert (caught.location, caught.code) == (location, "invalid_schedule")
    assert "Testperson" not in caught.message and "MRN1" not in caught.message


def fhir_order(resource: dict[str, Any], **settings: Any) -> DispatchOrder:
    profile = FhirProfile.model_validate(settings)
    mapping = map_fhir(json.dumps(resource).encode(), connector="c", profile=profile)
    order = mapping.intents[0].order
    assert order is not None
    return order


def with_extension(value: dict[str, Any]) -> dict[str, Any]:
    resource = copy.deepcopy(LONE)
    resource["extension"].append({"url": SCHEDULE_URL, **value})
    return resource


def test_fhir_reads_the_controlled_schedule_extension() -> None:
    assert fhir_order(LONE).items[0].controlled_schedule is None
    scheduled = fhir_order(with_extension({"valueCode": "C-II"}))
    assert scheduled.items[0].controlled_schedule is II
    assert scheduled.to_contract()["items"][0]["controlled_schedule"] == "II"


def test_fhir_schedule_can_be_re_pointed_to_a_medication_coding() -> None:
    resource = copy.deepcopy(LONE)
    system = "http://terminology.hl7.org/CodeSystem/v2-0477"
    resource["medicationCodeableConcept"]["coding"] = [{"system": system, "code": "IV"}]
    path = f"MedicationDispense.medicationCodeableConcept.coding.where(system='{system}').code"
    ignored = with_extension({"valueCode": "II"})
    ignored["medicationCodeableConcept"] = resource["medicationCodeableConcept"]
    order = fhir_order(ignored, fields={"item.controlled_schedule": path})
    assert order.items[0].controlled_schedule is IV


@pytest.mark.parametrize(
    ("value", "code"),
    [({"valueCode": "X"}, "invalid_schedule"), ({"valueString": "II"}, "required")],
)
def test_fhir_bad_schedule_extension_is_located(value: dict[str, Any], code: str) -> None:
    with pytest.raises(InputError) as caught:
        fhir_order(with_extension(value))
    assert (caught.value.location, caught.value.code) == (
        "MedicationDispense.extension[1].valueCode",
        code,
    )


def test_fhir_bad_re_pointed_schedule_is_located_at_the_evaluated_path() -> None:
    resource = copy.deepcopy(LONE)
    resource["note"] = [{"text": "schedule I"}]
    with pytest.raises(InputError) as caught:
        fhir_order(resource, fields={"item.controlled_schedule": "MedicationDispense.note[0].text"})
    assert (caught.value.location, caught.value.code) == (
        "MedicationDispense.note[0].text",
        "invalid_schedule",
    )


CSV = (
    "order_id,mrn,line1,city,state,postal_code,quantity,{column}\n"
    "RX-1,MRN1,1 Test Way,Boston,MA,02101,1,C-II\n"
    "RX-1,MRN1,1 Test Way,Boston,MA,02101,2,\n"
    "RX-2,MRN2,2 Test Way,Boston,MA,02101,1,3N\n"
    "RX-3,MRN3,3 Test Way,Boston,MA,02101,1,schedule 9\n"
)


def csv_results(column: str, profile: CsvProfile) -> list[CsvOrder | CsvRejection]:
    data = CSV.format(column=column).encode()
    return list(iter_orders(io.BytesIO(data), connector="c", profile=profile))


@pytest.mark.parametrize(
    ("column", "profile"),
    [
        ("controlled_schedule", CsvProfile()),
        ("DEA", CsvProfile(columns={"controlled_schedule": "DEA"})),
    ],
)
def test_csv_reads_the_controlled_schedule_column(column: str, profile: CsvProfile) -> None:
    one, two, bad = csv_results(column, profile)
    assert isinstance(one, CsvOrder) and isinstance(two, CsvOrder)
    assert [i.controlled_schedule for i in one.order.items] == [II, None]
    assert [i.controlled_schedule for i in two.order.items] == [ControlledSchedule.IIIN]
    assert isinstance(bad, CsvRejection)
    assert (bad.error.location, bad.error.code) == (
        f"line 5, column {column!r}",
        "invalid_schedule",
    )
    assert "MRN3" not in bad.error.message


def test_csv_without_the_column_has_no_schedules() -> None:
    data = (
        b"order_id,mrn,line1,city,state,postal_code,quantity\n"
        b"RX-1,MRN1,1 Test Way,Boston,MA,02101,1\n"
    )
    [found] = iter_orders(io.BytesIO(data), connector="c", profile=CsvProfile())
    assert isinstance(found, CsvOrder) and not found.order.controlled

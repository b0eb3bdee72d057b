"""The demo's samples are moved forward to the day it runs, dates of birth and phones untouched."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest

from finalmile.canonical import DispatchOrder
from finalmile.config.demo_dates import SAMPLES_WRITTEN, days_since_samples, redate
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map

SAMPLES = resources.files("finalmile.config.defaults").joinpath("demo")
HL7_SAMPLES = sorted(e.name for e in SAMPLES.iterdir() if e.name.endswith(".hl7"))


def orders(raw: bytes) -> list[DispatchOrder]:
    _, intents = decode_and_map(raw, connector="default", profile=Hl7Profile())
    return [i.order for i in intents if i.order is not None]


def test_nothing_moves_until_the_samples_age() -> None:
    assert days_since_samples(SAMPLES_WRITTEN - dt.timedelta(days=3)) == 0
    assert days_since_samples(SAMPLES_WRITTEN) == 0
    assert days_since_samples(SAMPLES_WRITTEN + dt.timedelta(days=45)) == 45
    raw = SAMPLES.joinpath(HL7_SAMPLES[0]).read_bytes()
    assert redate(raw, 0) is raw


@pytest.mark.parametrize("name", HL7_SAMPLES)
def test_hl7_samples_move_by_whole_days_and_keep_patients(name: str) -> None:
    raw = SAMPLES.joinpath(name).read_bytes()
    before, after = orders(raw), orders(redate(raw, 400))
    assert len(after) == len(before) > 0
    for old, new in zip(before, after, strict=True):
        if old.needed_by is not None:
            assert new.needed_by == old.needed_by + dt.timedelta(days=400)
        assert new.patient == old.patient  # birth date and phone as written
        assert new.model_dump(exclude={"needed_by"}) == old.model_dump(exclude={"needed_by"})


def test_timestamps_of_every_hl7_length_move_and_other_fields_do_not() -> None:
    raw = (
        b"MSH|^~\\&|A|B|C|D|20261201080000-0500||RDE^O11|X1|P|2.5.1\r"
        b"PID|1||M1||Test^Patient||20240105|F|||||^PRN^PH^^1^617^5550101\r"
        b"ZDL|202612020900|20261204|20261203170000.25+0100|20261399\r"
    )
    assert redate(raw, 31) == (
        b"MSH|^~\\&|A|B|C|D|20270101080000-0500||RDE^O11|X1|P|2.5.1\r"
        b"PID|1||M1||Test^Patient||20240105|F|||||^PRN^PH^^1^617^5550101\r"
        b"ZDL|202701020900|20270104|20270103170000.25+0100|20261399\r"
    )


def test_iso_dates_in_csv_and_json_move_birth_dates_do_not() -> None:
    csv = b"order_id,birth_date,needed_by\nR1,1961-04-02,2026-11-24T17:00:00-05:00\n"
    assert redate(csv, 7) == (
        b"order_id,birth_date,needed_by\nR1,1961-04-02,2026-12-01T17:00:00-05:00\n"
    )
    fhir = b'{"birthDate": "1958-03-12", "whenPrepared": "2026-11-25", "id": "rx-2026-11-25-1"}'
    assert redate(fhir, 7) == (
        b'{"birthDate": "1958-03-12", "whenPrepared": "2026-12-02", "id": "rx-2026-12-02-1"}'
    )

"""The quick-start HL7 examples, as ``scripts/send-hl7`` sends them, are needed in the future."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from finalmile.config import days_since_samples, redate
from finalmile.config.demo_dates import SAMPLES_WRITTEN
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map

EXAMPLES = Path(__file__).parents[3] / "examples" / "hl7"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.hl7")), ids=lambda p: p.name)
@pytest.mark.parametrize("days_later", [0, 15, 400])
def test_sent_examples_are_needed_after_the_day_they_are_sent(path: Path, days_later: int) -> None:
    today = SAMPLES_WRITTEN + dt.timedelta(days=days_later)
    raw = redate(path.read_bytes(), days_since_samples(today))
    _, intents = decode_and_map(raw, connector="default", profile=Hl7Profile())
    (intent,) = intents
    assert intent.order is not None and intent.order.needed_by is not None
    assert intent.order.needed_by.date() > today

"""Keep the demo's sample orders in the future: move their dates forward to the day of a run.

The bundled samples are written as of ``SAMPLES_WRITTEN``: entered then, needed one to twelve days
later. Run weeks afterwards, every needed-by date would be past and every demo order a hold. So
``finalmile demo`` moves each date of the samples' time (HL7 v2 ``TS``/``DT`` values, ISO dates in
FHIR JSON and CSV) forward by the whole days from then to its first run against a database
(``cli.demo.load_samples``); times of day and UTC offsets stay as written. Dates well before
the samples (birth dates) are left alone. It reads dates by their shape, which suits the bundled
samples (no other run of digits there starts like a date of theirs; a test checks that each
still maps to the same order, moved), not arbitrary messages.
"""

from __future__ import annotations

import datetime as dt
import re

#: The day the bundled samples are written for.
SAMPLES_WRITTEN = dt.date(2026, 11, 23)
#: Dates this long before ``SAMPLES_WRITTEN`` or earlier are not the samples' own (birth dates).
_OWN_DATES_FROM = SAMPLES_WRITTEN - dt.timedelta(days=30)

# An HL7 v2 date or timestamp: YYYYMMDD, then hours, minutes, seconds (each optional, in pairs),
# fractional seconds and a UTC offset; not part of a longer run of digits (a phone number).
_HL7 = re.compile(
    rb"(?<![0-9])(20[0-9]{2})([01][0-9])([0-3][0-9])"
    rb"(?=(?:[0-9]{2}){0,3}(?:\.[0-9]+)?(?:[+-][0-9]{4})?(?![0-9]))"
)
# An ISO 8601 date, alone or starting a date-time.
_ISO = re.compile(rb"(?<![0-9])(20[0-9]{2})-([01][0-9])-([0-3][0-9])(?![0-9])")


def days_since_samples(today: dt.date) -> int:
    """How many days the samples move forward on ``today`` (none before they were written)."""
    return max(0, (today - SAMPLES_WRITTEN).days)


def redate(raw: bytes, days: int) -> bytes:
    """``raw`` (an HL7 v2 message, FHIR JSON or CSV) with its own dates ``days`` days later."""
    if days == 0:
        return raw
    shift = dt.timedelta(days=days)

    def moved(match: re.Match[bytes], template: str) -> bytes:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]  # digits shaped like a date that is none: not ours to touch
        if day < _OWN_DATES_FROM:
            return match[0]
        return (day + shift).strftime(template).encode("ascii")

    raw = _HL7.sub(lambda m: moved(m, "%Y%m%d"), raw)
    return _ISO.sub(lambda m: moved(m, "%Y-%m-%d"), raw)

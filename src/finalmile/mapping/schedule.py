"""DEA controlled-substance schedules as PMSs write them, read into ``ControlledSchedule``.

Accepted, case-insensitive, with any spaces or hyphens: the DEA codes (``II``, ``IIN``, ``III``,
``IIIN``, ``IV``, ``V``), their ARCOS digits (``2``, ``2N``, ``3``, ``3N``, ``4``, ``5``), the
"C" label printed on packages (``CII``, ``C-II``, ``C2``) and the words (``schedule II``). These
include HL7 Table 0477's codes: I to V are the federal schedules; VI is a state-defined schedule
(in Massachusetts, every prescription drug outside I-V), so it reads as not federally controlled
(None) rather than rejecting a whole state's orders. Schedule I has no accepted medical use and is
never dispensed, so it is an error, as is anything else.
"""

from __future__ import annotations

import re

from finalmile.canonical import ControlledSchedule

_FORM = re.compile(r"(?:SCHEDULE|SCH\.?|CS|C)?([IV]+|[1-6])(N?)")
_NUMBERS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6} | {str(n): n for n in range(1, 7)}
_SCHEDULES = {
    (2, ""): ControlledSchedule.II,
    (2, "N"): ControlledSchedule.IIN,
    (3, ""): ControlledSchedule.III,
    (3, "N"): ControlledSchedule.IIIN,
    (4, ""): ControlledSchedule.IV,
    (5, ""): ControlledSchedule.V,
}
STATE_SCHEDULE = 6
EXPECTED = (
    "expected a DEA schedule: II, IIN, III, IIIN, IV or V (also written 2, 2N, CII, C-II or "
    "schedule II), VI or empty when not federally controlled"
)


class ScheduleError(ValueError):
    """A value that is no dispensable DEA schedule; the message never quotes the value."""


def controlled_schedule(text: str | None) -> ControlledSchedule | None:
    """The DEA schedule ``text`` names; None when it is empty or the state schedule VI.

    Raises:
        ScheduleError: schedule I, or a value that names no schedule.
    """
    compact = re.sub(r"[\s\-]+", "", text or "").upper()
    if not compact:
        return None
    match = _FORM.fullmatch(compact)
    number = _NUMBERS.get(match.group(1)) if match else None
    if match is None or number is None:
        raise ScheduleError(f"the controlled substance schedule is unknown; {EXPECTED}")
    narcotic_class = match.group(2)
    if number == 1:
        raise ScheduleError(
            "schedule I substances have no accepted medical use and are never dispensed; "
            + EXPECTED
        )
    if number == STATE_SCHEDULE and not narcotic_class:
        return None
    schedule = _SCHEDULES.get((number, narcotic_class))
    if schedule is None:
        raise ScheduleError(f"the controlled substance schedule is unknown; {EXPECTED}")
    return schedule

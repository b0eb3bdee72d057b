"""DEA controlled-substance schedules, however a PMS writes them, read into the canonical codes."""

from __future__ import annotations

import pytest

from finalmile.canonical import ControlledSchedule
from finalmile.mapping.schedule import ScheduleError, controlled_schedule


@pytest.mark.parametrize(
    ("text", "schedule"),
    [
        ("II", ControlledSchedule.II),
        ("2", ControlledSchedule.II),
        ("C-II", ControlledSchedule.II),
        ("CII", ControlledSchedule.II),
        ("c2", ControlledSchedule.II),
        ("schedule II", ControlledSchedule.II),
        ("Schedule 2", ControlledSchedule.II),
        ("IIN", ControlledSchedule.IIN),
        ("2N", ControlledSchedule.IIN),
        ("C-II-N", ControlledSchedule.IIN),
        ("III", ControlledSchedule.III),
        ("CIII", ControlledSchedule.III),
        ("3n", ControlledSchedule.IIIN),
        ("IIIN", ControlledSchedule.IIIN),
        ("IV", ControlledSchedule.IV),
        ("C-IV", ControlledSchedule.IV),
        ("4", ControlledSchedule.IV),
        ("Sch. IV", ControlledSchedule.IV),
        ("V", ControlledSchedule.V),
        ("CV", ControlledSchedule.V),
        (" 5 ", ControlledSchedule.V),
    ],
)
def test_dea_codes_digits_and_labels_read_as_the_dea_code(
    text: str, schedule: ControlledSchedule
) -> None:
    assert controlled_schedule(text) is schedule


@pytest.mark.parametrize("text", [None, "", "  ", "VI", "6", "C-VI"])
def test_empty_and_the_state_schedule_vi_are_not_federally_controlled(text: str | None) -> None:
    assert controlled_schedule(text) is None


@pytest.mark.parametrize("text", ["X", "7", "IVN", "5N", "C", "II N N", "narcotic", "VII"])
def test_anything_else_is_an_error_listing_the_accepted_forms(text: str) -> None:
    with pytest.raises(ScheduleError, match="expected a DEA schedule: II, IIN, III, IIIN, IV or V"):
        controlled_schedule(text)


@pytest.mark.parametrize("text", ["I", "1", "C-I", "schedule I"])
def test_schedule_i_is_never_dispensed(text: str) -> None:
    with pytest.raises(ScheduleError, match=r"schedule I substances .* are never dispensed"):
        controlled_schedule(text)

"""Layout adapters: the generic and USB logger exports, °F, zones, and bad rows by line/column."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from finalmile.errors import ConfigError, InputError
from finalmile.evidence.temperature.layouts.base import ReadOptions
from finalmile.evidence.temperature.layouts.problems import TemperatureFileError
from finalmile.evidence.temperature.layouts.registry import load_layouts
from finalmile.evidence.temperature.readings import TemperatureLog, Unit
from tests.conftest import read_fixture

NEW_YORK = ZoneInfo("America/New_York")
CYCLE = [4.2, 4.5, 4.9, 5.3, 5.0, 4.6]
FIRST = dt.datetime(2026, 11, 21, 13, 0, tzinfo=dt.UTC)  # 08:00 at UTC-05:00


def read(layout: str, content: bytes, **options: object) -> TemperatureLog:
    return load_layouts().get(layout).read(content, ReadOptions(zone=NEW_YORK, **options))  # type: ignore[arg-type]


def assert_fixture_trip(log: TemperatureLog, *, places: int = 6) -> None:
    assert len(log.readings) == 49
    assert log.interval == dt.timedelta(minutes=5)
    assert log.first_at == FIRST and log.last_at == FIRST + dt.timedelta(hours=4)
    expected = [CYCLE[i % 6] for i in range(49)]
    assert [round(r.celsius, places) for r in log.readings] == expected


def test_generic_celsius_with_offsets() -> None:
    log = read("generic", read_fixture("temperature", "generic_celsius.csv"))
    assert_fixture_trip(log)
    assert (log.layout, log.logger_id) == ("generic", None)


def test_generic_fahrenheit_header_and_times_in_the_configured_zone() -> None:
    content = read_fixture("temperature", "generic_fahrenheit.csv")
    log = read("generic", content, logger_id="L-77")
    assert_fixture_trip(log)
    assert log.logger_id == "L-77"
    assert read("generic", content, unit=Unit.FAHRENHEIT).readings == log.readings


def test_fahrenheit_converts_exactly() -> None:
    log = read("generic", b"time,temperature\n2026-11-21T08:00:00Z,46.4\n", unit=Unit.FAHRENHEIT,
               interval=dt.timedelta(minutes=1))  # fmt: skip
    assert log.readings[0].celsius == pytest.approx(8.0)
    assert Unit.FAHRENHEIT.to_celsius(-13.0) == pytest.approx(-25.0)


def test_usb_logger_export_reads_its_metadata() -> None:
    log = read("usb-logger", read_fixture("temperature", "usb_logger_export.csv"))
    assert_fixture_trip(log, places=1)  # °F to one decimal: within 0.05 °C
    assert (log.layout, log.logger_id) == ("usb-logger", "GUL2045187")


def test_usb_logger_without_a_time_zone_reads_the_configured_one() -> None:
    text = read_fixture("temperature", "usb_logger_export.csv").decode("cp1252")
    content = text.replace("Time Zone,UTC-05:00\r\n", "").encode("cp1252")
    log = read("usb-logger", content)
    assert log.first_at == dt.datetime(2026, 11, 21, 8, 0, tzinfo=NEW_YORK)


def test_bad_rows_are_named_by_line_and_column() -> None:
    with pytest.raises(TemperatureFileError) as caught:
        read("generic", read_fixture("temperature", "generic_bad_rows.csv"))
    problems = [(p.line, p.column) for p in caught.value.problems]
    assert problems == [(3, "temperature_c"), (4, "timestamp"), (6, "timestamp"), (7, None)]
    message = str(caught.value)
    assert message.startswith("line 3, column 'temperature_c': 4 problems in the temperature log")
    assert "line 3, column 'temperature_c': not a number" in message
    assert "warm" not in message  # values are never quoted (a wrong file may hold patient data)
    assert "line 6, column 'timestamp': time 2026-11-21T08:10:00-05:00 is not after" in message
    assert "(line 5)" in message
    assert "line 7: 1 fields; the header has 2" in message
    assert (
        isinstance(caught.value, InputError)
        and caught.value.location == "line 3, column 'temperature_c'"
    )


@pytest.mark.parametrize(
    ("content", "options", "expected"),
    [
        (b"", {}, "line 1: the file is empty"),
        (b"when,temperature_c\n", {}, "line 1: no time column"),
        (b"timestamp,temperature\n2026-11-21T08:00:00Z,4\n", {}, "the unit is not named"),
        (b"timestamp,temperature_f\n", {"unit": Unit.CELSIUS}, "says °F but °C was given"),
        (b"timestamp,temperature_c\n", {}, "line 1: the file holds no readings"),
        (b"timestamp,temperature_c\n2026-11-21T08:00:00Z,4\n", {}, "one reading and no logging"),
    ],
)
def test_unusable_generic_files_say_why(
    content: bytes, options: dict[str, object], expected: str
) -> None:
    with pytest.raises(TemperatureFileError, match=expected):
        read("generic", content, **options)


def test_usb_logger_errors_name_metadata_lines() -> None:
    text = read_fixture("temperature", "usb_logger_export.csv").decode("cp1252")
    broken = text.replace("UTC-05:00", "Eastern").replace("00:05:00", "five minutes")
    broken = broken.replace("11/21/2026 08:10:00 AM", "2026-11-21 08:10")
    with pytest.raises(TemperatureFileError) as caught:
        read("usb-logger", broken.encode("cp1252"))
    assert [(p.line, p.column) for p in caught.value.problems] == [
        (4, "Logging Interval"),
        (5, "Time Zone"),
    ]  # metadata problems stop the read before the table
    with pytest.raises(TemperatureFileError, match="line 1: not a Generic USB logger export"):
        read("usb-logger", read_fixture("temperature", "generic_celsius.csv"))
    bad_time = text.replace("11/21/2026 08:10:00 AM", "2026-11-21 08:10").encode("cp1252")
    with pytest.raises(
        TemperatureFileError, match="line 12, column 'Date Time': not MM/DD/YYYY hh:mm:ss AM"
    ):
        read("usb-logger", bad_time)
    with pytest.raises(TemperatureFileError, match="the export says °F but °C was given"):
        read("usb-logger", text.encode("cp1252"), unit=Unit.CELSIUS)


def test_registry_lists_layouts_and_refuses_unknown_or_duplicate_names() -> None:
    registry = load_layouts()
    assert {"generic", "usb-logger"} <= set(registry.layouts)
    with pytest.raises(InputError, match=r"unknown temperature log layout 'acme'.*generic"):
        registry.get("acme")
    with pytest.raises(ConfigError, match="'generic' from finalmile already exists"):
        load_layouts(extra=[registry.get("generic")])

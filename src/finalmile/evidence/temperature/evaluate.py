"""Judge a temperature log against its storage class's limits: pure, deterministic.

Each reading stands for the temperature from its time until the next reading, for at most one
logging interval. Within the evaluation window (departure to delivery when both are known, else
the whole log) the verdict is:

- ``excursion`` when a single excursion or their total runs longer than the class allows, or the
  mean kinetic temperature is above the class's limit: the product's exposure is known and too much;
- else ``incomplete`` when readings are missing: two readings (or a window edge and a reading)
  further apart than ``gap_factor`` logging intervals, or no reading in the window at all;
- else ``pass``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from finalmile.canonical import StorageClass
from finalmile.config import ClassLimits
from finalmile.evidence.temperature.kinetics import mean_kinetic_temperature
from finalmile.evidence.temperature.readings import Reading, TemperatureLog


class Verdict(StrEnum):
    """The outcome of a temperature log: only ``pass`` lets billing go ahead."""

    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    EXCURSION = "excursion"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Window:
    """The time the package travelled; either end None when not known (yet)."""

    departure: dt.datetime | None = None
    delivery: dt.datetime | None = None

    @property
    def known(self) -> bool:
        """Whether both ends are known, so coverage of the whole trip can be checked."""
        return self.departure is not None and self.delivery is not None


@dataclass(frozen=True)
class Span:
    """A stretch of time: an excursion (with its peak) or a gap in readings."""

    start: dt.datetime
    end: dt.datetime
    peak_celsius: float | None = None
    direction: str | None = None  # "above", "below" or "outside" for excursions

    @property
    def minutes(self) -> float:
        """Its length in minutes."""
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True)
class Evaluation:
    """A verdict with the plain reasons for it and the figures behind them."""

    verdict: Verdict
    reasons: tuple[str, ...]
    storage: StorageClass
    start: dt.datetime
    end: dt.datetime
    whole_trip: bool
    min_celsius: float | None
    max_celsius: float | None
    mkt_celsius: float | None
    covered_minutes: float
    in_range_minutes: float | None
    excursions: tuple[Span, ...]
    gaps: tuple[Span, ...]

    @property
    def excursion_minutes(self) -> float:
        """The total length of all excursions."""
        return sum(span.minutes for span in self.excursions)

    @property
    def time_in_range_percent(self) -> float | None:
        """The share of covered time within the labelled range (None without a range)."""
        if self.in_range_minutes is None or self.covered_minutes == 0:
            return None
        return 100.0 * self.in_range_minutes / self.covered_minutes

    def summary(self) -> dict[str, Any]:
        """The JSON form stored with the verdict and served by the API."""

        def spans(items: tuple[Span, ...]) -> list[dict[str, Any]]:
            return [
                {
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "minutes": round(s.minutes, 2),
                    **(
                        {"direction": s.direction, "peak_celsius": s.peak_celsius}
                        if s.direction
                        else {}
                    ),
                }
                for s in items
            ]

        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "whole_trip": self.whole_trip,
            "min_celsius": _round(self.min_celsius),
            "max_celsius": _round(self.max_celsius),
            "mkt_celsius": _round(self.mkt_celsius),
            "covered_minutes": round(self.covered_minutes, 2),
            "time_in_range_percent": _round(self.time_in_range_percent),
            "excursion_minutes": round(self.excursion_minutes, 2),
            "excursions": spans(self.excursions),
            "gaps": spans(self.gaps),
        }


@dataclass(frozen=True)
class _Held:
    """A reading and the stretch of the window it stands for."""

    reading: Reading
    start: dt.datetime
    end: dt.datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def evaluate(
    log: TemperatureLog,
    *,
    storage: StorageClass,
    limits: ClassLimits,
    window: Window,
    gap_factor: float,
    zone: dt.tzinfo,
) -> Evaluation:
    """Judge ``log`` for a package of ``storage`` class; reasons give times in ``zone``."""
    start = window.departure if window.known and window.departure else log.first_at
    end = window.delivery if window.known and window.delivery else log.last_at + log.interval
    held = _held(log, start, end)
    gaps = _gaps(log, start, end if window.known else log.last_at, gap_factor)
    excursions = _excursions(held, limits)
    mkt = mean_kinetic_temperature((h.reading.celsius, h.seconds) for h in held) if held else None
    clock = _Clock(zone, start, end)
    reasons: list[str] = []
    failed = _judge(excursions, mkt, limits, clock, reasons)
    if not held:
        reasons.append(f"no reading between {clock(start)} and {clock(end)}")
    allowed = log.interval * gap_factor
    for gap in gaps:
        reasons.append(
            f"no reading for {_minutes(gap.minutes)} from {clock(gap.start)} to {clock(gap.end)};"
            f" logging interval {_minutes(log.interval.total_seconds() / 60)}, at most"
            f" {_minutes(allowed.total_seconds() / 60)} without a reading"
        )
    if failed:
        verdict = Verdict.EXCURSION
    elif gaps or not held:
        verdict = Verdict.INCOMPLETE
    else:
        verdict = Verdict.PASS
    if not window.known:
        reasons.append("departure and delivery times unknown: the whole log was evaluated")
    covered = sum(h.seconds for h in held) / 60
    return Evaluation(
        verdict=verdict,
        reasons=tuple(reasons),
        storage=storage,
        start=start,
        end=end,
        whole_trip=window.known,
        min_celsius=min((h.reading.celsius for h in held), default=None),
        max_celsius=max((h.reading.celsius for h in held), default=None),
        mkt_celsius=mkt,
        covered_minutes=covered,
        in_range_minutes=_in_range_minutes(held, limits),
        excursions=tuple(excursions),
        gaps=tuple(gaps),
    )


def _held(log: TemperatureLog, start: dt.datetime, end: dt.datetime) -> list[_Held]:
    readings = log.readings
    held: list[_Held] = []
    for index, reading in enumerate(readings):
        until = reading.at + log.interval
        if index + 1 < len(readings):
            until = min(until, readings[index + 1].at)
        stretch_start, stretch_end = max(reading.at, start), min(until, end)
        if stretch_end > stretch_start:
            held.append(_Held(reading, stretch_start, stretch_end))
    return held


def _gaps(
    log: TemperatureLog, start: dt.datetime, end: dt.datetime, gap_factor: float
) -> list[Span]:
    inside = [r.at for r in log.readings if start < r.at < end]
    points = [start, *inside, end]
    allowed = log.interval * gap_factor
    return [Span(a, b) for a, b in itertools.pairwise(points) if b - a > allowed]


def _outside(celsius: float, limits: ClassLimits) -> str | None:
    low, high = limits.band
    if high is not None and celsius > high:
        return "above"
    if low is not None and celsius < low:
        return "below"
    return None


def _excursions(held: list[_Held], limits: ClassLimits) -> list[Span]:
    """Runs of consecutive readings outside the allowed band (a missed reading does not end one)."""
    runs: list[list[_Held]] = []
    previous_out = False
    for item in held:
        out = _outside(item.reading.celsius, limits) is not None
        if out and previous_out:
            runs[-1].append(item)
        elif out:
            runs.append([item])
        previous_out = out
    spans = []
    for run in runs:
        directions = {_outside(h.reading.celsius, limits) for h in run}
        direction = directions.pop() if len(directions) == 1 else "outside"
        peak = max((h.reading.celsius for h in run), key=lambda c: _beyond(c, limits))
        spans.append(Span(run[0].start, run[-1].end, peak, direction))
    return spans


def _beyond(celsius: float, limits: ClassLimits) -> float:
    """How far ``celsius`` lies outside the allowed band (0 inside it)."""
    low, high = limits.band
    return max(
        celsius - high if high is not None else 0.0, low - celsius if low is not None else 0.0
    )


def _judge(
    excursions: list[Span],
    mkt: float | None,
    limits: ClassLimits,
    clock: _Clock,
    reasons: list[str],
) -> bool:
    """Add the reasons about excursions and MKT; whether any limit was broken."""
    failed = False
    low, high = limits.band
    for span in excursions:
        bound = {"above": f"above {_celsius(high)}", "below": f"below {_celsius(low)}"}.get(
            span.direction or "", f"outside {_band(low, high)}"
        )
        text = f"{_minutes(span.minutes)} {bound} from {clock(span.start)} to {clock(span.end)}"
        text += f" (peak {_celsius(span.peak_celsius)})"
        if limits.max_single_minutes is not None:
            over = span.minutes > limits.max_single_minutes
            failed |= over
            text += f"; limit {_minutes(limits.max_single_minutes)}"
            text += "" if over else ", within it"
        reasons.append(text)
    total = sum(span.minutes for span in excursions)
    if limits.max_cumulative_minutes is not None and excursions:
        over = total > limits.max_cumulative_minutes
        failed |= over
        if over or len(excursions) > 1:
            count = f"{len(excursions)} excursion" + ("s" if len(excursions) > 1 else "")
            reasons.append(
                f"{_minutes(total)} outside {_band(low, high)} in {count};"
                f" cumulative limit {_minutes(limits.max_cumulative_minutes)}"
                + ("" if over else ", within it")
            )
    if mkt is not None and limits.max_mkt is not None and mkt > limits.max_mkt:
        failed = True
        reasons.append(
            f"mean kinetic temperature {_celsius(mkt)} is above {_celsius(limits.max_mkt)}"
        )
    if mkt is not None and not excursions and limits.has_range:
        reasons.append(f"every reading within {_band(low, high)}")
    if not limits.has_range:
        reasons.append("no temperature limits apply to this storage class")
    return failed


def _in_range_minutes(held: list[_Held], limits: ClassLimits) -> float | None:
    if limits.low is None and limits.high is None:
        return None
    low = limits.low if limits.low is not None else float("-inf")
    high = limits.high if limits.high is not None else float("inf")
    return sum(h.seconds for h in held if low <= h.reading.celsius <= high) / 60


class _Clock:
    """Formats times in the pharmacy's zone: ``14:02``, or with the date when the log spans days."""

    def __init__(self, zone: dt.tzinfo, start: dt.datetime, end: dt.datetime) -> None:
        self._zone = zone
        one_day = start.astimezone(zone).date() == end.astimezone(zone).date()
        self._format = "%H:%M" if one_day else "%Y-%m-%d %H:%M"

    def __call__(self, at: dt.datetime) -> str:
        return at.astimezone(self._zone).strftime(self._format)


def _minutes(value: float) -> str:
    rounded = round(value, 1)
    return f"{int(rounded)} min" if rounded == int(rounded) else f"{rounded} min"


def _celsius(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f} °C"


def _band(low: float | None, high: float | None) -> str:
    if low is None:
        return f"at most {_celsius(high)}"
    if high is None:
        return f"at least {_celsius(low)}"
    return f"{low:.1f}-{high:.1f} °C"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)

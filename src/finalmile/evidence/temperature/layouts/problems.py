"""Collect every problem in an export, each with its line and column, and report them at once."""

from __future__ import annotations

from dataclasses import dataclass

from finalmile.errors import InputError
from finalmile.evidence.codes import EvidenceCode

#: Problems quoted in one error message; the rest are counted.
QUOTED = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an export: ``line`` counts from 1, ``column`` is a header name."""

    line: int
    column: str | None
    message: str

    @property
    def location(self) -> str:
        """``line 12, column 'temperature'`` (or just the line)."""
        return f"line {self.line}" + (f", column {self.column!r}" if self.column else "")


class TemperatureFileError(InputError):
    """A temperature log export is invalid; ``problems`` lists everything found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "; ".join(f"{p.location}: {p.message}" for p in problems[:QUOTED])
        more = f"; and {len(problems) - QUOTED} more" if len(problems) > QUOTED else ""
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"{len(problems)} {noun} in the temperature log: {shown}{more}",
            location=problems[0].location,
            code=EvidenceCode.INVALID_TEMPERATURE_LOG,
        )


class Problems:
    """An accumulator of problems, raised together by ``check``."""

    def __init__(self) -> None:
        self._found: list[Problem] = []

    def add(self, line: int, column: str | None, message: str) -> None:
        """Record a problem at ``line`` (and ``column``)."""
        self._found.append(Problem(line, column, message))

    def __bool__(self) -> bool:
        return bool(self._found)

    def check(self) -> None:
        """Raise TemperatureFileError if anything was recorded."""
        if self._found:
            raise TemperatureFileError(sorted(self._found, key=lambda p: p.line))

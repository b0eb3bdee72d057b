"""Temperature logs: logger exports read into one canonical log, evaluated, stored."""

from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.evidence.temperature.layouts.base import ReadOptions
from finalmile.evidence.temperature.layouts.problems import TemperatureFileError
from finalmile.evidence.temperature.layouts.registry import DEFAULT_LAYOUT
from finalmile.evidence.temperature.readings import Unit
from finalmile.evidence.temperature.service import (
    StoredLog,
    TemperatureService,
    Upload,
    installed_layouts,
)
from finalmile.evidence.temperature.store import verdicts_of

__all__ = [
    "DEFAULT_LAYOUT",
    "ReadOptions",
    "StoredLog",
    "TemperatureFileError",
    "TemperatureService",
    "Unit",
    "Upload",
    "Verdict",
    "installed_layouts",
    "verdicts_of",
]

"""Evidence an order was delivered intact: temperature logs and the audit archive.

Billing asks two questions of it: ``temperature_verdict(session, order_pk)`` and whether a
pharmacist released an excursion (``excursion_released``); the exceptions queue reads the stored
verdicts (``TemperatureEvaluationRow``).
"""

from finalmile.evidence.dispositions import (
    Disposition,
    ExcursionDisposition,
    excursion_released,
    newest_disposition,
    newest_evaluation_id,
)
from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.evidence.temperature.models import TemperatureEvaluationRow
from finalmile.evidence.temperature.store import temperature_verdict

__all__ = [
    "Disposition",
    "ExcursionDisposition",
    "TemperatureEvaluationRow",
    "Verdict",
    "excursion_released",
    "newest_disposition",
    "newest_evaluation_id",
    "temperature_verdict",
]

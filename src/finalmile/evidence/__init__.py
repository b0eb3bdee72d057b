"""Evidence an order was delivered intact: temperature logs and the audit archive.

Billing asks one question of it: ``temperature_verdict(session, order_pk)``; the exceptions
queue reads the stored verdicts (``TemperatureEvaluationRow``).
"""

from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.evidence.temperature.models import TemperatureEvaluationRow
from finalmile.evidence.temperature.store import temperature_verdict

__all__ = ["TemperatureEvaluationRow", "Verdict", "temperature_verdict"]

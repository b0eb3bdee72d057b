"""Evidence an order was delivered intact: temperature logs and the audit archive.

Billing asks one question of it: ``temperature_verdict(session, order_pk)``.
"""

from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.evidence.temperature.store import temperature_verdict

__all__ = ["Verdict", "temperature_verdict"]

"""The recovery pass: finish every shipment a crash, a timeout or exhausted retries left open.

Run at startup, by ``finalmile ship recover`` and periodically. For each unfinished shipment whose
lease is free or expired it claims the lease and drives it on: a ``purchasing`` shipment is
reconciled with the provider first (the label may exist), and bought only if it does not. Then
it downloads every label not stored yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from finalmile.errors import FinalmileError, PermanentError
from finalmile.shipments.models import ShipmentState
from finalmile.shipments.service import ShipmentService

log = structlog.get_logger(__name__)


@dataclass
class RecoveryReport:
    """Counts of what one pass did (shipment ids for the ones still open)."""

    purchased: int = 0
    failed: int = 0
    labels_stored: int = 0
    still_open: list[int] = field(default_factory=list)


def recover(service: ShipmentService, *, actor: str = "recovery") -> RecoveryReport:
    """Drive every unfinished, unleased shipment to a final state; store missing labels."""
    report = RecoveryReport()
    store = service.store
    for shipment_pk in store.unfinished():
        row = store.get(shipment_pk)
        account = service.accounts.get(row.account) if row else None
        lease = store.claim(shipment_pk) if account is not None else None
        row = store.get(shipment_pk)
        if row is None or lease is None or account is None:
            report.still_open.append(shipment_pk)
            continue
        try:
            service.drive(account, row, lease, actor=actor)
        except PermanentError:
            report.failed += 1
        except FinalmileError as exc:
            log.warning("recovery_unfinished", shipment=shipment_pk, error=str(exc))
            report.still_open.append(shipment_pk)
        else:
            report.purchased += 1
    for shipment_pk in store.missing_labels():
        row = store.get(shipment_pk)
        account = service.accounts.get(row.account) if row else None
        if row is not None and account is not None and row.state is ShipmentState.PURCHASED:
            report.labels_stored += service.fetch_label(row, account)
    log.info(
        "recovery_done",
        purchased=report.purchased,
        failed=report.failed,
        labels_stored=report.labels_stored,
        still_open=len(report.still_open),
    )
    return report

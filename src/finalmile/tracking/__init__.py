"""Tracking: carrier webhooks and polling, recorded scans and driver events, proof of delivery,
chain of custody. The driver API that feeds it lives in ``finalmile.courier``."""

from finalmile.tracking.proofs import EvidenceSettled

__all__ = ["EvidenceSettled"]

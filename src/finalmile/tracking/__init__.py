"""Tracking: carrier webhooks and polling, recorded scans and driver events, proof of delivery,
chain of custody. The driver API that feeds it lives in ``finalmile.courier``."""

from finalmile.tracking.custody import CustodyKind, chain, verify_chain
from finalmile.tracking.jobs import add_tracking_poll
from finalmile.tracking.models import CustodyEvent, DeliveryProof, TrackingEventRow, TrackingState
from finalmile.tracking.pod import Relationship
from finalmile.tracking.proofs import EvidenceSettled, ProofView, canonical_order, pod_reference
from finalmile.tracking.proofs import view as proof_view
from finalmile.tracking.recorder import lock_shipment, record_scans, refresh
from finalmile.tracking.service import TrackingService

__all__ = [
    "CustodyEvent",
    "CustodyKind",
    "DeliveryProof",
    "EvidenceSettled",
    "ProofView",
    "Relationship",
    "TrackingEventRow",
    "TrackingService",
    "TrackingState",
    "add_tracking_poll",
    "canonical_order",
    "chain",
    "lock_shipment",
    "pod_reference",
    "proof_view",
    "record_scans",
    "refresh",
    "verify_chain",
]

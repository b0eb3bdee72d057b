"""Tracking: carrier webhooks and polling, recorded scans and driver events, proof of delivery,
chain of custody. The driver API that feeds it lives in ``finalmile.courier``."""

from finalmile.tracking.custody import CustodyKind, chain, verify_chain
from finalmile.tracking.jobs import add_tracking_poll
from finalmile.tracking.models import CustodyEvent, DeliveryProof, TrackingEventRow, TrackingState
from finalmile.tracking.paper_pod import (
    Obtained,
    ReceiptRecord,
    complete_from_record,
    media_type,
)
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
    "Obtained",
    "ProofView",
    "ReceiptRecord",
    "Relationship",
    "TrackingEventRow",
    "TrackingService",
    "TrackingState",
    "add_tracking_poll",
    "canonical_order",
    "chain",
    "complete_from_record",
    "lock_shipment",
    "media_type",
    "pod_reference",
    "proof_view",
    "record_scans",
    "refresh",
    "verify_chain",
]

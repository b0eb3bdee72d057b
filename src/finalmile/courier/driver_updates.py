"""A driver's updates: picked up, arrived, delivered (with the ePOD), failed attempt.

Each update carries the app's own ``client_id``, so an offline app can resend its queue as often
as it likes: the same update sent again is answered ``duplicate`` and counts once; a different
update under a used ``client_id`` is refused. Every update is applied in one transaction: the
``driver_update`` row, the tracking event, the proof of delivery, custody, outbox and billing.

The shipment row is locked before anything is written, and the stop's assignment is checked again
under that lock: a re-plan locks the day's shipments before it hands stops to other drivers, so
an update is either seen by the re-plan or sees its outcome (a stop handed to another driver is
then refused, like any re-assigned stop), never half of each.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from finalmile.carriers import Scan, TrackingDetail, TrackingStatus
from finalmile.courier.codes import CourierCode
from finalmile.courier.driver_payloads import DriverUpdateIn, UpdateKind
from finalmile.courier.driver_stops import must_still_carry, stop_for
from finalmile.courier.driver_tables import Driver, DriverUpdate
from finalmile.courier.live_etas import retime_after_report
from finalmile.db import transaction
from finalmile.errors import InputError, NotFoundError
from finalmile.shipments import Shipment
from finalmile.tracking import (
    DeliveryProof,
    EvidenceSettled,
    lock_shipment,
    proofs,
    record_scans,
    refresh,
)
from finalmile.vault import Vault

log = structlog.get_logger(__name__)

#: How far ahead of our clock a driver's device may be.
CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_SIGNATURE_BYTES = 1_000_000
MAX_PHOTO_BYTES = 5_000_000
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"


_SCAN = {
    UpdateKind.PICKED_UP: (TrackingStatus.IN_TRANSIT, TrackingDetail.PICKED_UP),
    UpdateKind.ARRIVED: (TrackingStatus.OUT_FOR_DELIVERY, TrackingDetail.ARRIVED),
    UpdateKind.DELIVERED: (TrackingStatus.DELIVERED, TrackingDetail.DELIVERED),
    UpdateKind.ATTEMPT_FAILED: (TrackingStatus.FAILURE, TrackingDetail.DELIVERY_ATTEMPTED),
}


@dataclass(frozen=True)
class UpdateResult:
    """What became of one update: ``applied``, ``duplicate`` or ``rejected`` (with the error)."""

    client_id: str
    outcome: str
    status: str | None = None
    error: str | None = None
    location: str | None = None


def same_person(a: str, b: str) -> bool:
    """Whether two printed names are the same once case, accents, punctuation and spacing go."""

    def fold(name: str) -> str:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        return " ".join(re.sub(r"[^a-z0-9 ]", " ", plain.casefold()).split())

    return fold(a) == fold(b)


def apply_update(
    session: Session,
    *,
    driver: Driver,
    update: DriverUpdateIn,
    vault: Vault,
    now: dt.datetime,
    on_settled: EvidenceSettled,
) -> UpdateResult:
    """Apply one update in the caller's transaction; ``on_settled`` is called when it completes
    the order's POD.

    Raises:
        NotFoundError: the stop is not this driver's.
        InputError: a reused ``client_id``, a time in the future, a second delivery, a bad image.
    """
    assert driver.id is not None
    digest = _content_digest(update)
    existing = session.scalars(
        select(DriverUpdate).where(
            col(DriverUpdate.driver_pk) == driver.id,
            col(DriverUpdate.client_id) == update.client_id,
        )
    ).first()
    if existing is not None:
        if existing.content_sha256 != digest:
            raise InputError(
                "client_id was used for a different update",
                location="client_id",
                code=CourierCode.REUSED,
            )
        return UpdateResult(update.client_id, "duplicate")
    found = stop_for(session=session, driver=driver, stop=update.stop)
    assert found.id is not None
    shipment = lock_shipment(session, found.id)
    must_still_carry(session=session, driver=driver, shipment=shipment)
    if update.occurred_at > now + CLOCK_SKEW:
        raise InputError(
            "occurred_at is in the future", location="occurred_at", code=CourierCode.FUTURE
        )
    row = DriverUpdate(
        driver_pk=driver.id,
        client_id=update.client_id,
        content_sha256=digest,
        shipment_pk=found.id,
        order_pk=shipment.order_pk,
        kind=update.kind.value,
        reason=update.reason.value if update.reason else None,
        occurred_at=update.occurred_at,
        received_at=now,
        evidence_encrypted=proofs.seal(
            vault,
            {
                "gps": update.gps.model_dump() if update.gps else None,
                "note": update.note,
                "signer_name": update.proof.signer_name if update.proof else None,
            },
        ),
    )
    session.add(row)
    session.flush()
    if update.kind is UpdateKind.DELIVERED:
        _store_proof(session, shipment, driver=driver, update=update, row=row, vault=vault, now=now)
    status, detail = _SCAN[update.kind]
    scan = Scan(
        occurred_at=update.occurred_at,
        status=status,
        detail=detail,
        provider_status=update.kind.value,
        provider_detail=update.reason.value if update.reason else None,
    )
    key = hashlib.sha256(f"driver|{driver.id}|{update.client_id}".encode()).hexdigest()
    new = record_scans(
        session,
        shipment=shipment,
        scans=[scan],
        source="driver",
        vault=vault,
        now=now,
        keys=[key],
    )
    state = refresh(
        session,
        shipment=shipment,
        vault=vault,
        now=now,
        actor=f"driver:{driver.driver_id}",
        new_rows=new,
        on_settled=on_settled,
    )
    if update.kind is not UpdateKind.PICKED_UP:
        _retime_route(
            session, driver=driver, shipment=shipment, update=update, vault=vault, now=now
        )
    return UpdateResult(update.client_id, "applied", status=state.status.value if state else None)


def _retime_route(
    session: Session,
    *,
    driver: Driver,
    shipment: Shipment,
    update: DriverUpdateIn,
    vault: Vault,
    now: dt.datetime,
) -> None:
    """Re-time the rest of the driver's planned route. ETAs are advice: a failure here is logged
    and rolled back to a savepoint, never allowed to lose the driver's update."""
    try:
        with session.begin_nested():
            retime_after_report(
                session,
                driver_id=driver.driver_id,
                order_id=shipment.order_id,
                kind=update.kind.value,
                at=update.occurred_at,
                vault=vault,
                now=now,
            )
    except Exception:  # any failure: keep the update, log it (type and frames only), go on
        log.warning(
            "eta_retime_failed",
            driver_id=driver.driver_id,
            order_id=shipment.order_id,
            exc_info=True,
        )


def apply_batch(
    sessions: sessionmaker[Session],
    *,
    driver_pk: int,
    updates: list[DriverUpdateIn],
    vault: Vault,
    now: dt.datetime,
    on_settled: EvidenceSettled,
) -> list[UpdateResult]:
    """Apply updates in order, each in its own transaction; a refused one does not stop the rest."""
    results = []
    for update in updates:
        try:
            with transaction(sessions) as session:
                driver = session.get(Driver, driver_pk)
                assert driver is not None
                results.append(
                    apply_update(
                        session,
                        driver=driver,
                        update=update,
                        vault=vault,
                        now=now,
                        on_settled=on_settled,
                    )
                )
        except InputError as exc:
            results.append(_rejected(update, exc.message, exc.location))
        except NotFoundError as exc:
            results.append(_rejected(update, str(exc), "stop"))
        except IntegrityError:
            # The same update, sent twice at once: the other copy committed it.
            results.append(UpdateResult(update.client_id, "duplicate"))
    return results


def _rejected(update: DriverUpdateIn, error: str, location: str | None) -> UpdateResult:
    return UpdateResult(update.client_id, "rejected", error=error, location=location)


def _store_proof(
    session: Session,
    shipment: Shipment,
    *,
    driver: Driver,
    update: DriverUpdateIn,
    row: DriverUpdate,
    vault: Vault,
    now: dt.datetime,
) -> None:
    assert shipment.id is not None
    if proofs.for_shipment(session, shipment.id) is not None:
        raise InputError(
            "this stop is already delivered", location="kind", code=CourierCode.DELIVERED
        )
    proof = update.proof
    signature = photo = None
    if proof is not None:
        signature = _image(proof.signature_png, "proof.signature_png", MAX_SIGNATURE_BYTES, {PNG})
        photo = _image(proof.photo, "proof.photo", MAX_PHOTO_BYTES, {PNG, JPEG})
    gps = update.gps.model_dump() if update.gps else None
    session.add(
        DeliveryProof(
            order_pk=shipment.order_pk,
            shipment_pk=shipment.id,
            source="driver",
            carrier=shipment.carrier or shipment.account,
            tracking_number=shipment.tracking_number,
            delivered_at=update.occurred_at,
            relationship=proof.relationship.value if proof else None,
            driver_pk=driver.id,
            driver_update_id=row.id,
            signed_by_driver=bool(proof and same_person(proof.signer_name, driver.name)),
            has_signer_name=proof is not None,
            signature_sha256=hashlib.sha256(signature).hexdigest() if signature else None,
            signature_encrypted=vault.encrypt(signature) if signature else None,
            photo_sha256=hashlib.sha256(photo).hexdigest() if photo else None,
            photo_media_type=_media_type(photo) if photo else None,
            photo_encrypted=vault.encrypt(photo) if photo else None,
            evidence_encrypted=proofs.seal(
                vault, {"signer_name": proof.signer_name if proof else None, "gps": gps}
            ),
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()


def _image(encoded: str | None, location: str, limit: int, kinds: set[bytes]) -> bytes | None:
    if encoded is None:
        return None
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("not base64", location=location, code=CourierCode.INVALID_IMAGE) from None
    if len(content) > limit:
        raise InputError(
            f"larger than {limit} bytes", location=location, code=CourierCode.TOO_LARGE
        )
    if not any(content.startswith(magic) for magic in kinds):
        expected = " or ".join(sorted("PNG" if k == PNG else "JPEG" for k in kinds))
        raise InputError(
            f"not a {expected} image", location=location, code=CourierCode.INVALID_IMAGE
        )
    return content


def _media_type(content: bytes) -> str:
    return "image/png" if content.startswith(PNG) else "image/jpeg"


def _content_digest(update: DriverUpdateIn) -> str:
    body = json.dumps(update.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


class DriverUpdates:
    """Drivers' batches of stop updates, applied against the process's storage."""

    def __init__(
        self, *, sessions: sessionmaker[Session], vault: Vault, on_evidence_settled: EvidenceSettled
    ) -> None:
        self.sessions = sessions
        self.vault = vault
        self.on_evidence_settled = on_evidence_settled

    def apply(
        self, *, driver_pk: int, updates: list[DriverUpdateIn], now: dt.datetime
    ) -> list[UpdateResult]:
        """Apply a driver's updates in order (see ``apply_batch``)."""
        return apply_batch(
            self.sessions,
            driver_pk=driver_pk,
            updates=updates,
            vault=self.vault,
            now=now,
            on_settled=self.on_evidence_settled,
        )

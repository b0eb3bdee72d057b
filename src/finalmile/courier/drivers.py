"""Drivers and their API tokens.

A driver token is ``fmd_<prefix>_<secret>``; like API keys (``finalmile.auth``) only its SHA-256
is stored and ``prefix`` finds the row. Which stops a driver carries is ``assignments``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.courier.driver_tables import Driver
from finalmile.db_types import utcnow
from finalmile.errors import AuthError, InputError, NotFoundError

DRIVER_KEY_TAG = "fmd"
_DRIVER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class IssuedDriverToken:
    """A new driver token: shown once, never stored."""

    driver_id: str
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{DRIVER_KEY_TAG}_{prefix}_{secrets.token_urlsafe(32)}"


def audit_driver(
    session: Session, driver_id: str, action: str, actor: str, **detail: object
) -> None:
    """Record ``action`` on the driver in the audit trail (in the caller's transaction)."""
    session.add(
        AuditEvent(
            **audit_row(
                entity="driver", entity_id=driver_id, action=action, actor=actor, detail=detail
            )
        )
    )


def create_driver(*, session: Session, driver_id: str, name: str, actor: str) -> IssuedDriverToken:
    """Register a driver (``driver_id`` as in route plans) and issue their token.

    Raises:
        InputError: a malformed id, an empty name, or the id exists already.
    """
    if not _DRIVER_ID.match(driver_id):
        raise InputError(
            "a driver id is 1-64 letters, digits, '.', '_' or '-'", location="driver_id"
        )
    if not name.strip():
        raise InputError("the driver's name is required", location="name")
    if session.scalars(select(Driver).where(col(Driver.driver_id) == driver_id)).first():
        raise InputError(f"driver {driver_id!r} exists already", location="driver_id")
    prefix, token = _new_token()
    session.add(
        Driver(
            driver_id=driver_id,
            name=name.strip()[:100],
            token_prefix=prefix,
            token_sha256=_digest(token),
            created_at=utcnow(),
        )
    )
    audit_driver(session, driver_id, "created", actor)
    return IssuedDriverToken(driver_id, token)


def rotate_token(*, session: Session, driver_id: str, actor: str) -> IssuedDriverToken:
    """Replace a driver's token (the old one stops working); re-activates a revoked driver."""
    driver = get_driver(session=session, driver_id=driver_id)
    prefix, token = _new_token()
    driver.token_prefix, driver.token_sha256, driver.revoked_at = prefix, _digest(token), None
    session.add(driver)
    audit_driver(session, driver_id, "token_rotated", actor)
    return IssuedDriverToken(driver_id, token)


def revoke_driver(*, session: Session, driver_id: str, actor: str) -> bool:
    """Revoke a driver's token; False when it was already revoked."""
    driver = get_driver(session=session, driver_id=driver_id)
    if driver.revoked_at is not None:
        return False
    driver.revoked_at = utcnow()
    session.add(driver)
    audit_driver(session, driver_id, "revoked", actor)
    return True


def get_driver(*, session: Session, driver_id: str) -> Driver:
    """The driver with ``driver_id``.

    Raises:
        NotFoundError: no such driver.
    """
    driver = session.scalars(select(Driver).where(col(Driver.driver_id) == driver_id)).first()
    if driver is None:
        raise NotFoundError(f"no driver {driver_id!r}")
    return driver


def list_drivers(*, session: Session) -> list[Driver]:
    """Every driver, by id."""
    return list(session.scalars(select(Driver).order_by(col(Driver.driver_id))))


def authenticate_driver(*, session: Session, token: str | None) -> Driver:
    """The driver behind ``token``.

    Raises:
        AuthError: missing, malformed, unknown or revoked token (401).
    """
    if not token:
        raise AuthError("missing driver token (Authorization: Bearer fmd_...)")
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != DRIVER_KEY_TAG:
        raise AuthError("malformed driver token")
    driver = session.scalars(select(Driver).where(col(Driver.token_prefix) == parts[1])).first()
    if driver is None or not hmac.compare_digest(driver.token_sha256, _digest(token)):
        raise AuthError("unknown driver token")
    if driver.revoked_at is not None:
        raise AuthError("revoked driver token")
    return driver

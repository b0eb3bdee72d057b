"""Create, verify and revoke API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.auth.models import ApiKey, Role, Scope
from finalmile.db_types import utcnow
from finalmile.errors import AuthError

KEY_PREFIX = "fm"


@dataclass(frozen=True)
class IssuedKey:
    """A newly created key: ``token`` is shown once and never stored."""

    prefix: str
    token: str
    scopes: frozenset[Scope]
    roles: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class Principal:
    """Who is calling, as established from a valid key."""

    key_prefix: str
    scopes: frozenset[Scope]
    roles: frozenset[Role] = frozenset()

    def allows(self, scope: Scope) -> bool:
        """Whether this caller holds ``scope`` (admin holds all)."""
        return Scope.ADMIN in self.scopes or scope in self.scopes

    def acts_as(self, *roles: Role) -> bool:
        """Whether this caller holds one of ``roles`` (the admin role or scope holds all)."""
        if Scope.ADMIN in self.scopes or Role.ADMIN in self.roles:
            return True
        return not self.roles.isdisjoint(roles)

    @property
    def actor(self) -> str:
        """The caller as recorded in history and audit: ``key:<prefix>``."""
        return f"key:{self.key_prefix}"


def create_key(
    *, session: Session, name: str, scopes: Iterable[Scope], roles: Iterable[Role] = ()
) -> IssuedKey:
    """Store a new key's hash and return the key; the caller must show it now or lose it."""
    scope_set = frozenset(scopes)
    role_set = frozenset(roles)
    if not scope_set:
        raise AuthError("a key needs at least one scope", status_code=400)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = f"{KEY_PREFIX}_{prefix}_{secret}"
    now = utcnow()
    session.add(
        ApiKey(
            prefix=prefix,
            secret_sha256=_digest(token),
            name=name,
            scopes=" ".join(sorted(scope_set)),
            roles=" ".join(sorted(role_set)),
            created_at=now,
        )
    )
    session.add(
        AuditEvent(
            **audit_row(
                entity="api_key",
                entity_id=prefix,
                action="created",
                actor="cli",
                detail={"name": name, "scopes": sorted(scope_set), "roles": sorted(role_set)},
                at=now,
            )
        )
    )
    return IssuedKey(prefix=prefix, token=token, scopes=scope_set, roles=role_set)


def authenticate(*, session: Session, token: str | None) -> Principal:
    """The caller behind ``token``; raises AuthError (401) for a missing, unknown or revoked key."""
    if not token:
        raise AuthError("missing X-API-Key header")
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise AuthError("malformed API key")
    key = session.scalars(select(ApiKey).where(col(ApiKey.prefix) == parts[1])).first()
    if key is None or not hmac.compare_digest(key.secret_sha256, _digest(token)):
        raise AuthError("unknown API key")
    if key.revoked_at is not None:
        raise AuthError("revoked API key")
    return Principal(
        key_prefix=key.prefix,
        scopes=frozenset(Scope(s) for s in key.scopes.split()),
        roles=frozenset(Role(r) for r in key.roles.split()),
    )


def revoke_key(*, session: Session, prefix: str) -> bool:
    """Revoke the key with ``prefix``; False when there is no such live key."""
    key = session.scalars(select(ApiKey).where(col(ApiKey.prefix) == prefix)).first()
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    session.add(
        AuditEvent(**audit_row(entity="api_key", entity_id=prefix, action="revoked", actor="cli"))
    )
    return True


def list_keys(*, session: Session) -> list[ApiKey]:
    """Every key, newest first (hashes included; never the tokens)."""
    return list(session.scalars(select(ApiKey).order_by(col(ApiKey.id).desc())))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

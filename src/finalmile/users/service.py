"""Console accounts: create, sign in (with lockout), sessions that end when idle, sign out, and
the patient-access record."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.auth import Role
from finalmile.db_types import utcnow
from finalmile.errors import ConflictError, InputError, NotFoundError
from finalmile.users.models import ConsoleSession, ConsoleUser, PatientView
from finalmile.users.passwords import hash_password, new_password, verify_password

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so both answers take as long."""
    return hash_password(new_password())


#: Use within this long of the last recorded use is not written again (a page costs no write;
#: idle sign-off is exact to this much).
TOUCH_EVERY = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class SignInPolicy:
    """How many wrong passwords lock an account and for how long; when an idle session ends."""

    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    idle: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class ConsoleUserInfo:
    """The signed-in person as pages see them."""

    name: str
    roles: frozenset[Role]
    csrf_token: str

    def acts_as(self, *roles: Role) -> bool:
        """Whether this user holds one of ``roles`` (admin holds all)."""
        return Role.ADMIN in self.roles or not self.roles.isdisjoint(roles)

    @property
    def actor(self) -> str:
        """The user as recorded in history and audit."""
        return f"user:{self.name}"


def create_user(*, session: Session, name: str, roles: Iterable[Role], actor: str) -> str:
    """Create a console user and return their one-time password (shown once, never stored).

    Raises:
        InputError: the name is not 2-64 of ``a-z 0-9 . _ -`` or no role was given.
        ConflictError: the name is taken.
    """
    role_set = frozenset(roles)
    if not _NAME.fullmatch(name):
        raise InputError(
            "a user name is 2-64 characters of a-z, 0-9, '.', '_' or '-', starting with a "
            "letter or digit",
            location="name",
        )
    if not role_set:
        raise InputError("a user needs at least one role", location="role")
    if _user(session, name) is not None:
        raise ConflictError(f"user {name!r} exists")
    password = new_password()
    now = utcnow()
    session.add(
        ConsoleUser(
            name=name,
            roles=" ".join(sorted(role_set)),
            password_hash=hash_password(password),
            created_at=now,
        )
    )
    _audit(session, name, action="created", actor=actor, detail={"roles": sorted(role_set)}, at=now)
    return password


def reset_password(*, session: Session, name: str, actor: str) -> str:
    """A new one-time password for ``name``; unlocks the account and ends its sessions."""
    user = _user(session, name)
    if user is None:
        raise NotFoundError(f"no user {name!r}")
    password = new_password()
    user.password_hash = hash_password(password)
    user.failed_attempts, user.locked_until = 0, None
    _end_sessions(session, user)
    _audit(session, name, action="password_reset", actor=actor, detail={}, at=utcnow())
    return password


def password_matches(*, session: Session, name: str, password: str) -> bool:
    """Whether ``password`` is ``name``'s (no session, no failure counted)."""
    user = _user(session, name)
    return user is not None and verify_password(password, user.password_hash)


def list_users(*, session: Session) -> list[ConsoleUser]:
    """Every console user, by name."""
    return list(session.scalars(select(ConsoleUser).order_by(col(ConsoleUser.name))))


@dataclass(frozen=True)
class SignInOutcome:
    """A session token, or why there is none (one message for a wrong name or password)."""

    token: str | None = None
    refusal: str | None = None


_WRONG = SignInOutcome(refusal="wrong user name or password")


def sign_in(
    *, session: Session, name: str, password: str, policy: SignInPolicy, now: dt.datetime
) -> SignInOutcome:
    """Check the password and open a session. A refusal is returned, not raised, so the
    failure count it records commits with the caller's transaction."""
    user = _user(session, name)
    if user is None:
        verify_password(password, _dummy_hash())
        return _WRONG
    if user.disabled_at is not None:
        return SignInOutcome(refusal="this account is disabled")
    if user.locked_until is not None and user.locked_until > now:
        return SignInOutcome(refusal="too many wrong passwords: this account is locked for a while")
    if not verify_password(password, user.password_hash):
        user.failed_attempts += 1
        detail = {"failed_attempts": user.failed_attempts}
        if user.failed_attempts >= policy.max_failures:
            user.locked_until = now + policy.lockout
            user.failed_attempts = 0
            _audit(session, name, action="locked", actor="system", detail=detail, at=now)
        else:
            _audit(session, name, action="sign_in_failed", actor="system", detail=detail, at=now)
        return _WRONG
    user.failed_attempts, user.locked_until, user.last_sign_in_at = 0, None, now
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        ConsoleSession(
            token_sha256=_digest(token),
            user_pk=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
        )
    )
    _audit(session, name, action="signed_in", actor=f"user:{name}", detail={}, at=now)
    return SignInOutcome(token=token)


def current_user(
    *,
    session: Session,
    token: str | None,
    policy: SignInPolicy,
    now: dt.datetime,
    touch: bool = True,
) -> ConsoleUserInfo | None:
    """The user behind a session cookie, or None (no cookie, ended, idle too long, disabled);
    ``touch``: this counts as use (a page or an action; a live stream's check does not)."""
    if not token:
        return None
    row = session.get(ConsoleSession, _digest(token))
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > policy.idle:
        row.ended_at = now
        return None
    user = session.get(ConsoleUser, row.user_pk)
    if user is None or user.disabled_at is not None:
        return None
    if touch and now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return ConsoleUserInfo(
        name=user.name,
        roles=frozenset(Role(r) for r in user.roles.split()),
        csrf_token=row.csrf_token,
    )


def sign_out(*, session: Session, token: str | None, now: dt.datetime) -> None:
    """End the session behind ``token`` (no-op when there is none)."""
    if token:
        row = session.get(ConsoleSession, _digest(token))
        if row is not None and row.ended_at is None:
            row.ended_at = now


def record_patient_view(
    *, session: Session, user: ConsoleUserInfo, order_pk: int, order_id: str, page: str
) -> None:
    """Note that ``user`` saw the patient's details of one order (HIPAA access audit)."""
    session.add(
        PatientView(
            at=utcnow(), user_name=user.name, order_pk=order_pk, order_id=order_id, page=page
        )
    )


def patient_views(
    *, session: Session, order_id: str | None = None, user_name: str | None = None, limit: int
) -> list[PatientView]:
    """Recorded views of patients' details, newest first."""
    statement = select(PatientView).order_by(col(PatientView.id).desc()).limit(limit)
    if order_id is not None:
        statement = statement.where(col(PatientView.order_id) == order_id)
    if user_name is not None:
        statement = statement.where(col(PatientView.user_name) == user_name)
    return list(session.scalars(statement))


def _user(session: Session, name: str) -> ConsoleUser | None:
    return session.scalars(select(ConsoleUser).where(col(ConsoleUser.name) == name)).first()


def _end_sessions(session: Session, user: ConsoleUser) -> None:
    now = utcnow()
    for row in session.scalars(
        select(ConsoleSession).where(
            col(ConsoleSession.user_pk) == user.id, col(ConsoleSession.ended_at).is_(None)
        )
    ):
        row.ended_at = now


def _audit(
    session: Session,
    name: str,
    *,
    action: str,
    actor: str,
    detail: Mapping[str, object],
    at: dt.datetime,
) -> None:
    event = audit_row(
        entity="console_user",
        entity_id=name,
        action=action,
        actor=actor,
        detail=dict(detail),
        at=at,
    )
    session.add(AuditEvent(**event))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

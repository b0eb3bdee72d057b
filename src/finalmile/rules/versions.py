"""Activating rule sets: stored per site with text, sha256 and a version number, one active.

A file that does not validate never reaches this module (``load_rule_set`` raises first), so a
broken file can never replace the active set.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent, audit_row
from finalmile.db_types import utcnow
from finalmile.rules.models import RuleSetVersion
from finalmile.rules.ruleset import RuleSet, load_rule_set


def activate(*, session: Session, site: str, rules: RuleSet, actor: str) -> RuleSetVersion:
    """Make ``rules`` the active set of ``site`` (in the caller's transaction).

    Activating the text that is already active changes nothing and returns the active row.
    """
    current = active_version(session=session, site=site, lock=True)
    if current is not None and current.sha256 == rules.sha256:
        return current
    latest = session.scalar(
        select(func.max(RuleSetVersion.version)).where(col(RuleSetVersion.site) == site)
    )
    session.execute(
        update(RuleSetVersion)
        .where(col(RuleSetVersion.site) == site, col(RuleSetVersion.active).is_(True))
        .values(active=False)
    )
    row = RuleSetVersion(
        site=site,
        version=(latest or 0) + 1,
        name=rules.name,
        sha256=rules.sha256,
        text=rules.text,
        source=rules.source[:500],
        active=True,
        activated_at=utcnow(),
        activated_by=actor[:100],
    )
    session.add(row)
    session.flush()
    session.add(
        AuditEvent(
            **audit_row(
                entity="rule_set",
                entity_id=site,
                action="activate",
                actor=actor,
                detail={"version": row.version, "name": row.name, "sha256": row.sha256},
            )
        )
    )
    return row


def active_version(*, session: Session, site: str, lock: bool = False) -> RuleSetVersion | None:
    """The active rule-set row of ``site``; ``lock`` holds it until the transaction ends."""
    statement = select(RuleSetVersion).where(
        col(RuleSetVersion.site) == site, col(RuleSetVersion.active).is_(True)
    )
    if lock:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def compiled(row: RuleSetVersion) -> RuleSet:
    """The stored rule set, compiled and carrying its version number."""
    source = f"{row.site} rule set v{row.version}"
    return load_rule_set(row.text, source=source).with_version(row.version)

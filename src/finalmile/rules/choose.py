"""A person resolves a hold by choosing one of the choices the rules listed with it.

The choice becomes a new stored decision (the chosen way to travel, marked as chosen by a person
with their reason), and the order is ``ready`` for dispatch. Anything the hold did not list is an
override, not a choice.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from finalmile.audit import AuditEvent, audit_row
from finalmile.errors import ConflictError
from finalmile.orders import Order, OrderStatus, move
from finalmile.rules.codes import RuleCode
from finalmile.rules.facts import DeliveryType
from finalmile.rules.models import DecisionRecord
from finalmile.vault import Vault

CHOSEN_ACTION = "decided"


def held_choices(record: DecisionRecord, vault: Vault) -> list[dict[str, Any]]:
    """The choices a stored hold lists (empty for any other decision)."""
    if record.delivery_type is not DeliveryType.HOLD:
        return []
    decision: dict[str, Any] = json.loads(vault.decrypt(record.decision_encrypted))
    choices: list[dict[str, Any]] = decision.get("choices", [])
    return choices


def choose(
    session: Session,
    *,
    vault: Vault,
    order: Order,
    held: DecisionRecord,
    label: str,
    actor: str,
    role: str,
    reason: str,
    now: dt.datetime,
) -> DecisionRecord:
    """Store the choice ``label`` of the hold ``held`` as the order's decision; order ``ready``.

    Raises:
        ConflictError: ``label`` is not one of the hold's choices (``not_a_choice``: use an
            override).
    """
    assert order.id is not None
    decision: dict[str, Any] = json.loads(vault.decrypt(held.decision_encrypted))
    listed = {choice["label"]: choice for choice in decision.get("choices", [])}
    choice = listed.get(label)
    if choice is None:
        offered = ", ".join(listed) or "none"
        raise ConflictError(
            f"{label!r} is not one of the options the hold lists ({offered}); "
            "choosing anything else is an override",
            location="option",
            code=RuleCode.NOT_A_CHOICE,
        )
    chosen = {
        **decision,
        **{k: choice[k] for k in ("delivery_type", "carrier", "service", "label", "ship_at")},
        "estimated_delivery": choice["estimated_delivery"],
        "cost": choice["cost"],
        "options": choice["options"],
        "choices": [],
        "decided_at": now.isoformat(),
        "reasons": [*decision.get("reasons", []), f"Chose {label}: chosen by a person for a hold"],
        "chosen_by": {"actor": actor, "role": role, "reason": reason},
    }
    record = DecisionRecord(
        order_pk=order.id,
        order_version=order.version,
        site=held.site,
        rule_set_pk=held.rule_set_pk,
        rule_set_version=held.rule_set_version,
        delivery_type=DeliveryType(choice["delivery_type"]),
        carrier=choice["carrier"],
        service=choice["service"],
        estimated_delivery=dt.datetime.fromisoformat(choice["estimated_delivery"]),
        cost=Decimal(choice["cost"]),
        decision_encrypted=vault.encrypt(json.dumps(chosen).encode()),
        created_at=now,
    )
    session.add(record)
    session.flush()
    detail = {
        "decision_id": record.id,
        "version": order.version,
        "delivery_type": choice["delivery_type"],
        "rule_set_version": record.rule_set_version,
        "chosen_from": held.id,
        "role": role,
        "reason": reason,
    }
    event = audit_row(
        entity="order", entity_id=order.id, action=CHOSEN_ACTION, actor=actor, detail=detail, at=now
    )
    session.add(AuditEvent(**event))
    move(
        session,
        order,
        OrderStatus.READY,
        actor=actor,
        reason="a person chose one of the hold's options",
        evidence={"decision_id": record.id, "role": role},
        at=now,
    )
    return record

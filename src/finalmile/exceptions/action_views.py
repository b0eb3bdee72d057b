"""The queue's actions over HTTP: ``POST /orders/{order_id}/resolve-hold``, ``/cancel``,
``/pod/complete`` (multipart) and ``/writebacks/replay``; roles per the matrix (``catalog``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import AwareDatetime, BaseModel, Field

from finalmile.auth import Principal
from finalmile.deps import provided, require_role
from finalmile.exceptions.acting import key_actor
from finalmile.exceptions.actions import OrderActions
from finalmile.exceptions.catalog import ACTIONS, Action
from finalmile.tracking import Obtained, ReceiptRecord, Relationship

router = APIRouter(prefix="/orders/{order_id}", tags=["actions"])
ActionsDep = Annotated[OrderActions, Depends(provided(OrderActions))]
Reason = Annotated[str, Field(min_length=1, max_length=300, description="Why, no patient data")]


# Callers holding a role the action allows (403 naming the roles otherwise).
HoldResolver = Annotated[Principal, Depends(require_role(*ACTIONS[Action.RESOLVE_HOLD].roles))]
Canceller = Annotated[Principal, Depends(require_role(*ACTIONS[Action.CANCEL].roles))]
PodCompleter = Annotated[Principal, Depends(require_role(*ACTIONS[Action.COMPLETE_POD].roles))]
Replayer = Annotated[Principal, Depends(require_role(*ACTIONS[Action.REPLAY_WRITEBACK].roles))]


class ResolveHoldIn(BaseModel):
    """The option chosen (its label, as the hold lists it) and why."""

    option: str = Field(min_length=1, max_length=200)
    reason: Reason


class ReasonIn(BaseModel):
    """Why (plain words, no patient data)."""

    reason: Reason


class Resolved(BaseModel):
    """The hold's new decision."""

    order_id: str
    decision_id: int


class CancelOut(BaseModel):
    """Whether the order changed, and whether its live label or courier job was voided."""

    order_id: str
    changed: bool
    voided: bool
    void_error: str | None


class ReplayOut(BaseModel):
    """The outbox rows made due again."""

    order_id: str
    outbox_ids: list[int]


@router.post("/resolve-hold", response_model=Resolved)
def resolve_hold(
    order_id: str,
    body: ResolveHoldIn,
    actions: ActionsDep,
    principal: HoldResolver,
    connector: str | None = None,
) -> Resolved:
    """Choose one of the options the held order's decision lists (anything else: override)."""
    actor = key_actor(principal, Action.RESOLVE_HOLD, body.reason)
    decision_id = actions.resolve_hold(
        order_id=order_id, connector=connector, option=body.option, actor=actor
    )
    return Resolved(order_id=order_id, decision_id=decision_id)


@router.post("/cancel", response_model=CancelOut)
def cancel(
    order_id: str,
    body: ReasonIn,
    actions: ActionsDep,
    principal: Canceller,
    connector: str | None = None,
) -> CancelOut:
    """Cancel the order, tell the PMS and void its live label where possible (idempotent)."""
    done = actions.cancel(
        order_id=order_id,
        connector=connector,
        actor=key_actor(principal, Action.CANCEL, body.reason),
    )
    return CancelOut(
        order_id=done.order_id, changed=done.changed, voided=done.voided, void_error=done.void_error
    )


@router.post("/pod/complete", status_code=204)
def complete_pod(
    *,
    order_id: str,
    actions: ActionsDep,
    principal: PodCompleter,
    file: Annotated[UploadFile, File(description="The signed record: PNG, JPEG or PDF")],
    recipient_name: Annotated[str, Form(min_length=1, max_length=200)],
    relationship: Annotated[Relationship, Form()],
    received_at: Annotated[AwareDatetime, Form(description="When the package was received")],
    obtained: Annotated[Obtained, Form(description="paper or phone")],
    reason: Annotated[str, Form(min_length=1, max_length=300)],
    connector: str | None = None,
) -> None:
    """Complete a delivered order's proof of delivery from a paper or phone record; the
    billing confirmation follows as for any complete POD."""
    content = file.file.read(actions.attachment_max_bytes + 1)
    actions.complete_pod(
        order_id=order_id,
        connector=connector,
        record=ReceiptRecord(recipient_name, relationship, received_at, obtained),
        attachment=content,
        actor=key_actor(principal, Action.COMPLETE_POD, reason),
    )


@router.post("/writebacks/replay", response_model=ReplayOut)
def replay_writebacks(
    order_id: str,
    body: ReasonIn,
    actions: ActionsDep,
    principal: Replayer,
    connector: str | None = None,
) -> ReplayOut:
    """Send the order's dead-lettered write-backs again (fresh budget)."""
    actor = key_actor(principal, Action.REPLAY_WRITEBACK, body.reason)
    ids = actions.replay_writebacks(order_id=order_id, connector=connector, actor=actor)
    return ReplayOut(order_id=order_id, outbox_ids=ids)

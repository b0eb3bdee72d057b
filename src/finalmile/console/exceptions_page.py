"""``/console/exceptions``: every open exception with its reason, and its actions as forms.

Each form posts to ``/console/orders/{order_id}/act/{action}`` with the session's CSRF token
and a reason; the action runs through the same service, role matrix and order history as the
API (the user acts in the first of their roles the action allows). Actions the user's roles do
not allow show as disabled buttons naming the role needed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from finalmile.auth import Role
from finalmile.console.session import UserDep, check_csrf
from finalmile.console.templating import render
from finalmile.deps import SessionsDep, provided
from finalmile.errors import AuthError, ConflictError, FinalmileError, InputError, NotFoundError
from finalmile.evidence import Disposition
from finalmile.exceptions import (
    ACTIONS,
    REMEDIES,
    Action,
    Actor,
    ExceptionKind,
    ExceptionQueue,
    OrderActions,
    QueueFilter,
    Redelivery,
    acting_as,
    check_role,
)
from finalmile.rules import Decider, current_decision
from finalmile.tracking import Obtained, ReceiptRecord, Relationship
from finalmile.users import ConsoleUserInfo

router = APIRouter(include_in_schema=False)
QueueDep = Annotated[ExceptionQueue, Depends(provided(ExceptionQueue))]
ActionsDep = Annotated[OrderActions, Depends(provided(OrderActions))]
RedeliveryDep = Annotated[Redelivery, Depends(provided(Redelivery))]
DeciderDep = Annotated[Decider, Depends(provided(Decider))]
_LIMIT = 500


@dataclass(frozen=True)
class ActionButton:
    """One action offered for one exception."""

    action: str
    label: str
    allowed: bool
    roles: str


@dataclass(frozen=True)
class Row:
    """One open exception as the page shows it."""

    kind: str
    order_id: str
    site: str | None
    since: dt.datetime
    reason: str
    actions: list[ActionButton]
    choices: list[str]


_LABELS = {
    Action.RESOLVE_HOLD: "Resolve hold",
    Action.REDECIDE: "Decide again",
    Action.OVERRIDE: "Override",
    Action.CANCEL: "Cancel order",
    Action.COMPLETE_POD: "Complete POD",
    Action.REATTEMPT: "Reattempt",
    Action.RESHIP: "Reship",
    Action.DISPOSITION: "Excursion disposition",
    Action.REPLAY_WRITEBACK: "Replay write-back",
}
#: Actions taken on this page (an override is a purchase: the order page's shipment form).
_ON_PAGE = frozenset(_LABELS) - {Action.OVERRIDE}


def acting(user: ConsoleUserInfo, action: Action, reason: str) -> Actor:
    """The user in the first of their roles ``action`` allows, else as admin (AuthError 403
    when neither)."""
    admin = Role.ADMIN in user.roles
    return acting_as(user.actor, user.roles, action, reason, admin=admin)


@router.get("/console/exceptions", response_class=HTMLResponse)
def exceptions_page(
    *,
    request: Request,
    user: UserDep,
    sessions: SessionsDep,
    queue: QueueDep,
    decider: DeciderDep,
    kind: Annotated[list[str] | None, Query()] = None,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The open exceptions, oldest first, with their actions."""
    queue.refresh()
    known = {k.value for k in ExceptionKind}
    kinds = [ExceptionKind(k) for k in kind or () if k in known]
    rows: list[Row] = []
    with sessions() as session:
        for found, order in queue.page(session, QueueFilter(kinds=kinds), limit=_LIMIT):
            choices: list[str] = []
            if found.kind is ExceptionKind.HELD and order.id is not None:
                decided = current_decision(session=session, order_pk=order.id)
                if decided is not None:
                    data = decider.read(decided)
                    listed = data.get("choices")
                    if isinstance(listed, list):
                        choices = [c["label"] for c in listed if isinstance(c, dict)]
            rows.append(
                Row(
                    kind=found.kind.value,
                    order_id=order.order_id,
                    site=queue.site_of(order.connector),
                    since=found.opened_at,
                    reason=found.reason,
                    actions=[_button(user, a) for a in REMEDIES[found.kind] if a in _ON_PAGE],
                    choices=choices,
                )
            )
    rows.sort(key=lambda row: row.since)
    return render(
        request,
        "exceptions.html",
        user=user,
        nav="exceptions",
        rows=rows,
        kinds=sorted(known),
        chosen=set(kind or ()),
        notice=notice,
        error=error,
        relationships=[r.value for r in Relationship],
        obtained=[o.value for o in Obtained],
        dispositions=[d.value for d in Disposition],
        status_code=status_code,
    )


def _button(user: ConsoleUserInfo, action: Action) -> ActionButton:
    roles = ACTIONS[action].roles
    return ActionButton(
        action=action.value,
        label=_LABELS[action],
        allowed=user.acts_as(*roles),
        roles=", ".join(role.value for role in roles),
    )


@router.post("/console/orders/{order_id}/act/{action}")
async def act(
    *,
    request: Request,
    order_id: str,
    action: Action,
    user: UserDep,
    sessions: SessionsDep,
    queue: QueueDep,
    decider: DeciderDep,
    actions: ActionsDep,
    redelivery: RedeliveryDep,
) -> Response:
    """Take one action on one order; back to the queue with what happened, or the error."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    check_csrf(user, request, fields.get("csrf_token"))
    upload = form.get("file")
    attachment = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        said = _take(
            action,
            order_id=order_id,
            fields=fields,
            attachment=attachment,
            user=user,
            services=(actions, redelivery, decider),
        )
    except FinalmileError as problem:
        status = problem.status_code if isinstance(problem, AuthError) else _status(problem)
        return exceptions_page(
            request=request,
            user=user,
            sessions=sessions,
            queue=queue,
            decider=decider,
            error=f"{order_id}: {problem}",
            status_code=status,
        )
    back = f"/console/exceptions?notice={quote(f'{order_id}: {said}')}"
    return RedirectResponse(back, status_code=303)


def _take(
    action: Action,
    *,
    order_id: str,
    fields: dict[str, str],
    attachment: bytes,
    user: ConsoleUserInfo,
    services: tuple[OrderActions, Redelivery, Decider],
) -> str:
    """Run ``action``; what happened, in a few words."""
    actions, redelivery, decider = services
    reason = fields.get("reason", "").strip()
    if not reason:
        raise InputError("say why: the reason is required", location="reason")
    by = acting(user, action, reason)
    if action is Action.RESOLVE_HOLD:
        option = fields.get("option", "")
        actions.resolve_hold(order_id=order_id, connector=None, option=option, actor=by)
        return f"hold resolved: {option}"
    if action is Action.REDECIDE:
        check_role(Action.REDECIDE, by.role)
        why = {"role": by.role.value, "reason": reason}
        decider.decide_order(order_id=order_id, connector=None, actor=by.name, why=why)
        return "decided again"
    if action is Action.CANCEL:
        actions.cancel(order_id=order_id, connector=None, actor=by)
        return "cancelled"
    if action is Action.REPLAY_WRITEBACK:
        replayed = actions.replay_writebacks(order_id=order_id, connector=None, actor=by)
        return f"{len(replayed)} write-back(s) due again"
    if action is Action.COMPLETE_POD:
        record = _receipt(fields)
        actions.complete_pod(
            order_id=order_id, connector=None, record=record, attachment=attachment, actor=by
        )
        return "proof of delivery completed"
    if action is Action.REATTEMPT:
        day = dt.date.fromisoformat(fields["date"]) if fields.get("date") else None
        done = redelivery.reattempt(order_id=order_id, by=by, date=day)
        return f"back on the route for {done.delivery_date.isoformat()}"
    if action is Action.RESHIP:
        redelivery.reship(
            order_id=order_id,
            by=by,
            account=fields.get("account") or None,
            service=fields.get("service") or None,
        )
        return "reshipped"
    if action is Action.DISPOSITION:
        choice = Disposition(fields.get("disposition", ""))
        redelivery.dispose(
            order_id=order_id, disposition=choice, note=fields.get("note", ""), by=by
        )
        return f"excursion disposition: {choice.value.replace('_', ' ')}"
    raise InputError(f"{action.value} is not taken on this page", location="action")


def _receipt(fields: dict[str, str]) -> ReceiptRecord:
    try:
        received = dt.datetime.fromisoformat(fields.get("received_at", ""))
    except ValueError as bad:
        raise InputError("received at: a date and time", location="received_at") from bad
    if received.tzinfo is None:
        received = received.replace(tzinfo=dt.UTC)
    return ReceiptRecord(
        recipient_name=fields.get("recipient_name", "").strip(),
        relationship=Relationship(fields.get("relationship", "self")),
        received_at=received,
        obtained=Obtained(fields.get("obtained", "paper")),
    )


def _status(problem: FinalmileError) -> int:
    if isinstance(problem, InputError):
        return 422
    if isinstance(problem, ConflictError):
        return 409
    if isinstance(problem, NotFoundError):
        return 404
    return 400

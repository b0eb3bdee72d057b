"""The actions people take on orders: who may take each (the role matrix), where it is served,
and which exceptions it answers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from finalmile.auth import Role
from finalmile.errors import AuthError
from finalmile.exceptions.models import ExceptionKind


class Action(StrEnum):
    """An action on an order; the value is the order-history ``action`` it records."""

    RESOLVE_HOLD = "resolve_hold"
    REDECIDE = "redecide"
    OVERRIDE = "override"
    CANCEL = "cancel"
    COMPLETE_POD = "complete_pod"
    REATTEMPT = "reattempt"
    RESHIP = "reship"
    DISPOSITION = "disposition"
    REPLAY_WRITEBACK = "replay_writeback"


@dataclass(frozen=True)
class ActionSpec:
    """An action's HTTP route (``{order_id}`` filled in per order) and the roles allowed."""

    method: str
    path: str
    roles: tuple[Role, ...]


_D, _P, _B = Role.DISPATCHER, Role.PHARMACIST, Role.BILLING

#: The role matrix (admin may take every action). Overriding a hard constraint (temperature
#: class, cold-chain transit limit, signature, controlled-substance handling) needs the
#: pharmacist role on top (the override's own check).
ACTIONS: dict[Action, ActionSpec] = {
    Action.RESOLVE_HOLD: ActionSpec("POST", "/orders/{order_id}/resolve-hold", (_D, _P)),
    Action.REDECIDE: ActionSpec("POST", "/orders/{order_id}/decide", (_D, _P)),
    Action.OVERRIDE: ActionSpec("POST", "/orders/{order_id}/shipments", (_D, _P)),
    Action.CANCEL: ActionSpec("POST", "/orders/{order_id}/cancel", (_D, _P)),
    Action.COMPLETE_POD: ActionSpec("POST", "/orders/{order_id}/pod/complete", (_D, _B)),
    Action.REATTEMPT: ActionSpec("POST", "/orders/{order_id}/reattempt", (_D,)),
    Action.RESHIP: ActionSpec("POST", "/orders/{order_id}/reship", (_D, _P)),
    Action.DISPOSITION: ActionSpec("POST", "/orders/{order_id}/excursion/disposition", (_P,)),
    Action.REPLAY_WRITEBACK: ActionSpec("POST", "/orders/{order_id}/writebacks/replay", (_B,)),
}

#: What may be done about each kind of exception, in the order a person would try them.
REMEDIES: dict[ExceptionKind, tuple[Action, ...]] = {
    ExceptionKind.HELD: (Action.RESOLVE_HOLD, Action.REDECIDE, Action.OVERRIDE, Action.CANCEL),
    ExceptionKind.LATE: (Action.REDECIDE, Action.RESHIP, Action.CANCEL),
    ExceptionKind.STALLED: (Action.RESHIP, Action.CANCEL),
    ExceptionKind.FAILED_ATTEMPT: (Action.REATTEMPT, Action.RESHIP, Action.CANCEL),
    ExceptionKind.RETURNED: (Action.RESHIP, Action.CANCEL),
    ExceptionKind.EXCURSION: (Action.DISPOSITION,),
    ExceptionKind.POD_INCOMPLETE: (Action.COMPLETE_POD,),
    ExceptionKind.WRITEBACK_DEAD: (Action.REPLAY_WRITEBACK,),
    ExceptionKind.CANCELLED_AFTER_DISPATCH: (),
}


@dataclass(frozen=True)
class Actor:
    """Who acts, in which role, and why (plain words, no patient data)."""

    name: str
    role: Role
    reason: str


def check_role(action: Action, role: Role) -> None:
    """Refuse ``role`` unless the matrix lets it take ``action`` (admin may take any).

    Raises:
        AuthError: 403 naming the roles allowed.
    """
    allowed = ACTIONS[action].roles
    if role is Role.ADMIN or role in allowed:
        return
    names = ", ".join(r.value for r in allowed)
    raise AuthError(
        f"{action.value} needs the role {names} (or admin), not {role.value}", status_code=403
    )

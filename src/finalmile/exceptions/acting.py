"""Who takes an action, as recorded: an API key in the first of its roles the action allows, or
a command-line operator who names themself and their role."""

from __future__ import annotations

from collections.abc import Collection

from finalmile.auth import Principal, Role, Scope
from finalmile.errors import AuthError, InputError
from finalmile.exceptions.catalog import ACTIONS, Action, Actor


def acting_as(
    actor: str, roles: Collection[Role], action: Action, reason: str, *, admin: bool
) -> Actor:
    """``actor`` in the first of ``roles`` that ``action`` allows, else as admin when ``admin``.

    Raises:
        AuthError: (403) none of ``roles`` is allowed and the caller is not an admin.
    """
    allowed = [role for role in ACTIONS[action].roles if role in roles]
    if allowed:
        return Actor(actor, allowed[0], reason)
    if admin:
        return Actor(actor, Role.ADMIN, reason)
    names = ", ".join(role.value for role in ACTIONS[action].roles)
    raise AuthError(f"{action.value} needs the role {names} (or admin)", status_code=403)


def key_actor(principal: Principal, action: Action, reason: str) -> Actor:
    """The calling key in the first of its roles ``action`` allows, else as admin (the admin
    scope or role); a key with neither (a key made before roles) is refused."""
    admin = principal.allows(Scope.ADMIN) or Role.ADMIN in principal.roles
    return acting_as(principal.actor, principal.roles, action, reason, admin=admin)


def cli_actor(by: str, role: Role, reason: str) -> Actor:
    """An operator at the command line, recorded as ``cli:<by>``.

    Raises:
        InputError: ``by`` or ``reason`` is empty.
    """
    if not by.strip():
        raise InputError("--by must name who acts", location="--by")
    if not reason.strip():
        raise InputError("--reason must say why", location="--reason")
    return Actor(f"cli:{by.strip()[:90]}", role, reason.strip()[:200])

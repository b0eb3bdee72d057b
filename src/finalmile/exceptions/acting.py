"""Who takes an action, as recorded: an API key in the first of its roles the action allows, or
a command-line operator who names themself and their role."""

from __future__ import annotations

from finalmile.auth import Principal, Role
from finalmile.errors import InputError
from finalmile.exceptions.actions import Actor
from finalmile.exceptions.catalog import ACTIONS, Action


def key_actor(principal: Principal, action: Action, reason: str) -> Actor:
    """The calling key in the first of its roles ``action`` allows (else admin)."""
    allowed = [role for role in ACTIONS[action].roles if role in principal.roles]
    return Actor(principal.actor, allowed[0] if allowed else Role.ADMIN, reason)


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

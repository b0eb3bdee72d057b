"""API keys: created once, stored hashed, checked per request with scopes and roles."""

from finalmile.auth.models import Role, Scope
from finalmile.auth.service import Principal, authenticate, create_key, list_keys, revoke_key

__all__ = [
    "Principal",
    "Role",
    "Scope",
    "authenticate",
    "create_key",
    "list_keys",
    "revoke_key",
]

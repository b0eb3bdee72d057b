"""API keys: created once, stored hashed, checked per request with scopes."""

from finalmile.auth.models import Scope
from finalmile.auth.service import Principal, authenticate, create_key, list_keys, revoke_key

__all__ = [
    "Principal",
    "Scope",
    "authenticate",
    "create_key",
    "list_keys",
    "revoke_key",
]

"""Password hashing with scrypt (RFC 7914): memory-hard, from the standard library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**15, 8, 1
_MAX_MEMORY = 64 * 1024 * 1024
_SCHEME = "scrypt"


def hash_password(password: str) -> str:
    """A self-describing hash: ``scrypt$N$r$p$salt$key`` (base64)."""
    salt = secrets.token_bytes(16)
    key = _derive(password, salt, _N, _R, _P)
    return "$".join((_SCHEME, str(_N), str(_R), str(_P), _b64(salt), _b64(key)))


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time compare)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != _SCHEME:
            return False
        derived = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(derived, base64.b64decode(key))


def new_password() -> str:
    """A one-time password to show once: 20 characters from a URL-safe alphabet."""
    return secrets.token_urlsafe(15)


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()

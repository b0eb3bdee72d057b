"""FastAPI dependencies: what the composition root provides, a DB session, and API-key scopes.

The composition root (``finalmile.app``) puts a :class:`~finalmile.provided.Provided` on
``app.state.provided``, holding every long-lived object a view may need, keyed by its type. A
view asks for one by type
(``Annotated[ShipmentService, Depends(provided(ShipmentService))]``), so domain views depend on
the services they use and never on the root or on a bag of every service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar, cast
from urllib.parse import quote

import structlog
from fastapi import Depends, Path, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session, sessionmaker

from finalmile.auth import Principal, Role, Scope, authenticate
from finalmile.errors import AuthError
from finalmile.provided import Provided

log = structlog.get_logger(__name__)
T = TypeVar("T")
#: A numeric record id in a path: bounded to a database bigint, so a larger number is a 422, not
#: an overflow inside the database driver.
RowId = Annotated[int, Path(ge=-(2**63), le=2**63 - 1)]
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="finalmile API key")


def _provided(request: Request) -> Provided:
    return cast(Provided, request.app.state.provided)


def provided(kind: type[T]) -> Callable[[Request], T]:
    """A dependency answering the process's object of type ``kind``."""

    def get(request: Request) -> T:
        return _provided(request).get(kind)

    get.__name__ = f"provided_{kind.__name__}"
    return get


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request (read-only work; writes go through their services)."""
    with _provided(request).sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_sessions(request: Request) -> sessionmaker[Session]:
    """The process's session factory, for views that open their own transactions."""
    return _provided(request).sessions


SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]


def require(scope: Scope) -> Callable[..., Principal]:
    """A dependency that admits only keys holding ``scope`` (401 without a key, 403 without it)."""

    def check(
        sessions: SessionsDep, token: Annotated[str | None, Security(api_key_header)]
    ) -> Principal:
        with sessions() as session:
            principal = authenticate(session=session, token=token)
        if not principal.allows(scope):
            raise AuthError(f"this key lacks the {scope.value} scope", status_code=403)
        return principal

    return check


def require_role(*roles: Role, scope: Scope = Scope.ORDERS_WRITE) -> Callable[..., Principal]:
    """A dependency that admits keys holding ``scope`` and one of ``roles`` (403 otherwise).

    A key with no role at all (made before keys carried roles) that holds ``scope`` is still
    admitted for one release, with a deprecation warning naming its prefix
    (docs/operations.md, "API keys and roles"); a key with roles is always checked.
    """
    allowed = ", ".join(role.value for role in roles)

    scoped = require(scope)

    # A default, not Annotated: the annotations are strings here, and ``scoped`` is no global.
    def check(request: Request, principal: Principal = Depends(scoped)) -> Principal:  # noqa: B008
        if not principal.roles and not principal.allows(Scope.ADMIN):
            log.warning(
                "roleless_api_key",
                key_prefix=principal.key_prefix,
                route=getattr(request.scope.get("route"), "path", None),
                needs=[role.value for role in roles],
            )
            return principal
        if not principal.acts_as(*roles):
            raise AuthError(f"this action needs the role {allowed} (or admin)", status_code=403)
        return principal

    return check


def acting_roles(principal: Principal) -> frozenset[Role]:
    """The roles ``principal`` may act as, for in-action checks (an admin-scope key: ``admin``)."""
    if principal.allows(Scope.ADMIN):
        return principal.roles | {Role.ADMIN}
    return principal.roles


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A ``Content-Disposition`` header for ``filename``, whatever its characters (RFC 6266).

    ``filename`` is an ASCII fallback (anything else, quotes and backslashes become ``_``);
    ``filename*`` carries the exact name, percent-encoded UTF-8 (RFC 5987).
    """
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    exact = quote(filename, safe="", errors="replace")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{exact}"

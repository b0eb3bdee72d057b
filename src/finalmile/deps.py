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

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session, sessionmaker

from finalmile.auth import Principal, Scope, authenticate
from finalmile.errors import AuthError
from finalmile.provided import Provided

T = TypeVar("T")
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

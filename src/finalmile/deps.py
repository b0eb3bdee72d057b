"""FastAPI dependencies: the process's services, a DB session, and API-key scopes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from finalmile.auth.models import Scope
from finalmile.auth.service import Principal, authenticate
from finalmile.errors import AuthError
from finalmile.services import Services

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="finalmile API key")


def get_services(request: Request) -> Services:
    """The services built at startup."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """A session for one request (read-only work; writes go through their services)."""
    with services.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def require(scope: Scope) -> Callable[..., Principal]:
    """A dependency that admits only keys holding ``scope`` (401 without a key, 403 without it)."""

    def check(
        services: ServicesDep, token: Annotated[str | None, Security(api_key_header)]
    ) -> Principal:
        with services.sessions() as session:
            principal = authenticate(session=session, token=token)
        if not principal.allows(scope):
            raise AuthError(f"this key lacks the {scope.value} scope", status_code=403)
        return principal

    return check

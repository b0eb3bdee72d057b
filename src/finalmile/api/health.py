"""Liveness and readiness probes (no API key needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from finalmile.deps import provided
from finalmile.intake import IntakeService

router = APIRouter(tags=["health"])
EngineDep = Annotated[Engine, Depends(provided(Engine))]
IntakeDep = Annotated[IntakeService, Depends(provided(IntakeService))]


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(engine: EngineDep, intake: IntakeDep) -> JSONResponse:
    """The database answers and intake is running; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
    checks["intake"] = "ok" if intake.running else "stopped"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
    )

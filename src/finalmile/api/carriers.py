"""``GET /carriers``: the integrations (with settings JSON Schema) and the configured accounts.

The accounts are the shipment service's, so this view lives above carriers and shipments.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from finalmile.auth import Scope
from finalmile.carriers import load_registry
from finalmile.deps import provided, require
from finalmile.shipments import ShipmentService

router = APIRouter(
    prefix="/carriers", tags=["carriers"], dependencies=[Depends(require(Scope.ADMIN))]
)
ShipmentsDep = Annotated[ShipmentService, Depends(provided(ShipmentService))]


class Integration(BaseModel):
    """One carrier integration and the JSON Schema of its account settings."""

    slug: str
    label: str
    kind: str
    capabilities: list[str]
    settings_schema: dict[str, Any]


class Account(BaseModel):
    """One configured account (secrets are never shown)."""

    name: str
    type: str
    kind: str
    limits: dict[str, float]


class CarrierCatalogue(BaseModel):
    """Integrations, configured accounts, and plugins that failed to load."""

    integrations: list[Integration]
    accounts: list[Account]
    failures: dict[str, str]


@router.get("", response_model=CarrierCatalogue)
def get_carriers(shipments: ShipmentsDep) -> CarrierCatalogue:
    """What can be configured, and what is."""
    registry = load_registry()
    integrations = [
        Integration(
            slug=info.slug,
            label=info.label,
            kind=info.kind.value,
            capabilities=sorted(c.value for c in info.capabilities),
            settings_schema=info.settings_model.model_json_schema(),
        )
        for info in registry.infos.values()
    ]
    accounts = [
        Account(
            name=account.name,
            type=account.info.slug,
            kind=account.info.kind.value,
            limits={
                "max_concurrency": account.settings.max_concurrency,
                "requests_per_second": account.settings.requests_per_second,
            },
        )
        for account in shipments.accounts.values()
    ]
    return CarrierCatalogue(
        integrations=integrations, accounts=accounts, failures=registry.failures
    )

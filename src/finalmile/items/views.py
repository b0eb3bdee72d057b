"""``GET /items/{ndc}``: a product's item master entries, by scope (``*`` is every site)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from finalmile.auth import Scope
from finalmile.deps import provided, require
from finalmile.errors import InputError, NotFoundError
from finalmile.items.codes import ItemCode
from finalmile.items.entry import ItemEntry
from finalmile.items.service import ItemService

router = APIRouter(
    prefix="/items", tags=["items"], dependencies=[Depends(require(Scope.ORDERS_READ))]
)
ItemsDep = Annotated[ItemService, Depends(provided(ItemService))]


@router.get("/{ndc}")
def get_item(ndc: str, items: ItemsDep) -> dict[str, ItemEntry]:
    """The entries for ``ndc`` (any 10-digit layout with dashes, or 11 digits) by scope."""
    try:
        entries = items.show(ndc)
    except ValueError as exc:
        raise InputError(str(exc), location="ndc", code=ItemCode.INVALID_NDC) from None
    if not entries:
        raise NotFoundError(f"NDC {ndc} is not in the item master")
    return entries

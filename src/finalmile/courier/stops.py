"""Courier jobs: a ``DispatchOrder`` decided for in-house delivery, as a stop the planner can route.

The rules decide which orders go by courier; this module only turns one such order, the site
holding its package and the patient's windows into a ``CourierStop`` and then a routing ``Stop``.
Where the order has no geocoded point, the ZIP centroid stands in (offline).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from finalmile.canonical import Address, DispatchOrder, StorageClass
from finalmile.courier.codes import CourierCode
from finalmile.courier.geocode import zip_centroid
from finalmile.errors import InputError
from finalmile.routing import GeoPoint, Skill, Stop, TimeWindow

COLD_STORAGE = frozenset({StorageClass.REFRIGERATED, StorageClass.FROZEN})
DEFAULT_COLD_CHAIN_LIMIT = dt.timedelta(hours=4)
HANDOVER = dt.timedelta(minutes=4)
SIGNATURE = dt.timedelta(minutes=3)


@dataclass(frozen=True, slots=True)
class CourierStop:
    """One courier delivery: what the planner needs plus what the driver's manifest shows.

    ``address`` and ``instructions`` are the only patient-related details kept: the driver needs
    them to hand the package over. Names, phones and birth dates stay in the order store.
    """

    order_id: str
    site_id: str
    location: GeoPoint
    address: Address
    windows: tuple[TimeWindow, ...]
    storage: StorageClass
    packages: int
    requires_signature: bool
    instructions: str | None = None
    controlled: bool = False
    priority: bool = False
    deferral_penalty: int | None = None
    cold_chain_limit: dt.timedelta = DEFAULT_COLD_CHAIN_LIMIT
    teaching: dt.timedelta = dt.timedelta(0)

    @property
    def cold(self) -> bool:
        """The package travels in the cooler."""
        return self.storage in COLD_STORAGE

    def to_stop(self) -> Stop:
        """The routing stop: service time, skills, cooler load and cold-chain limit."""
        skills = {Skill.COOLER} if self.cold else set()
        if self.controlled:
            skills.add(Skill.LOCKBOX)
        service = HANDOVER + (SIGNATURE if self.requires_signature else dt.timedelta(0))
        return Stop(
            stop_id=self.order_id,
            location=self.location,
            windows=self.windows,
            service=service + self.teaching,
            packages=self.packages,
            cold_packages=self.packages if self.cold else 0,
            skills=frozenset(skills),
            cold_chain_limit=self.cold_chain_limit if self.cold else None,
            origin_site=self.site_id,
            priority=self.priority,
            deferral_penalty=self.deferral_penalty,
        )


def courier_stop(
    order: DispatchOrder,
    *,
    site_id: str,
    windows: tuple[TimeWindow, ...],
    location: GeoPoint | None = None,
    controlled: bool = False,
    priority: bool = False,
    deferral_penalty: int | None = None,
    teaching: dt.timedelta = dt.timedelta(0),
) -> CourierStop:
    """A courier stop for ``order`` leaving from ``site_id`` (one package per item line).

    Raises:
        InputError: no point given and the ship-to ZIP code is missing or unknown.
    """
    if location is None:
        if not order.ship_to.postal_code:
            raise InputError(
                "no point and no ZIP code to place the stop",
                location=f"order {order.order_id}: ship_to.postal_code",
                code=CourierCode.REQUIRED,
            )
        location = zip_centroid(
            order.ship_to.postal_code, location=f"order {order.order_id}: ship_to.postal_code"
        )
    return CourierStop(
        order_id=order.order_id,
        site_id=site_id,
        location=location,
        address=order.ship_to,
        windows=windows,
        storage=order.storage,
        packages=len(order.items),
        requires_signature=order.requires_signature,
        instructions=order.instructions,
        controlled=controlled,
        priority=priority,
        deferral_penalty=deferral_penalty,
        teaching=teaching,
    )

"""The day a stored plan was made from: decrypted and validated on demand.

Driver updates re-time routes from it on every report, so the validated day (the routing problem
and the jobs: addresses and instructions, no names, phones or birth dates) is kept in a small
in-process cache keyed by the stored ciphertext; the day-file text itself (which holds whole
orders) is never cached.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from finalmile.courier.codes import CourierCode
from finalmile.courier.dayfile import CourierDay, load_day
from finalmile.courier.plan_tables import RoutePlan
from finalmile.errors import InputError
from finalmile.vault import Vault

CACHED_DAYS = 8
"""Validated days kept in memory (one per plan in use)."""

_cache: OrderedDict[bytes, CourierDay] = OrderedDict()
_lock = threading.Lock()


def plan_day_text(row: RoutePlan, vault: Vault) -> str:
    """The day-file JSON plan ``row`` was made from.

    Raises:
        InputError: the plan was stored before plans kept their day.
    """
    if row.day_encrypted is None:
        raise _no_day(row)
    return vault.decrypt(row.day_encrypted).decode()


def plan_day(row: RoutePlan, vault: Vault) -> CourierDay:
    """The day plan ``row`` was made from, validated for the plan's date.

    Raises:
        InputError: the plan was stored before plans kept their day.
    """
    if row.day_encrypted is None:
        raise _no_day(row)
    key = hashlib.sha256(row.day_encrypted).digest() + row.plan_date.isoformat().encode()
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    day = load_day(plan_day_text(row, vault), source=f"route plan {row.id}").on(row.plan_date)
    with _lock:
        _cache[key] = day
        while len(_cache) > CACHED_DAYS:
            _cache.popitem(last=False)
    return day


def _no_day(row: RoutePlan) -> InputError:
    return InputError(
        f"route plan {row.id} was stored without its day; plan the day again",
        location="plan_id",
        code=CourierCode.NO_DAY,
    )

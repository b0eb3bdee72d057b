"""finalmile's development rigs for tests, benchmarks and `make run`: synthetic data only, never
real patients. A dev-only distribution (`finalmile-devtools`); finalmile never imports it.
"""

from finalmile_devtools.process import ChildServer, finalmile_server, free_port
from finalmile_devtools.synthetic import (
    STORAGE_CODES,
    control_id_for,
    order_id_for,
    rde_o11,
)

__all__ = [
    "STORAGE_CODES",
    "ChildServer",
    "control_id_for",
    "finalmile_server",
    "free_port",
    "order_id_for",
    "rde_o11",
]

"""Helpers for tests, benchmarks and demos: synthetic data only, never real patients."""

from finalmile.testing.process import ChildServer, finalmile_server, free_port
from finalmile.testing.synthetic import (
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

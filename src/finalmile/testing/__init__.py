"""Helpers for tests, benchmarks and demos: synthetic data only, never real patients."""

from finalmile.testing.synthetic import (
    STORAGE_CODES,
    control_id_for,
    order_id_for,
    rde_o11,
)

__all__ = ["STORAGE_CODES", "control_id_for", "order_id_for", "rde_o11"]

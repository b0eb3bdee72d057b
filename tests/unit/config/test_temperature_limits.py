"""The temperature limits in settings: one entry per storage class, overrides checked."""

from __future__ import annotations

import pytest

from finalmile.canonical import StorageClass
from finalmile.config.temperature_limits import DEFAULT_LIMITS, resolve_limits
from finalmile.errors import ConfigError


def test_every_storage_class_has_default_limits_in_class_order() -> None:
    assert list(DEFAULT_LIMITS) == [storage.value for storage in StorageClass]


def test_limits_are_found_by_storage_class() -> None:
    limits = resolve_limits({"refrigerated": {"max_single_minutes": 15}})
    assert limits[StorageClass.REFRIGERATED].max_single_minutes == 15
    assert limits[StorageClass.FROZEN] == DEFAULT_LIMITS["frozen"]


def test_unknown_classes_and_unordered_limits_are_all_reported() -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_limits({"warm": {}, "frozen": {"low": 0}})
    assert raised.value.errors == [
        "FINALMILE_TEMPERATURE_LIMITS: unknown storage class 'warm' "
        "(ambient, controlled_room, refrigerated, frozen)",
        "FINALMILE_TEMPERATURE_LIMITS.frozen: Value error, low must be below high",
    ]

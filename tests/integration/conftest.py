"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from finalmile.config.settings import Settings
from tests.integration.environment import export_settings


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test settings as the environment the ``finalmile`` command reads."""
    return export_settings(settings, monkeypatch)

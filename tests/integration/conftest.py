"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from finalmile.config.settings import Settings


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test settings as the environment the ``finalmile`` command reads."""
    monkeypatch.setenv("FINALMILE_DATABASE_URL", settings.resolved_database_url)
    assert settings.secret_key is not None
    monkeypatch.setenv("FINALMILE_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("FINALMILE_DATA_DIR", str(settings.data_dir))
    return settings

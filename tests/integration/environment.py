"""Hand test settings to the ``finalmile`` command the way it reads them: the environment."""

from __future__ import annotations

import pytest

from finalmile.config.settings import Settings


def export_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Set the database, secret key and data directory of ``settings`` as FINALMILE_* variables."""
    monkeypatch.setenv("FINALMILE_DATABASE_URL", settings.resolved_database_url)
    assert settings.secret_key is not None
    monkeypatch.setenv("FINALMILE_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("FINALMILE_DATA_DIR", str(settings.data_dir))
    return settings

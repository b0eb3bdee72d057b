"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), settings, app, MLLP.

Every test that takes ``database_url`` runs once per backend: SQLite, and PostgreSQL when
``FINALMILE_TEST_POSTGRES_URL`` is set (``make test`` sets it under ``CI=true``). PostgreSQL tests
use a schema of their own per session and truncate between tests.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from finalmile.app import Services, build_services
from finalmile.config.settings import Settings
from finalmile.db import migrate
from finalmile.main import create_app
from finalmile.schema import metadata

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_URL = os.environ.get("FINALMILE_TEST_POSTGRES_URL")
TABLES = tuple(table.name for table in metadata.sorted_tables)
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests configure finalmile explicitly: no developer FINALMILE_* variable leaks in."""
    for name in list(os.environ):
        if name.startswith("FINALMILE_") and name != "FINALMILE_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Commands configure logging onto their own (captured, then closed) stderr: undo it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[str]:
    assert POSTGRES_URL is not None
    schema = f"finalmile_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _with_search_path(POSTGRES_URL, schema)
    migrate(url)
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on each configured backend."""
    if request.param == "sqlite":
        path = tmp_path / "finalmile.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("_postgres_schema")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for one test: its own database and data dir, a fixed key, MLLP on a free port.

    The decision job is off: a test that wants orders decided in the background turns it on, so
    no other test races a job that fires whenever the machine happens to be slow.
    """
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key=Fernet.generate_key().decode(),
        mllp_port=0,
        timezone="America/New_York",
        decide_interval_seconds=0,
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services without the web app, for storage-level tests."""
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The running app (lifespan, group commit and MLLP listener included)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def read_fixture(*parts: str) -> bytes:
    """The bytes of a file under tests/fixtures."""
    return FIXTURES.joinpath(*parts).read_bytes()

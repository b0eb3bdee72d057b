"""Alembic environment: migrates the database named in the Alembic config."""

from __future__ import annotations

from alembic import context

from finalmile.db import create_db_engine
from finalmile.schema import metadata as target_metadata


def run_migrations() -> None:
    """Apply migrations online, on one connection, in one transaction per migration."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not set"
    engine = create_db_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()

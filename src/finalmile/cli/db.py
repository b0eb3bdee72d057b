"""``finalmile db``: schema migrations."""

from __future__ import annotations

import typer

from finalmile.cli.context import load_settings
from finalmile.db import migrate

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration (the service also does this when it starts)."""
    settings = load_settings()
    migrate(settings.resolved_database_url)
    typer.echo("database is at the newest schema")

"""``finalmile items import|show``: the item master (the pharmacy's product file by NDC)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from finalmile.app import import_items as import_and_release
from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import ConfigError
from finalmile.items import EVERY_SITE

app = typer.Typer(help="Import and show the item master.", no_args_is_help=True)

#: Exit codes: a file with problems (nothing written) or an NDC that is not listed.
EXIT_INVALID, EXIT_NOT_FOUND = 2, 1


@app.command("import")
def import_items(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or YAML file")
    ],
    site: Annotated[
        str, typer.Option("--site", help="Site the entries hold for [default: every site]")
    ] = EVERY_SITE,
) -> None:
    """Validate the file as a whole (every error with its line, nothing written then), add or
    replace its entries, then release and decide again the orders held for a storage class the
    new entries give."""
    settings = load_settings()
    with open_services(settings) as services:
        try:
            done = import_and_release(services, file, scope=site)
        except ConfigError as exc:
            raise fail(str(exc), EXIT_INVALID) from None
    where = "every site" if site == EVERY_SITE else f"site {site}"
    print(f"{file}: {done.count} items imported for {where}")
    print(f"{len(done.released)} held orders released (storage now known)")
    for order_id, delivery_type in done.decided.items():
        print(f"  {order_id}: decided {delivery_type}")
    for order_id in done.deferred:
        print(f"  {order_id}: not decided now; the decision job will decide it")


@app.command("show")
def show(
    ndc: Annotated[str, typer.Argument(help="NDC, 11 digits or a dashed 10-digit layout")],
) -> None:
    """Print the entries for an NDC as JSON, by scope (``*`` is every site); exit 1 if none."""
    settings = load_settings()
    with open_services(settings) as services:
        try:
            entries = services.items.show(ndc)
        except ValueError as exc:
            raise fail(f"{ndc!r}: {exc}", EXIT_INVALID) from None
    if not entries:
        raise fail(f"NDC {ndc} is not in the item master", EXIT_NOT_FOUND)
    print(json.dumps({scope: e.model_dump(mode="json") for scope, e in entries.items()}, indent=2))

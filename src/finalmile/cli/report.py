"""``finalmile report``: the delivery numbers of a period, as a table or CSV."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import FinalmileError
from finalmile.reports import csv_text, table_text


def report(
    first: Annotated[
        dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day, YYYY-MM-DD")
    ],
    last: Annotated[
        dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (inclusive)")
    ],
    site: Annotated[str | None, typer.Option(help="Only this site")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV instead of a table")] = False,
) -> None:
    """Delivery numbers per day and site, by delivery type and carrier (table, or --csv).

    Orders, delivered, on-time rate, first-attempt success, cost per delivery, excursion rate,
    delivery-to-billing hours (median, p90), exceptions opened and resolved; the last line is the
    period's total."""
    with open_services(load_settings()) as services:
        try:
            found = services.reports.report(first=first.date(), last=last.date(), site=site)
        except FinalmileError as exc:
            raise fail(str(exc), 2) from None
    typer.echo(csv_text(found) if as_csv else table_text(found), nl=False)

"""``finalmile orders``: the order list with the API's filters, and the day's counts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import FinalmileError
from finalmile.orders import BillingStatus, OrderStatus
from finalmile.rules import DeliveryType
from finalmile.worklist import DayCounts, OrderQuery, OrderSummary, Sort

app = typer.Typer(help="Orders: list with filters, the day's counts.", no_args_is_help=True)
COLUMNS = ("order_id", "status", "billing", "needed_by", "type", "site", "carrier", "driver")


def _moment(option: str, text: str | None) -> dt.datetime | None:
    """An ISO 8601 time with its UTC offset; exits 2 naming ``option`` otherwise."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: not an ISO 8601 time (2026-12-08T17:00:00-05:00)", 2) from None
    if moment.tzinfo is None:
        raise fail(f"{option}: give the UTC offset (2026-12-08T17:00:00-05:00)", 2)
    return moment


@app.command("list")
def list_(
    *,
    status: Annotated[
        list[OrderStatus] | None, typer.Option(help="Only this status (repeat for several)")
    ] = None,
    billing_status: Annotated[BillingStatus | None, typer.Option()] = None,
    delivery_type: Annotated[
        DeliveryType | None, typer.Option(help="Current decision's delivery type")
    ] = None,
    connector: Annotated[str | None, typer.Option()] = None,
    account: Annotated[str | None, typer.Option(help="Live shipment's carrier account")] = None,
    carrier: Annotated[str | None, typer.Option(help="Live shipment's carrier")] = None,
    site: Annotated[str | None, typer.Option(help="Current decision's site")] = None,
    driver: Annotated[str | None, typer.Option(help="Courier driver id")] = None,
    needed_after: Annotated[str | None, typer.Option(help="Needed by at or after (ISO)")] = None,
    needed_before: Annotated[str | None, typer.Option(help="Needed by before (ISO)")] = None,
    created_after: Annotated[str | None, typer.Option(help="Received at or after (ISO)")] = None,
    created_before: Annotated[str | None, typer.Option(help="Received before (ISO)")] = None,
    late: Annotated[
        bool | None,
        typer.Option(
            "--late/--not-late", help="Needed-by passed and not delivered/cancelled/returned"
        ),
    ] = None,
    sort: Annotated[Sort, typer.Option(help="newest first, or needed_by earliest first")] = (
        Sort.NEWEST
    ),
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per order")] = False,
) -> None:
    """Orders (no patient data) as a table, or JSON lines with --json."""
    query = OrderQuery(
        statuses=tuple(dict.fromkeys(status or ())),
        billing_status=billing_status,
        delivery_type=delivery_type,
        connector=connector,
        account=account,
        carrier=carrier,
        site=site,
        driver=driver,
        needed_after=_moment("--needed-after", needed_after),
        needed_before=_moment("--needed-before", needed_before),
        created_after=_moment("--created-after", created_after),
        created_before=_moment("--created-before", created_before),
        late=late,
        sort=sort,
    )
    with open_services(load_settings()) as services:
        try:
            page = services.worklist.page(query, limit=limit)
        except FinalmileError as exc:
            raise fail(str(exc), 2) from None
    summaries = [OrderSummary.of(line) for line in page.lines]
    if as_json:
        for summary in summaries:
            typer.echo(summary.model_dump_json())
        return
    typer.echo("\t".join(COLUMNS))
    for s in summaries:
        cells = (
            s.order_id,
            s.status,
            s.billing_status,
            s.needed_by.isoformat() if s.needed_by else None,
            s.delivery_type,
            s.site,
            s.carrier,
            s.driver_id,
        )
        typer.echo("\t".join(cell or "-" for cell in cells))


@app.command("summary")
def summary(
    date: Annotated[
        dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="The needed-by day, YYYY-MM-DD")
    ],
    site: Annotated[str | None, typer.Option(help="Only this site, in its time zone")] = None,
) -> None:
    """Counts per status and billing status of the orders needed by a day, and the late ones
    (JSON)."""
    with open_services(load_settings()) as services:
        try:
            counts = services.worklist.summary(day=date.date(), site=site)
        except FinalmileError as exc:
            raise fail(str(exc), 2) from None
    typer.echo(DayCounts.of(counts).model_dump_json(indent=2))

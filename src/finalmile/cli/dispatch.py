"""``finalmile dispatch [--order ID]``: buy the shipment each carrier or courier decision names."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.cli.ship import EXIT_REFUSED, EXIT_RETRY, shipment_line
from finalmile.errors import ConflictError, InputError, NotFoundError
from finalmile.shipments import Dispatched


def dispatch(
    order: Annotated[
        str | None, typer.Option(help="Only this order, even after a refused attempt")
    ] = None,
    connector: Annotated[str | None, typer.Option(help="Connector of --order")] = None,
) -> None:
    """Buy labels for decided orders: one JSON line per shipment on stdout, problems on stderr.

    Without --order, every due order (current carrier or courier decision, no shipment yet).
    Exit 0 when nothing went wrong, 1 when an order could not be bought, 3 when some outcome is
    still open (run it again, or ``finalmile shipments recover``).
    """
    with open_services(load_settings()) as services:
        if order is None:
            done = services.dispatcher.dispatch_pending()
        else:
            try:
                done = [services.dispatcher.dispatch_order(order_id=order, connector=connector)]
            except (InputError, ConflictError, NotFoundError) as exc:
                raise fail(str(exc), EXIT_REFUSED) from None
    raise typer.Exit(max((_report(d) for d in done), default=0))


def _report(done: Dispatched) -> int:
    if done.shipment is not None:
        print(json.dumps(shipment_line(done.shipment)))
        return 0
    line = {"order_id": done.order_id, "error": done.error, "retriable": done.retriable}
    print(json.dumps(line), file=sys.stderr)
    return EXIT_RETRY if done.retriable else EXIT_REFUSED

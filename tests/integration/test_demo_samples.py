"""The demo's samples: stored once, dated to the day of the first run, never amended by a re-run."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import col

from finalmile.app import Services
from finalmile.cli.demo import LoadedSamples, load_samples
from finalmile.config.demo_dates import days_since_samples
from finalmile.orders.models import Order


def _today(services: Services) -> dt.date:
    """The day the samples are stored on (intake stamps them with the real clock)."""
    return dt.datetime.now(ZoneInfo(services.settings.timezone)).date()


def _stored(services: Services) -> dict[str, tuple[int, str | None]]:
    with services.sessions() as session:
        orders = session.scalars(select(Order).order_by(col(Order.order_id)))
        return {o.order_id: (o.version, str(o.needed_by) if o.needed_by else None) for o in orders}


def test_a_later_run_stores_nothing_and_amends_no_order(services: Services) -> None:
    today = _today(services)
    first = load_samples(services, connector="default", today=today)
    assert first == LoadedSamples(messages=9, csv_orders=2)
    stored = _stored(services)
    assert len(stored) == 12 and {version for version, _ in stored.values()} == {1}

    later = load_samples(services, connector="default", today=today + dt.timedelta(days=9))
    assert later == LoadedSamples(messages=0, csv_orders=0)
    assert _stored(services) == stored


def test_samples_are_dated_to_the_day_of_the_first_run(services: Services) -> None:
    today = _today(services)
    load_samples(services, connector="default", today=today)
    load_samples(services, connector="default", today=today + dt.timedelta(days=3))
    written = dt.datetime(2026, 11, 24, 17, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with services.sessions() as session:
        csv_order = session.scalars(select(Order).where(col(Order.order_id) == "DEMO-RX-009")).one()
    assert csv_order.needed_by == written + dt.timedelta(days=days_since_samples(today))

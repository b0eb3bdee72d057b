"""Planning as a scheduled job: registered on APScheduler; a run with nothing to plan stores
nothing (a run that plans goes through the same child process as ``POST /routes/plan``), and a
run whose routing engine is down raises ``RetriableError`` and stores nothing."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from finalmile.app import Services, build_services
from finalmile.app.scheduler import build_scheduler
from finalmile.config.settings import Settings
from finalmile.courier.plan_tables import RoutePlan
from finalmile.courier.planning_job import add_planning_job, run_planning
from finalmile.errors import RetriableError
from tests.osrm_server import FakeOsrm

DEMO = resources.files("finalmile.config.defaults").joinpath("routing/demo_day.json").read_text()
DAY = dt.date(2026, 11, 24)


def test_job_is_registered_daily_in_the_site_zone(services: Services) -> None:
    scheduler = BackgroundScheduler()
    job = add_planning_job(
        scheduler,
        planning=services.planning,
        source=lambda date: None,
        at=dt.time(5, 30),
        zone="America/New_York",
        seconds=5,
    )
    assert job.id == "route_planning"
    assert str(job.trigger) == "cron[hour='5', minute='30']"
    assert str(job.trigger.timezone) == "America/New_York"


def test_a_day_without_jobs_stores_nothing(services: Services) -> None:
    assert (
        run_planning(planning=services.planning, source=lambda d: None, date=DAY, seconds=1) is None
    )


def test_service_schedules_planning_only_when_a_time_is_set(settings: Settings) -> None:
    off = build_services(settings.model_copy(update={"outbox_workers": 0}))
    try:
        scheduler = build_scheduler(off)
        assert scheduler is None or scheduler.get_job("route_planning") is None
    finally:
        off.close()
    on = build_services(settings.model_copy(update={"route_planning_at": dt.time(5, 30)}))
    try:
        scheduler = build_scheduler(on)
        assert scheduler is not None
        job = scheduler.get_job("route_planning")
        assert str(job.trigger) == "cron[hour='5', minute='30']"
        assert str(job.trigger.timezone) == settings.timezone
    finally:
        on.close()


def test_runs_are_priced_on_the_configured_engine_and_store_nothing_while_it_is_down(
    settings: Settings,
) -> None:
    with FakeOsrm() as engine:
        source = f"osrm+{engine.url}"
        services = build_services(
            settings.model_copy(update={"routing_table_url": source, "outbox_workers": 0})
        )
        try:
            plan_id = run_planning(
                planning=services.planning, source=lambda d: DEMO, date=DAY, seconds=0.5
            )
            asked = len(engine.requests)
            engine.down = True
            with pytest.raises(RetriableError, match=re.escape(f"travel times from {source}: ")):
                run_planning(
                    planning=services.planning, source=lambda d: DEMO, date=DAY, seconds=0.5
                )
            with services.sessions() as session:
                stored = [(row.id, row.travel_source) for row in session.scalars(select(RoutePlan))]
        finally:
            services.close()
    assert asked == 1 and stored == [(plan_id, source)]

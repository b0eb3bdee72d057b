"""``finalmile routes``: plan a courier day from a day file, the bundled demo day, or the stored
courier decisions of a date (with driver manifests as JSON and PDF); re-plan the rest of a stored
plan's day."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.courier import (
    CourierDay,
    load_day,
    manifest,
    plan_record,
    route_sheet,
    run_replan,
    stored_day,
)
from finalmile.db_types import utcnow
from finalmile.errors import FinalmileError
from finalmile.routing import (
    Budget,
    MatrixProvider,
    OsrmTableProvider,
    TravelSource,
    ValhallaTableProvider,
    check_plan,
    configured,
    plan,
    with_unplaced,
)

app = typer.Typer(
    help="Courier routes: plan a day, write driver manifests, re-plan the rest of a day.",
    no_args_is_help=True,
)

DEMO_DAY = "routing/demo_day.json"
DEMO_DATE = dt.date(2026, 11, 24)
ACTOR = "cli"


def _provider(osrm: str | None, valhalla: str | None) -> MatrixProvider:
    """The engine named on the command line, else the service's (FINALMILE_ROUTING_TABLE_URL,
    else great-circle estimates)."""
    if osrm and valhalla:
        raise fail("give --osrm or --valhalla, not both", 2)
    if osrm:
        return OsrmTableProvider(osrm)
    if valhalla:
        return ValhallaTableProvider(valhalla)
    return TravelSource(configured(load_settings().routing_table_url))


def plan_day(
    day: CourierDay, provider: MatrixProvider, seconds: float, manifests: Path | None
) -> dict[str, Any]:
    """Plan ``day``, check the plan independently, optionally write each route's manifest (JSON
    and PDF)."""
    matrix = provider.matrix(day.problem.points())
    result = plan(day.problem, matrix, Budget(seconds=seconds))
    report = check_plan(day.problem, result, matrix)
    result = with_unplaced(result, day.unplaced)
    drivers = {d.driver_id: d for d in day.problem.drivers}
    if manifests is not None:
        # Deferred: fpdf is slow to import and only rendering needs it.
        from finalmile.courier.manifest_pdf import manifest_pdf  # noqa: PLC0415

        manifests.mkdir(parents=True, exist_ok=True)
        for route in result.routes:
            site_id = drivers[route.driver_id].start_site
            zone = ZoneInfo(day.site_zones[site_id])
            sheet = route_sheet(route, day.jobs, site_id=site_id)
            body = json.dumps(manifest(sheet, zone=zone), indent=2) + "\n"
            (manifests / f"{route.driver_id}.json").write_text(body)
            (manifests / f"{route.driver_id}.pdf").write_bytes(manifest_pdf(sheet, zone=zone))
    return {
        "objective": result.objective,
        "feasible": report.feasible,
        "violations": [
            f"{v.kind}: {v.driver_id} {v.stop_id} {v.detail}" for v in report.violations
        ],
        "distance_km": round(report.distance_m / 1000, 1),
        "routes": [
            {
                "driver_id": r.driver_id,
                "departure": r.departure.isoformat(),
                "return": r.return_time.isoformat(),
                "distance_km": round(r.distance_m / 1000, 1),
                "stops": [
                    {"order_id": v.stop_id, "eta": v.service_start.isoformat()} for v in r.visits
                ],
                "breaks": [
                    {"from": b.start.isoformat(), "to": b.end.isoformat()} for b in r.breaks
                ],
            }
            for r in result.routes
        ],
        "unassigned": [
            {"order_id": u.stop_id, "reason": u.reason.value} for u in result.unassigned
        ],
    }


def _stored(date: dt.date) -> CourierDay:
    with open_services(load_settings()) as services:
        text = stored_day(services.planning, date)
    if text is None:
        raise fail(f"no courier orders to plan on {date.isoformat()}")
    return load_day(text, source="stored courier day")


@app.command("plan")
def plan_command(
    day_file: Annotated[
        Path | None, typer.Argument(help="Day file (JSON: sites, drivers, jobs)", exists=True)
    ] = None,
    *,
    date: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Plan this date; alone: from the stored courier decisions (default: demo day's)",
        ),
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Plan the bundled demo day")] = False,
    seconds: Annotated[float, typer.Option(min=0.1, help="Search time budget")] = 5.0,
    manifests: Annotated[
        Path | None,
        typer.Option(help="Write each route's driver manifest here (DRIVER.json and DRIVER.pdf)"),
    ] = None,
    osrm: Annotated[
        str | None,
        typer.Option(
            help="OSRM base URL for travel times (default: FINALMILE_ROUTING_TABLE_URL, else"
            " great-circle estimates)"
        ),
    ] = None,
    valhalla: Annotated[str | None, typer.Option(help="Valhalla base URL")] = None,
) -> None:
    """Plan the day's courier routes and print the plan (JSON) with the checker's verdict."""
    if day_file is not None and demo:
        raise fail("give a day file or --demo, not both", 2)
    if day_file is None and not demo and date is None:
        raise fail("give a day file, --demo, or --date to plan the stored courier orders", 2)
    try:
        if day_file is not None:
            day = load_day(day_file.read_bytes(), source=day_file.name)
        elif demo:
            text = resources.files("finalmile.config.defaults").joinpath(DEMO_DAY).read_bytes()
            day = load_day(text, source=DEMO_DAY)
        else:
            assert date is not None
            day = _stored(date.date())
        day = day.on(date.date() if date else DEMO_DATE)
        summary = plan_day(day, _provider(osrm, valhalla), seconds, manifests)
    except FinalmileError as exc:
        raise fail(str(exc)) from None
    typer.echo(json.dumps(summary, indent=2))


@app.command("replan")
def replan_command(
    plan_id: Annotated[
        int, typer.Argument(help="The stored plan to re-plan (the newest of its day)")
    ],
    *,
    absent: Annotated[
        list[str] | None, typer.Option(help="A driver out for the rest of the day (repeatable)")
    ] = None,
    at: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"],
            help="Re-plan as of this time, with its offset (default: now)",
        ),
    ] = None,
    seconds: Annotated[float, typer.Option(min=0.1, help="Search time budget")] = 10.0,
) -> None:
    """Re-plan the rest of a stored plan's day from driver reports, new and cancelled courier
    orders and absent drivers; store the new plan (superseding the old), hand the stops that
    changed driver over, and print it (JSON, with ``assignments``). A stop a dispatcher assigned
    during the re-plan stays with that driver (``kept``, listed on stderr). Exits 3 when a stop
    could not be handed over (listed on stderr)."""
    try:
        with open_services(load_settings()) as services:
            replanned = run_replan(
                planning=services.planning,
                plan_id=plan_id,
                now=at or utcnow(),
                seconds=seconds,
                absent=absent or (),
                actor=ACTOR,
            )
            with services.sessions() as session:
                record = plan_record(session=session, plan_id=replanned.plan_id)
    except FinalmileError as exc:
        raise fail(str(exc)) from None
    handover = replanned.handover
    typer.echo(json.dumps(record | {"assignments": handover.as_json()}, indent=2))
    for released in handover.released:
        typer.echo(
            f"released: {released.order_id} from {released.driver_id} ({released.reason})",
            err=True,
        )
    for kept in handover.kept:
        planned = f"routes it to {kept.planned}" if kept.planned else "does not route it"
        typer.echo(
            f"kept: {kept.order_id} with {kept.driver_id} (assigned by {kept.assigned_by} during"
            f" the re-plan; the new plan {planned})",
            err=True,
        )
    for problem in handover.problems:
        typer.echo(f"not handed over: {problem}", err=True)
    typer.echo(f"re-assigned {len(handover.reassigned)} stop(s)", err=True)
    raise typer.Exit(3 if handover.problems else 0)

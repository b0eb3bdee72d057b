"""The courier day's operations: stored plans and their re-plans, handing stops over, live ETAs,
manifests, the planning job and ``/routes``; drivers, their stops and the updates they send."""

from finalmile.courier.day_from_orders import stored_day
from finalmile.courier.dayfile import CourierDay, load_day
from finalmile.courier.driver_tables import CourierAssignment, Driver, DriverUpdate
from finalmile.courier.driver_updates import DriverUpdates
from finalmile.courier.manifest import manifest, route_sheet
from finalmile.courier.plan_store import plan_record
from finalmile.courier.planning import CourierPlanning
from finalmile.courier.planning_job import add_planning_job, run_replan

__all__ = [
    "CourierAssignment",
    "CourierDay",
    "CourierPlanning",
    "Driver",
    "DriverUpdate",
    "DriverUpdates",
    "add_planning_job",
    "load_day",
    "manifest",
    "plan_record",
    "route_sheet",
    "run_replan",
    "stored_day",
]

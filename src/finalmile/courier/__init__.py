"""The courier day's operations: stored plans and their re-plans, handing stops over, live ETAs,
manifests, the planning job and ``/routes``; drivers, their stops and the updates they send."""

from finalmile.courier.day_from_orders import stored_day
from finalmile.courier.dayfile import CourierDay, load_day
from finalmile.courier.driver_tables import CourierAssignment, Driver, DriverUpdate
from finalmile.courier.driver_updates import DriverUpdates
from finalmile.courier.manifest import manifest, route_sheet
from finalmile.courier.plan_leave import leave_plans
from finalmile.courier.plan_manifests import stored_manifest_pdf
from finalmile.courier.plan_map import current_plan_id, plan_map
from finalmile.courier.plan_store import plan_record
from finalmile.courier.planning import CourierPlanning
from finalmile.courier.planning_job import add_planning_job, plan_stored_day, run_replan
from finalmile.courier.reattempts import CourierReattempt, next_delivery_day

__all__ = [
    "CourierAssignment",
    "CourierDay",
    "CourierPlanning",
    "CourierReattempt",
    "Driver",
    "DriverUpdate",
    "DriverUpdates",
    "add_planning_job",
    "current_plan_id",
    "leave_plans",
    "load_day",
    "manifest",
    "next_delivery_day",
    "plan_map",
    "plan_record",
    "plan_stored_day",
    "route_sheet",
    "run_replan",
    "stored_day",
    "stored_manifest_pdf",
]

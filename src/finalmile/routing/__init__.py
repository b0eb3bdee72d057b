"""The route solver: plan a day's driver routes within patient windows and cold-chain limits.

``plan(problem, matrix, budget)`` returns a ``Plan``; ``check_plan`` verifies any plan against
every hard constraint on its own. Travel comes from a ``MatrixProvider``: ``HaversineProvider``
offline, ``OsrmTableProvider`` / ``ValhallaTableProvider`` against a routing engine. Pure: no
storage, no settings; the courier day's operations that use it are ``finalmile.courier``.
"""

from finalmile.routing.check import CheckReport, Violation, ViolationKind, check_plan
from finalmile.routing.eta import remaining_etas
from finalmile.routing.http_table import OsrmTableProvider, ValhallaTableProvider
from finalmile.routing.matrix import HaversineProvider, MatrixProvider, SpeedBand, TravelMatrix
from finalmile.routing.plan import (
    Plan,
    Route,
    ScheduledBreak,
    Unassigned,
    UnassignedReason,
    Visit,
    with_unplaced,
)
from finalmile.routing.problem import (
    Driver,
    DriverBreak,
    GeoPoint,
    RoutingProblem,
    Site,
    Skill,
    Stop,
    TimeWindow,
)
from finalmile.routing.replan import DriverProgress, replan_problem
from finalmile.routing.solve import Budget, plan
from finalmile.routing.travel import ETA_TIMEOUT_S, TravelSource, configured

__all__ = [
    "ETA_TIMEOUT_S",
    "Budget",
    "CheckReport",
    "Driver",
    "DriverBreak",
    "DriverProgress",
    "GeoPoint",
    "HaversineProvider",
    "MatrixProvider",
    "OsrmTableProvider",
    "Plan",
    "Route",
    "RoutingProblem",
    "ScheduledBreak",
    "Site",
    "Skill",
    "SpeedBand",
    "Stop",
    "TimeWindow",
    "TravelMatrix",
    "TravelSource",
    "Unassigned",
    "UnassignedReason",
    "ValhallaTableProvider",
    "Violation",
    "ViolationKind",
    "Visit",
    "check_plan",
    "configured",
    "plan",
    "remaining_etas",
    "replan_problem",
    "with_unplaced",
]

"""A local EasyPost v2 + Shippo emulation that the official SDKs run against unmodified.

Used by the demo (``finalmile sandbox``), the carrier tests and the label benchmark; never a fake of
finalmile's own code. ``docs/sandbox.md`` documents the rates, dates, trackers and fault controls.
"""

from finalmile.carriers.sandbox.app import create_sandbox_app
from finalmile.carriers.sandbox.clock import SandboxClock
from finalmile.carriers.sandbox.engine import Sandbox
from finalmile.carriers.sandbox.faults import Fault, FaultKind
from finalmile.carriers.sandbox.records import Api
from finalmile.carriers.sandbox.server import SandboxServer, sandbox_urls
from finalmile.carriers.sandbox.store import SandboxStore
from finalmile.carriers.sandbox.tracking import Outcome
from finalmile.carriers.sandbox.webhooks import easypost_signature

__all__ = [
    "Api",
    "Fault",
    "FaultKind",
    "Outcome",
    "Sandbox",
    "SandboxClock",
    "SandboxServer",
    "SandboxStore",
    "create_sandbox_app",
    "easypost_signature",
    "sandbox_urls",
]

"""Start-up stays light: the app and the command line load no heavy library until it is used.

Each probe runs in a fresh interpreter and lists which of the heavy modules it has loaded. What
these libraries serve (PDFs, carrier SDKs, FHIR models, migrations, the route solver, the
scheduler, holiday tables) loads on first use; ``bench/startup.py`` measures what that saves.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Libraries that each cost a noticeable share of start-up, and the feature that needs them.
HEAVY = (
    "alembic",  # migrations
    "apscheduler",  # the service's scheduler
    "easypost",  # EasyPost accounts
    "fhir.resources",  # FHIR intake and write-back
    "fpdf",  # audit packet and driver manifest PDFs
    "hl7apy",  # the HL7 v2 structure check (finalmile messages check)
    "holidays",  # site holiday calendars
    "numpy",  # travel matrices
    "pyvrp",  # route planning
    "shippo",  # Shippo accounts
)
#: What only ``finalmile serve`` and ``finalmile sandbox`` need (``--help`` lists the sandbox's
#: command from its light ``cli`` module, never its app).
SERVER = ("fastapi", "finalmile.api.router", "uvicorn", "finalmile_sandbox.app")
#: What running a command needs and ``--help`` does not: each command's module loads when it runs.
COMMANDS = ("finalmile.app", "finalmile.cli.context", "finalmile.cli.serve", "finalmile.cli.routes")

HELP = """
from finalmile.cli import app
try:
    app(["--help"], prog_name="finalmile")
except SystemExit:
    pass
"""


def loaded(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has loaded after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps([m for m in {modules!r} if m in sys.modules]), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return list(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    ["import finalmile.main", "from finalmile.main import create_app; create_app()"],
    ids=["import", "create_app"],
)
def test_the_app_loads_no_heavy_library(code: str) -> None:
    assert loaded(code, HEAVY) == []


@pytest.mark.parametrize("code", ["import finalmile.cli", HELP], ids=["import", "--help"])
def test_the_command_line_loads_no_heavy_library_no_server_and_no_command(code: str) -> None:
    assert loaded(code, HEAVY + SERVER + COMMANDS) == []


def test_the_probe_sees_each_library_when_it_is_loaded() -> None:
    every = HEAVY + SERVER + COMMANDS
    assert loaded("import " + ", ".join(every), every) == list(every)

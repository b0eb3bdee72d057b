"""The product package ships no test rigs: ``finalmile`` imports neither the carrier sandbox
(``finalmile_sandbox``), nor the dev rigs (``finalmile_devtools``), nor the tests.

Those are distributions of their own (``sandbox/``, ``devtools/``) that ``pip install finalmile``
does not pull in; they may import ``finalmile``, never the other way round.
"""

from __future__ import annotations

import ast
from pathlib import Path

import finalmile

FORBIDDEN = ("finalmile_sandbox", "finalmile_devtools", "tests")
PACKAGE = Path(finalmile.__file__).parent


def imported(source: str) -> set[str]:
    """The top-level names of the modules ``source`` imports (absolute imports only)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_finalmile_imports_no_rig() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(found)
        for path in sorted(PACKAGE.rglob("*.py"))
        if (found := imported(path.read_text("utf-8")) & set(FORBIDDEN))
    }
    assert offenders == {}


def test_the_scan_sees_every_form_of_import() -> None:
    source = (
        "import finalmile_sandbox.server\n"
        "from finalmile_devtools import free_port\n"
        "def f():\n    from tests.conftest import FIXTURES\n"
        "from . import tests\n"
    )
    assert imported(source) & set(FORBIDDEN) == set(FORBIDDEN)

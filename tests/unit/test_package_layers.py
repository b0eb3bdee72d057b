"""Package layers: the route solver imports no storage, settings or business package, and tracking
imports neither the solver nor the courier day (courier calls tracking, never the reverse)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import finalmile

SRC = Path(finalmile.__file__).parent

#: Packages (and modules) each package must not import, at any depth or place in a module.
FORBIDDEN = {
    "routing": (
        "finalmile.config",
        "finalmile.courier",
        "finalmile.db",
        "finalmile.orders",
        "finalmile.rules",
        "finalmile.services",
        "finalmile.shipments",
        "finalmile.tracking",
    ),
    "tracking": ("finalmile.courier", "finalmile.routing"),
}


def imported(path: Path) -> set[str]:
    """Every module name ``path`` imports (top level, in functions, under ``TYPE_CHECKING``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_keeps_to_its_layer(package: str) -> None:
    crossings = [
        f"{path.relative_to(SRC)}: {name}"
        for path in sorted((SRC / package).rglob("*.py"))
        for name in sorted(imported(path))
        if any(name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN[package])
    ]
    assert crossings == []

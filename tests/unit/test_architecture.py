"""The package graph keeps its layers: the import contract (pyproject ``[tool.importlinter]``)
holds, top-level packages form no cycle, and an upward import or a cycle fails the build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import finalmile

CHECKOUT = Path(__file__).resolve().parents[2]
SRC = Path(finalmile.__file__).parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
GRAPH = CHECKOUT / "scripts" / "package_graph.py"


def lint_imports(src_root: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's import contract against the ``finalmile`` package under ``src_root``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(CHECKOUT / "pyproject.toml")],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src_root), "PATH": ""},
        cwd=src_root,
        check=False,
    )


def package_graph(package: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GRAPH), "--src", str(package), *flags],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def copy_of_src(tmp_path: Path) -> Path:
    """A copy of the ``finalmile`` package a test may break."""
    shutil.copytree(SRC, tmp_path / "finalmile", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_import_contract_holds() -> None:
    result = lint_imports(SRC.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_top_level_packages_form_no_cycle() -> None:
    result = package_graph(SRC)
    assert result.returncode == 0, result.stdout
    assert ", 0 cycles" in result.stdout


def test_packages_import_each_other_through_their_public_surface() -> None:
    result = package_graph(SRC, "--surfaces")
    assert result.returncode == 0, result.stdout
    assert result.stdout.endswith("0 imports into another package's modules\n")


def test_an_import_into_another_package_s_module_is_reported(copy_of_src: Path) -> None:
    service = copy_of_src / "finalmile" / "rules" / "service.py"
    service.write_text(
        service.read_text(encoding="utf-8")
        + "\nfrom finalmile.orders.models import Order  # noqa\n"
    )
    result = package_graph(copy_of_src / "finalmile", "--surfaces")
    assert result.returncode == 1
    assert "finalmile/rules/service.py" in result.stdout
    assert ": finalmile.orders.models" in result.stdout


def test_an_upward_import_breaks_the_contract(copy_of_src: Path) -> None:
    service = copy_of_src / "finalmile" / "orders" / "service.py"
    service.write_text(
        service.read_text(encoding="utf-8") + "\nfrom finalmile.app import Services  # noqa\n",
        encoding="utf-8",
    )
    result = lint_imports(copy_of_src)
    assert result.returncode != 0
    assert "finalmile.orders.service -> finalmile.app" in result.stdout


def test_a_cycle_between_packages_fails_the_graph_check(copy_of_src: Path) -> None:
    geo = copy_of_src / "finalmile" / "geo" / "__init__.py"
    geo.write_text(geo.read_text(encoding="utf-8") + "\nimport finalmile.rules  # noqa\n")
    result = package_graph(copy_of_src / "finalmile")
    assert result.returncode == 1
    [cycle] = [line for line in result.stdout.splitlines() if line.startswith("cycle: ")]
    assert {"geo", "rules"} <= set(cycle.removeprefix("cycle: ").split(" <-> "))


def test_the_product_imports_no_test_rig(copy_of_src: Path) -> None:
    db = copy_of_src / "finalmile" / "db.py"
    db.write_text(db.read_text(encoding="utf-8") + "\nimport finalmile_sandbox  # noqa\n")
    result = lint_imports(copy_of_src)
    assert result.returncode != 0
    assert "finalmile.db -> finalmile_sandbox" in result.stdout

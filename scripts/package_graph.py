"""Print finalmile's package dependency graph and fail on any cycle between top-level packages.

Reads every module under ``src/finalmile`` with :mod:`ast` (nothing is imported), maps each
``import finalmile.x...`` to its top-level package ``x`` (a module directly under ``finalmile/``,
such as ``db.py``, counts as its own package), and prints one line per package with the packages
it imports. Imports under ``if TYPE_CHECKING:`` count: a cycle in types is still a cycle in design.

Exit status: 0 when the graph has no cycle, 1 when it has one (each cycle's packages are listed).

``--surfaces`` checks public surfaces instead: another package's names are imported from that
package (``from finalmile.orders import Order``; for the groups ``adapters``, ``connectors`` and
``evidence``, from the sub-package), never from its modules. It lists every import that is not,
except those in ``SURFACE_EXCEPTIONS``, and exits 1 when there is one.

Usage: ``python scripts/package_graph.py [--src src/finalmile] [--surfaces]``
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = "finalmile"
#: Packages whose sub-packages are the public surfaces (independent parts of one job).
GROUPS = frozenset({"adapters", "connectors", "evidence"})
#: Importer module -> modules it may import from another package's insides, and why.
SURFACE_EXCEPTIONS: dict[str, tuple[str, ...]] = {
    # The API mounts each domain's routers; a package's surface stays free of FastAPI routes.
    "finalmile.api.router": ("*",),
    # The metadata registers every table module.
    "finalmile.schema": ("*",),
    # Deferred imports of heavy libraries (rule 6, light start-up): fpdf2 and the FHIR models.
    "finalmile.cli.archive": ("finalmile.evidence.archive.pdf",),
    "finalmile.cli.routes": ("finalmile.courier.manifest_pdf",),
    "finalmile.intake.prepare_fhir": ("finalmile.mapping.fhir",),
    # The FHIR models' entry, loaded with mapping's FHIR modules only.
    "finalmile.mapping.fhir": ("finalmile.adapters.fhir.parse",),
    "finalmile.mapping.fhir_refs": ("finalmile.adapters.fhir.parse",),
}


def package_of(module: str) -> str | None:
    """The top-level package of a dotted ``finalmile.`` module name, or None outside finalmile."""
    parts = module.split(".")
    if parts[0] != ROOT or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path, src: Path) -> str:
    rel = path.relative_to(src.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, src: Path) -> set[str]:
    """Every finalmile module the file at ``path`` imports (absolute or relative)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    this = module_name(path, src)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = this.split(".")
                drop = node.level - (1 if is_package else 0)
                anchor = anchor[: len(anchor) - drop] if drop else anchor
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def package_graph(src: Path) -> dict[str, set[str]]:
    """Top-level package -> the other top-level packages its modules import."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted(src.rglob("*.py")):
        owner = package_of(module_name(path, src))
        if owner is None:
            continue
        graph[owner]
        for imported in imports_of(path, src):
            target = package_of(imported)
            if (target and target != owner and (src / target).exists()) or (
                target and (src / f"{target}.py").exists() and target != owner
            ):
                graph[owner].add(target)  # type: ignore[arg-type]
    return dict(graph)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one package (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def surface_of(module: str, src: Path) -> str:
    """The public surface a ``finalmile.`` module belongs to: its package, or its group member."""
    parts = module.split(".")
    if parts[1] in GROUPS and len(parts) > 2 and (src / parts[1] / parts[2]).is_dir():
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def surface_breaches(src: Path) -> list[str]:
    """Imports of another package's modules (``file: module``), less ``SURFACE_EXCEPTIONS``."""
    breaches = []
    for path in sorted(src.rglob("*.py")):
        importer = module_name(path, src)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            target = node.module
            if package_of(target) in (None, package_of(importer)):
                continue
            if not ((src / target.split(".")[1]).is_dir()):
                continue
            allowed = SURFACE_EXCEPTIONS.get(importer, ())
            if target == surface_of(target, src) or "*" in allowed or target in allowed:
                continue
            breaches.append(f"{path.relative_to(src.parent)}:{node.lineno}: {target}")
    return breaches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=Path(__file__).parents[1] / "src" / ROOT)
    parser.add_argument("--surfaces", action="store_true", help="check public surfaces instead")
    args = parser.parse_args()
    if args.surfaces:
        breaches = surface_breaches(args.src)
        print("\n".join(breaches))
        print(f"{len(breaches)} imports into another package's modules")
        return 1 if breaches else 0
    graph = package_graph(args.src)
    for package in sorted(graph):
        print(f"{package:<16} -> {', '.join(sorted(graph[package])) or '(nothing)'}")
    found = cycles(graph)
    print(f"\n{len(graph)} packages, {sum(map(len, graph.values()))} edges, {len(found)} cycles")
    for group in found:
        print(f"cycle: {' <-> '.join(group)}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Built-in components plus those installed as entry points, by name (carriers, logger layouts).

A broken plug-in is reported in ``failures`` and logged, never fatal; two components claiming one
name stop startup with a ``ConfigError`` listing every clash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import EntryPoint, entry_points
from typing import TypeVar

import structlog

from finalmile.errors import ConfigError

log = structlog.get_logger(__name__)

T = TypeVar("T")


def load_plugins(
    *,
    group: str,
    builtins: Iterable[T],
    name_of: Callable[[T], str],
    load: Callable[[EntryPoint], T],
    kind: str,
) -> tuple[dict[str, T], dict[str, str]]:
    """``(components by name, failed entry points with why)``.

    Args:
        group: the entry-point group to read.
        load: loads and checks one entry point; raises when it is not a ``kind``.
        kind: what a component is called in messages (``carrier slug``, ``temperature layout``).

    Raises:
        ConfigError: two components claim the same name.
    """
    found: dict[str, T] = {}
    sources: dict[str, str] = {}
    failures: dict[str, str] = {}
    problems: list[str] = []

    def add(component: T, source: str) -> None:
        name = name_of(component)
        if name in found:
            problems.append(
                f"{kind} {name!r} from {source} already exists: already registered from "
                f"{sources[name]}"
            )
        else:
            found[name], sources[name] = component, source

    for component in builtins:
        add(component, "finalmile")
    for point in entry_points(group=group):
        try:
            loaded = load(point)
        except Exception as exc:  # a broken plug-in is reported, not fatal
            failures[point.name] = f"{type(exc).__name__}: {exc}"
            log.warning(
                "plugin_failed", group=group, entry_point=point.name, error=type(exc).__name__
            )
            continue
        add(loaded, f"entry point {point.value}")
    if problems:
        raise ConfigError(problems)
    return found, failures

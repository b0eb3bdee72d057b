"""Which export layouts exist: the built-in ones plus installed plug-ins.

Plug-ins register under the entry-point group ``finalmile.temperature_layouts``; the entry-point
name is the layout name and it points at an adapter class (or instance). A duplicate name is an
error; an entry point that fails to load is logged and listed in ``failures``, never fatal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint

import structlog

from finalmile.errors import InputError
from finalmile.evidence.codes import EvidenceCode
from finalmile.evidence.temperature.layouts.base import LayoutAdapter
from finalmile.evidence.temperature.layouts.generic import GenericLayout
from finalmile.evidence.temperature.layouts.usb_logger import UsbLoggerLayout
from finalmile.plugins import load_plugins

log = structlog.get_logger(__name__)

ENTRY_POINT_GROUP = "finalmile.temperature_layouts"
DEFAULT_LAYOUT = "generic"
#: The layouts that ship with finalmile.
BUILTIN: tuple[LayoutAdapter, ...] = (GenericLayout(), UsbLoggerLayout())


@dataclass
class LayoutRegistry:
    """Adapters by layout name, plus the entry points that failed to load."""

    layouts: dict[str, LayoutAdapter]
    failures: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> LayoutAdapter:
        """The adapter for ``name``.

        Raises:
            InputError: no such layout (the known ones are listed).
        """
        adapter = self.layouts.get(name)
        if adapter is None:
            known = ", ".join(sorted(self.layouts))
            raise InputError(
                f"unknown temperature log layout {name!r} (known: {known})",
                location="layout",
                code=EvidenceCode.UNKNOWN_LAYOUT,
            )
        return adapter


def load_layouts(extra: Iterable[LayoutAdapter] = ()) -> LayoutRegistry:
    """Built-in layouts, ``extra``, and every installed ``finalmile.temperature_layouts`` plug-in.

    Raises:
        ConfigError: two adapters claim the same name.
    """
    layouts, failures = load_plugins(
        group=ENTRY_POINT_GROUP,
        builtins=(*BUILTIN, *extra),
        name_of=lambda adapter: adapter.name,
        load=_load_layout,
        kind="temperature layout",
    )
    return LayoutRegistry(layouts=layouts, failures=failures)


def _load_layout(point: EntryPoint) -> LayoutAdapter:
    loaded = point.load()
    adapter = loaded() if isinstance(loaded, type) else loaded
    if getattr(adapter, "name", None) != point.name or not callable(getattr(adapter, "read", None)):
        raise TypeError(f"{point.value} is not a layout adapter named {point.name!r}")
    return adapter  # type: ignore[no-any-return]

"""What a process hands its HTTP views: every long-lived object, keyed by its type.

The composition root builds one :class:`Provided` and puts it on ``app.state.provided``; views
ask for an object by type through ``finalmile.deps.provided``. This module imports no web
framework, so the root (and the command line) can build it without loading one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


class Provided:
    """The objects a process hands its views, one per type (the session factory among them)."""

    def __init__(self, sessions: sessionmaker[Session], *objects: object) -> None:
        self.sessions = sessions
        self._by_type: dict[type[Any], object] = {type(found): found for found in objects}

    def get(self, kind: type[T]) -> T:
        """The object of type ``kind`` (or a subclass of it).

        Raises:
            LookupError: the composition root provides no such object (a wiring bug).
        """
        for found in self._by_type.values():
            if isinstance(found, kind):
                return found
        raise LookupError(f"nothing of type {kind.__name__} is provided to the views")

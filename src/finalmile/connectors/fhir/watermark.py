"""A FHIR poll's high-water mark: how far ``_lastUpdated`` may advance after each page.

The search is sorted by ``_lastUpdated``, so after a page everything older than the page's last
timestamp has been seen; more resources with exactly that timestamp may follow on the next page.
Hence a page that is not the last one advances the mark only to the greatest timestamp below its
last one, and the last page advances it to the greatest seen. Two signs that the pages did not
cover the span exactly keep the mark where the poll started, so the next poll reads it again:

- the same resource twice in one poll: it was updated while the poll paged and moved to the end
  of the results, which shifts a server's offset-based pages by one (and can hide a resource);
- timestamps going backwards: the server did not sort, so no page boundary is safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True, frozen=True)
class Stamp:
    """A ``meta.lastUpdated``: compared as an instant, kept as the server wrote it."""

    instant: dt.datetime
    text: str = field(compare=False)

    @classmethod
    def parse(cls, text: object) -> Stamp | None:
        """The stamp of a FHIR ``instant``; None when absent, malformed or without a zone."""
        if not isinstance(text, str) or not text:
            return None
        try:
            instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return cls(instant, text) if instant.tzinfo is not None else None


class Watermark:
    """Follows the pages of one poll that started at ``start`` (None: from the beginning)."""

    def __init__(self, start: str | None) -> None:
        self.start = Stamp.parse(start)
        self._settled = self._highest = self.start
        self._previous: Stamp | None = None
        self._ids: set[str] = set()
        self._repeated = self._unordered = False

    @property
    def reliable(self) -> bool:
        """False once the pages showed a resource twice or out of order."""
        return not (self._repeated or self._unordered)

    def after_page(self, resources: Sequence[Mapping[str, Any]], *, last: bool) -> str | None:
        """The mark to save with this page (None: from the beginning).

        Resources without a valid ``meta.lastUpdated`` do not move it.
        """
        stamps = []
        for resource in resources:
            rid = str(resource.get("id"))
            self._repeated |= rid in self._ids
            self._ids.add(rid)
            stamp = Stamp.parse((resource.get("meta") or {}).get("lastUpdated"))
            if stamp is None:
                continue
            self._unordered |= self._previous is not None and stamp < self._previous
            self._previous = stamp
            self._highest = _max(self._highest, stamp)
            stamps.append(stamp)
        if stamps and not last:
            below = [s for s in stamps if s < max(stamps)]
            if below:
                self._settled = _max(self._settled, max(below))
        if last:
            mark = self._highest if not self._repeated else self.start
        else:
            mark = self._settled if self.reliable else self.start
        return mark.text if mark else None


def _max(current: Stamp | None, new: Stamp) -> Stamp:
    return new if current is None or new > current else current

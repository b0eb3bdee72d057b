"""JSON nesting measured before parsing: deep nesting is refused, never a ``RecursionError``.

Python's ``json`` module and every model walking the result recurse once per level, so a small
body nested 100,000 deep would exhaust the stack. ``DepthGauge`` counts brackets outside strings
as the bytes arrive (the HTTP layer feeds it chunk by chunk); ``check_depth`` does the same for a
whole body before ``json.loads``.
"""

from __future__ import annotations

import re

from finalmile.errors import ErrorCode, InputError

#: Deeper JSON is refused. A FHIR Bundle of dispenses or a carrier tracker nests about 10 deep.
MAX_JSON_DEPTH = 64

_TOKENS = re.compile(rb'["\\\[\]{}]')


class DepthGauge:
    """The deepest bracket nesting seen so far in a JSON text fed in pieces."""

    def __init__(self) -> None:
        self.depth = 0
        self.deepest = 0
        self._in_string = False
        self._skip_next = False  # a backslash ended the last piece: its next byte is escaped

    def feed(self, chunk: bytes) -> int:
        """Account for ``chunk`` and answer the deepest nesting so far."""
        skip_at = 0 if self._skip_next else -1
        self._skip_next = False
        for match in _TOKENS.finditer(chunk):
            start = match.start()
            if start == skip_at:
                continue
            token = chunk[start]
            if self._in_string:
                if token == 0x5C:  # backslash: the next byte is escaped
                    skip_at = start + 1
                    self._skip_next = skip_at == len(chunk)
                elif token == 0x22:
                    self._in_string = False
            elif token == 0x22:
                self._in_string = True
            elif token in (0x5B, 0x7B):
                self.depth += 1
                self.deepest = max(self.deepest, self.depth)
            elif token in (0x5D, 0x7D):
                self.depth -= 1
        return self.deepest


def too_deep(location: str = "body") -> InputError:
    """The error for JSON nested deeper than ``MAX_JSON_DEPTH``."""
    return InputError(
        f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
        location=location,
        code=ErrorCode.TOO_DEEP,
    )


def check_depth(raw: bytes, location: str = "body") -> None:
    """Raise ``InputError`` (``too_deep``) when ``raw`` nests deeper than ``MAX_JSON_DEPTH``."""
    if DepthGauge().feed(raw) > MAX_JSON_DEPTH:
        raise too_deep(location)

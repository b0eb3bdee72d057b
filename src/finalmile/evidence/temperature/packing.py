"""Readings stored compactly: times as millisecond deltas and °C as doubles, zlib-compressed.

Layout (little-endian): version byte 1, reading count (uint32), the first time in milliseconds
since the Unix epoch (int64), ``count - 1`` deltas in milliseconds (int64), ``count`` °C (float64).
Evenly spaced loggers give repeated deltas, which compress to almost nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import struct
import zlib
from collections.abc import Sequence

from finalmile.evidence.temperature.readings import Reading

VERSION = 1
_HEAD = struct.Struct("<BI")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def pack(readings: Sequence[Reading]) -> bytes:
    """The stored form of ``readings`` (timezone-aware; kept in UTC, to the millisecond)."""
    millis = [(r.at - _EPOCH) // dt.timedelta(milliseconds=1) for r in readings]
    deltas = [millis[0], *(b - a for a, b in itertools.pairwise(millis))]
    body = _HEAD.pack(VERSION, len(readings))
    body += struct.pack(f"<{len(deltas)}q", *deltas)
    body += struct.pack(f"<{len(readings)}d", *(r.celsius for r in readings))
    return zlib.compress(body, level=9)


def unpack(blob: bytes) -> tuple[Reading, ...]:
    """The readings ``pack`` stored, in UTC.

    Raises:
        ValueError: the blob is not a version this code reads.
    """
    body = zlib.decompress(blob)
    version, count = _HEAD.unpack_from(body)
    if version != VERSION:
        raise ValueError(f"unknown packed readings version {version}")
    deltas = struct.unpack_from(f"<{count}q", body, _HEAD.size)
    temps = struct.unpack_from(f"<{count}d", body, _HEAD.size + 8 * count)
    readings: list[Reading] = []
    millis = 0
    for delta, celsius in zip(deltas, temps, strict=True):
        millis += delta
        readings.append(Reading(_EPOCH + dt.timedelta(milliseconds=millis), celsius))
    return tuple(readings)

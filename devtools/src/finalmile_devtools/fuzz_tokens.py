"""What the FHIR and CSV mutators share: hostile text values and a byte-level mutation."""

from __future__ import annotations

import random

#: Text a sloppy interface engine or an attacker puts in a field.
HOSTILE_TEXT = (
    "\x00", "\x7f", "\r", "\n", "\t", "\u2028", "\ufeff", "\ud800", "é", "日本", "🙂", '"', "'",
    ",", ";", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "INJ|PID\rZZZ", "../../etc/passwd",
    "%s%n", "{{7*7}}", "<script>", "9" * 400, "0" * 40, "-0", "1e999", "nan", "inf", "2.²",
    "٣", "Ⅻ", "00002-8215-01", "0002821501", "99999999999999", "Y", "N", "R", "F", "Z",
)  # fmt: skip


def byte_mutate(data: bytes, rng: random.Random) -> bytes:
    """``data`` with 1 to 3 bytes flipped, inserted or deleted, or cut short."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(out))
        match rng.randrange(4):
            case 0 if out:
                out[min(at, len(out) - 1)] = rng.randrange(256)
            case 1:
                out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
            case 2:
                del out[at : at + rng.randint(1, 16)]
            case _:
                del out[at:]
    return bytes(out)

"""Split a file of HL7 v2 messages into single messages (HL7 v2.5 §2.10.3 batch protocol).

Accepts one message, several messages back to back, an FHS/BHS batch envelope, or MLLP-framed
content saved to disk; segment ends may be ``\\r``, ``\\n`` or ``\\r\\n``. Each message's bytes are
kept as they were, so the stored raw message is what the sender wrote.
"""

from __future__ import annotations

import re

_MESSAGE_START = re.compile(rb"(?:^|(?<=[\r\n]))MSH")
_ENVELOPE_SEGMENT = re.compile(rb"(?:^|(?<=[\r\n]))(?:FHS|BHS|BTS|FTS)[^\r\n]*(?:\r\n|\r|\n)?")
_MLLP_BLOCKS = re.compile(rb"[\x0b\x1c]")


def split_messages(data: bytes) -> list[bytes]:
    """The messages in ``data``, in order; batch envelope segments and MLLP blocks are dropped."""
    data = _ENVELOPE_SEGMENT.sub(b"", _MLLP_BLOCKS.sub(b"", data))
    starts = [match.start() for match in _MESSAGE_START.finditer(data)]
    messages = []
    for start, end in zip(starts, [*starts[1:], len(data)], strict=True):
        message = data[start:end].rstrip(b"\r\n \t\x00")
        if message:
            messages.append(message)
    return messages

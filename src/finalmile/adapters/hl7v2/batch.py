"""Split a file of HL7 v2 messages into single messages (HL7 v2.5 §2.10.3 batch protocol).

Accepts one message, several messages back to back, an FHS/BHS batch envelope, or MLLP-framed
content saved to disk; segment ends may be ``\\r``, ``\\n`` or ``\\r\\n``, and a UTF-8 byte-order
mark may stand before any message (editors and some exports write one). Each message's bytes are
kept as they were, so the stored raw message is what the sender wrote.
"""

from __future__ import annotations

import re

from finalmile.adapters.codes import AdapterCode
from finalmile.errors import InputError

_MESSAGE_START = re.compile(rb"(?:^|(?<=[\r\n]))(?:\xef\xbb\xbf)?MSH")
_ENVELOPE_SEGMENT = re.compile(rb"(?:^|(?<=[\r\n]))(?:FHS|BHS|BTS|FTS)[^\r\n]*(?:\r\n|\r|\n)?")
_MLLP_BLOCKS = re.compile(rb"[\x0b\x1c]")
_BLANK = b"\r\n \t\x00\xef\xbb\xbf"


def split_messages(data: bytes) -> list[bytes]:
    """The messages in ``data``, in order; batch envelope segments and MLLP blocks are dropped.

    Raises:
        InputError: ``missing_msh`` at ``MSH`` when ``data`` holds no message, or holds something
            other than blank space before its first MSH (the file is not HL7 v2, or is cut).
    """
    data = _ENVELOPE_SEGMENT.sub(b"", _MLLP_BLOCKS.sub(b"", data))
    starts = [match.start() for match in _MESSAGE_START.finditer(data)]
    if not starts:
        raise InputError(
            "no HL7 v2 message found: each message starts with an MSH segment at the start of "
            "a line",
            location="MSH",
            code=AdapterCode.MISSING_MSH,
        )
    if data[: starts[0]].strip(_BLANK):
        raise InputError(
            "the content before the first MSH segment is not HL7 v2: each message starts with "
            "an MSH segment at the start of a line",
            location="MSH",
            code=AdapterCode.MISSING_MSH,
        )
    messages = []
    for start, end in zip(starts, [*starts[1:], len(data)], strict=True):
        message = data[start:end].rstrip(b"\r\n \t\x00")
        if message:
            messages.append(message)
    return messages

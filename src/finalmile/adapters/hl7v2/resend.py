"""What makes two deliveries of one HL7 v2 message the same message.

Interface engines resend a message under its control id (MSH-10) but rewrite parts of its
envelope: the MLLP framing (removed before this sees the bytes), the segment terminators (CR, LF,
CR LF, a trailing blank line) and MSH-7, the date/time of the message. Everything else must be
byte for byte the same for a delivery to count as a resend; a different message under a reused
control id is a new message.
"""

from __future__ import annotations

import hashlib

_MSH_7 = 6  # index in the MSH split on its separator: [MSH, MSH-2, MSH-3, ..., MSH-7, ...]


def resend_key(raw: bytes) -> str:
    """sha256 (hex) of ``raw`` without segment terminator differences and without MSH-7.

    Works on bytes, so any message has a key, decodable or not.
    """
    digest = hashlib.sha256()
    header_seen = False
    for segment in raw.replace(b"\r\n", b"\r").replace(b"\n", b"\r").split(b"\r"):
        if not segment:
            continue
        kept = segment
        if not header_seen and segment.startswith(b"MSH") and len(segment) > 3:
            header_seen = True
            fields = segment.split(segment[3:4])
            if len(fields) > _MSH_7:
                fields[_MSH_7] = b""
            kept = segment[3:4].join(fields)
        digest.update(kept)
        digest.update(b"\r")
    return digest.hexdigest()

"""Structure checks against the HL7 v2 message definitions, by hl7apy (diagnostics only).

hl7apy is thorough but slow (tens of messages a second, see docs/adr/0001-hl7-v2-parser.md), so it
is kept off the ingest path, and it loads with the first check: a process that only parses HL7
(the service, most commands) never imports it (docs/architecture.md, rule 6).
"""

from __future__ import annotations

import warnings


def check_structure(text: str) -> list[str]:
    """Validate ``text`` against the structure of its MSH-9 and MSH-12; problems as readable lines.

    An empty list means hl7apy found nothing wrong. A version or message type hl7apy does not know
    is reported as a problem rather than raised. Before v2.3.1 MSH-9 names no structure and hl7apy
    guesses ``<code>_<event>``; where that does not exist, the structure is the code (``ACK``).
    """
    from hl7apy.exceptions import HL7apyException  # noqa: PLC0415 - deferred, see above

    er7 = text.replace("\r\n", "\r").replace("\n", "\r").strip("\r")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _check(er7)
    except HL7apyException as exc:
        return _lines(exc)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        return [f"hl7apy could not read the message: {type(exc).__name__}: {exc}"]
    return []


def _check(er7: str) -> None:
    from hl7apy.consts import VALIDATION_LEVEL  # noqa: PLC0415 - deferred, see the module
    from hl7apy.core import Message  # noqa: PLC0415
    from hl7apy.exceptions import InvalidName  # noqa: PLC0415
    from hl7apy.parser import get_message_info, parse_segments  # noqa: PLC0415

    encoding_chars, structure, version = get_message_info(er7)
    strict = VALIDATION_LEVEL.STRICT
    try:
        message = Message(structure, version=version, validation_level=strict)
    except InvalidName:
        message = Message(structure.split("_")[0], version=version, validation_level=strict)
    message.children = parse_segments(
        er7, message.version, encoding_chars, strict, message.reference, find_groups=True
    )
    message.validate()


def _lines(exc: Exception) -> list[str]:
    details = getattr(exc, "message", None) or str(exc)
    return [line.strip() for line in str(details).splitlines() if line.strip()] or [repr(exc)]

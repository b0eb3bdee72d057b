"""HL7 v2 over MLLP (HL7 Version 2 Minimal Lower Layer Protocol, release 1)."""

from finalmile.connectors.mllp.startup import start_listeners

__all__ = [
    "start_listeners",
]

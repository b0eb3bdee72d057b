"""HL7 v2 (ER7) adapter: character sets, parsing, acknowledgements and structure checks."""

from finalmile.adapters.hl7v2.ack import AckCode, Outcome, acknowledgements, build_ack, encode_ack
from finalmile.adapters.hl7v2.batch import split_messages
from finalmile.adapters.hl7v2.charset import codec_for, decode
from finalmile.adapters.hl7v2.escaping import Delimiters, escape
from finalmile.adapters.hl7v2.header import MessageHeader, read_header
from finalmile.adapters.hl7v2.limits import DEFAULT_LIMITS, Hl7Limits
from finalmile.adapters.hl7v2.parse import Message, Path, Segment, SegmentGroup, parse, parse_path
from finalmile.adapters.hl7v2.resend import resend_key
from finalmile.adapters.hl7v2.structure import check_structure

__all__ = [
    "DEFAULT_LIMITS",
    "AckCode",
    "Delimiters",
    "Hl7Limits",
    "Message",
    "MessageHeader",
    "Outcome",
    "Path",
    "Segment",
    "SegmentGroup",
    "acknowledgements",
    "build_ack",
    "check_structure",
    "codec_for",
    "decode",
    "encode_ack",
    "escape",
    "parse",
    "parse_path",
    "read_header",
    "resend_key",
    "split_messages",
]

"""The MSH fields needed to route and acknowledge a message (HL7 v2.5 §2.15.9)."""

from __future__ import annotations

from dataclasses import dataclass

from finalmile.adapters.hl7v2.charset import decode
from finalmile.adapters.hl7v2.escaping import Delimiters
from finalmile.errors import InputError


@dataclass(frozen=True, slots=True)
class MessageHeader:
    """MSH values as written in ER7 (escapes kept), ``""`` where not valued.

    The HD fields (MSH-3 to MSH-6) keep their components so an ACK can echo them exactly.
    """

    field_separator: str = "|"
    encoding_characters: str = "^~\\&"
    sending_application: str = ""
    sending_facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    message_code: str = ""
    trigger_event: str = ""
    message_structure: str = ""
    control_id: str = ""
    processing_id: str = ""
    version: str = ""
    accept_ack_type: str = ""
    application_ack_type: str = ""
    charset: str = ""

    @property
    def delimiters(self) -> Delimiters:
        """The message's delimiters (the HL7 defaults if MSH-2 is unusable)."""
        try:
            return Delimiters.from_msh(self.field_separator, self.encoding_characters)
        except InputError:
            return Delimiters()


def header_from_fields(fields: list[str], delimiters: Delimiters) -> MessageHeader:
    """Build the header from MSH fields numbered as HL7 does (``fields[1]`` is MSH-1)."""

    f = [value.strip() for value in fields[:19]] + [""] * (19 - len(fields))
    component, repetition = delimiters.component, delimiters.repetition
    message_type = [*f[9].split(component), "", ""]
    return MessageHeader(
        field_separator=delimiters.field,
        encoding_characters=delimiters.encoding_characters,
        sending_application=f[3],
        sending_facility=f[4],
        receiving_application=f[5],
        receiving_facility=f[6],
        message_code=message_type[0],
        trigger_event=message_type[1],
        message_structure=message_type[2],
        control_id=f[10],
        processing_id=f[11],
        version=f[12].split(repetition, 1)[0].split(component, 1)[0],
        accept_ack_type=f[15],
        application_ack_type=f[16],
        charset=f[18].split(repetition, 1)[0],
    )


def read_header(raw: bytes) -> MessageHeader | None:
    """Read the MSH of raw bytes as far as possible, so that even a bad message can be answered.

    Bytes that the declared character set cannot decode are read as Latin-1; unusable encoding
    characters fall back to the HL7 defaults. Returns ``None`` only when there is no MSH at all.
    """
    try:
        text = decode(raw)
    except InputError:
        text = raw.decode("latin-1")
    start = text.find("MSH")
    if start == -1 or len(text) < start + 4:
        return None
    line = text[start:].replace("\n", "\r").split("\r", 1)[0]
    if len(line) < 4:  # "MSH" and nothing after it on its line
        return None
    sep = line[3]
    fields = line.split(sep)
    try:
        delimiters = Delimiters.from_msh(sep, fields[1])
    except InputError:
        delimiters = Delimiters()
        if sep not in delimiters.encoding_characters and sep.isprintable() and not sep.isalnum():
            delimiters = Delimiters(field=sep)
    fields.insert(1, sep)
    return header_from_fields(fields, delimiters)

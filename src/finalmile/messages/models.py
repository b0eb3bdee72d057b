"""Inbound message tables."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, UtcDateTime, ValueEnum


class MessageFormat(StrEnum):
    """Wire formats a connector can deliver."""

    HL7V2 = "hl7v2"
    FHIR_R4 = "fhir-r4"
    CSV = "csv"


class MessageStatus(StrEnum):
    """What became of an inbound message."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


class MessageFlag(StrEnum):
    """Something about a stored message the interface team should look at."""

    #: Processed as a new message although its dedupe id (HL7 MSH-10, FHIR id + version) was
    #: already stored with other content: the sender reuses ids (counter reset, roll-over).
    REUSED_ID = "reused_id"


class InboundMessage(SQLModel, table=True):
    """One raw inbound message exactly as received (encrypted), and its outcome.

    ``dedupe_key`` names a delivery: HL7 MSH-10; FHIR ``MedicationDispense/<id>/_history/
    <version>`` (or a sha256 of a Bundle); CSV ``<file sha256>:<line>``. ``content_key`` digests
    its content without what senders rewrite on a resend (``None`` on rows stored before it
    existed: those compare by ``sha256``). A resend (same dedupe key and content) is stored too,
    with ``status=duplicate``, no key, and ``duplicate_of`` pointing back; the same dedupe key with
    other content is a new message, stored with ``flag=reused_id``. For CSV, one message is the
    rows of one order (``raw`` is the header line and those rows, as received).
    """

    __tablename__ = "inbound_message"
    __table_args__ = (
        UniqueConstraint(
            "dedupe_key", "connector", "format", "content_key", name="uq_inbound_message_dedupe"
        ),
        Index("ix_inbound_message_flag", "flag"),
        Index("ix_inbound_message_received_at", "received_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    connector: str = Field(max_length=64)
    format: MessageFormat = Field(sa_column=Column(ValueEnum(MessageFormat), nullable=False))
    control_id: str | None = Field(default=None, max_length=200)
    dedupe_key: str | None = Field(default=None, max_length=200)
    content_key: str | None = Field(default=None, max_length=64)
    message_type: str | None = Field(default=None, max_length=32)
    version: str | None = Field(default=None, max_length=16)
    received_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    processed_at: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    size_bytes: int
    sha256: str = Field(max_length=64)
    raw_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: MessageStatus = Field(sa_column=Column(ValueEnum(MessageStatus), nullable=False))
    flag: MessageFlag | None = Field(default=None, sa_column=Column(ValueEnum(MessageFlag)))
    error_code: str | None = Field(default=None, max_length=64)
    error_location: str | None = Field(default=None, max_length=64)
    error_message: str | None = Field(default=None, max_length=1000)
    duplicate_of: int | None = Field(
        default=None, sa_column=Column(BigId, ForeignKey("inbound_message.id"))
    )


class MessageOrderLink(SQLModel, table=True):
    """Which orders a message created, changed or cancelled."""

    __tablename__ = "message_order"

    message_id: int = Field(
        sa_column=Column(BigId, ForeignKey("inbound_message.id"), primary_key=True)
    )
    order_pk: int = Field(
        sa_column=Column(BigId, ForeignKey("dispatch_order.id"), primary_key=True)
    )
    action: str = Field(max_length=16)

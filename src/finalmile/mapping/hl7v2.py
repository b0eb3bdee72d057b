"""The default HL7 v2 profile: RDE^O11, RDS^O13, ORM^O01, OMP^O09 (v2.3-v2.8) to DispatchOrder.

Field choices are design.md's "Default HL7 v2 profile". Decisions it leaves open:

- Each ORC group is one order; groups sharing an order ID are merged (items in message order;
  ship-to and delivery details from the first group). The patient comes from the message's PID.
- ORC-1 (HL7 Table 0119): CA, DC (cancel or discontinue requests), OC, OD (cancelled or discontinued
  unsolicited) and CR, DR (done as requested) cancel the order. NW, XO, XX, XR, RP, RU, RO, RQ, RE,
  SC, OK, PA, CH, RL, OE, OR, FU, OF and an empty ORC-1 create or change it. Other codes (holds,
  refusals, number requests...) are rejected: they cannot be turned into a delivery.
- RDS messages: one item per RXD, what was actually dispensed (the RXE says what was ordered, and
  a pharmacy can dispense a substitute or a partial quantity).
- Delivery details: the profile's path is read in the ORC group's segment, else in the message's
  first segment of that name. ZDL-1 without an offset is local to the profile's time zone; a date
  alone means 23:59:59 that day. A birth date sent as a year or year-month only is unknown (None).
- Errors name the segment and field and never quote patient data.
"""

from __future__ import annotations

import codecs
from functools import cached_property
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from finalmile.adapters.hl7v2 import (
    DEFAULT_LIMITS,
    Hl7Limits,
    Message,
    MessageHeader,
    SegmentGroup,
    codec_for,
    decode,
    parse,
    parse_path,
)
from finalmile.canonical import DispatchOrder, Patient, StorageClass
from finalmile.errors import ErrorCode, InputError
from finalmile.mapping.codes import MappingCode
from finalmile.mapping.fields import FieldName
from finalmile.mapping.hl7_fields import Hl7Fields, compile_fields, lookup, required, text
from finalmile.mapping.hl7_types import deadline
from finalmile.mapping.hl7v2_order import build, items, patient, ship_to
from finalmile.mapping.identifiers import check_identifier
from finalmile.mapping.intent import OrderAction, OrderIntent
from finalmile.mapping.zones import TimeZoneName

_TYPES = {"RDE": ("O11", "O01"), "RDS": ("O13", "O01"), "ORM": ("O01",), "OMP": ("O09",)}
_VERSIONS = ("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2")
_CANCEL = frozenset({"CA", "DC", "OC", "OD", "CR", "DR"})
_NEW = frozenset({"", "NW", "OK", "RE", "SC", "PA", "CH", "RL", "OE", "OR", "FU", "OF"})
_CHANGED = frozenset({"XO", "XX", "XR", "RP", "RU", "RO", "RQ"})
_UPSERT = _NEW | _CHANGED
_YES_NO = {"Y": True, "N": False}


def _is_path(value: str) -> str:
    return str(parse_path(value))


Hl7PathText = Annotated[str, AfterValidator(_is_path)]
# The profile keys that predate ``fields`` and the canonical field each one re-points.
_DELIVERY_KEYS = {
    "needed_by": "needed_by",
    "storage": "item.storage",
    "signature": "requires_signature",
    "instructions": "instructions",
}


class Hl7Profile(BaseModel):
    """Per-connector settings of the HL7 v2 mapping; paths are ``SEG-field[.component]``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: TimeZoneName = Field(
        "America/New_York", description="IANA zone for DTM values without offset"
    )
    fallback_charset: str = Field("utf-8", description="character set when MSH-18 is empty")
    needed_by: Hl7PathText = Field("ZDL-1", description="needed-by date/time (DTM)")
    storage: Hl7PathText = Field("ZDL-2", description="storage code, looked up in storage_codes")
    signature: Hl7PathText = Field("ZDL-3", description="signature required, Y or N")
    instructions: Hl7PathText = Field("ZDL-4", description="delivery instructions (text)")
    fields: dict[FieldName, Hl7PathText] = Field(
        default_factory=dict, description="canonical field -> HL7 path it is read from"
    )
    storage_codes: dict[str, StorageClass] = Field(
        default_factory=lambda: {
            "A": StorageClass.AMBIENT,
            "C": StorageClass.CONTROLLED_ROOM,
            "R": StorageClass.REFRIGERATED,
            "F": StorageClass.FROZEN,
        },
        description="storage code -> storage class",
    )

    @cached_property
    def sources(self) -> Hl7Fields:
        """Where every field is read, compiled once."""
        delivery = {field: getattr(self, key) for key, field in _DELIVERY_KEYS.items()}
        return compile_fields(self.fields, delivery)

    @model_validator(mode="after")
    def _one_path_per_field(self) -> Hl7Profile:
        for key, field in _DELIVERY_KEYS.items():
            if key in self.model_fields_set and field in self.fields:
                raise ValueError(f"give {key} or fields.{field}, not both")
        return self

    @field_validator("fallback_charset")
    @classmethod
    def _is_charset(cls, value: str) -> str:
        try:
            codecs.lookup(codec_for(value) or value)
        except LookupError:
            raise ValueError(f"unknown character set {value!r}") from None
        return value


def decode_and_map(
    raw: bytes, *, connector: str, profile: Hl7Profile, limits: Hl7Limits = DEFAULT_LIMITS
) -> tuple[MessageHeader, list[OrderIntent]]:
    """Decode (MSH-18), parse within ``limits``, check the header and map one message.

    Raises:
        InputError: with the HL7 location and a stable code, for any problem in the message.
    """
    text = decode(raw, fallback_charset=profile.fallback_charset)
    message = parse(text, fallback_charset=profile.fallback_charset, limits=limits)
    return message.header, map_message(message, connector=connector, profile=profile)


def map_message(message: Message, *, connector: str, profile: Hl7Profile) -> list[OrderIntent]:
    """The order intents of a parsed message, in the order their first ORC group appears.

    Raises:
        InputError: with the HL7 location and a stable code, for any problem in the message.
    """
    header = message.header
    check_header(header)
    groups = message.order_groups
    if not groups:
        raise InputError(
            f"{header.message_code} messages need at least one ORC order group",
            location="ORC",
            code=ErrorCode.REQUIRED,
        )
    plan: dict[str, tuple[OrderAction, list[tuple[int, SegmentGroup]]]] = {}
    for number, group in enumerate(groups, start=1):
        action = _action(group, number)
        order_id = _order_id(message, group, number, profile)
        planned, members = plan.setdefault(order_id, (action, []))
        if planned is not action:
            raise InputError(
                f"order group {number} both cancels and creates the same order; send the "
                "cancellation and the new order in separate messages",
                location="ORC-1",
                code=MappingCode.CONFLICTING_ORDER_CONTROL,
            )
        members.append((number, group))
    intents: list[OrderIntent] = []
    who: Patient | None = None
    for order_id, (action, members) in plan.items():
        if action is OrderAction.CANCEL:
            intents.append(OrderIntent(action, order_id, location="ORC-2"))
            continue
        if who is None or profile.sources.patient:  # re-pointed fields read per order group
            who = patient(message, members[0][1], profile.sources.patient)
        order = _order(
            message, members, who, order_id=order_id, connector=connector, profile=profile
        )
        intents.append(OrderIntent(action, order_id, order, location="ORC-2"))
    return intents


def check_header(header: MessageHeader) -> None:
    """MSH-9 is a supported order message, MSH-10 is valued and MSH-12 is v2.3 to v2.8.x."""
    code, event = header.message_code.upper(), header.trigger_event.upper()
    supported = "RDE^O11, RDS^O13, ORM^O01 or OMP^O09 (v2.3: RDE^O01, RDS^O01)"
    if code not in _TYPES:
        raise InputError(
            f"MSH-9 message type {code!r} is not supported; send {supported}",
            location="MSH-9",
            code=MappingCode.UNSUPPORTED_MESSAGE_TYPE,
        )
    if event not in _TYPES[code]:
        raise InputError(
            f"MSH-9 trigger event {event!r} is not supported for {code}; send {supported}",
            location="MSH-9",
            code=MappingCode.UNSUPPORTED_EVENT,
        )
    if not header.control_id:
        raise InputError(
            "MSH-10 (message control ID) is required", location="MSH-10", code=ErrorCode.REQUIRED
        )
    check_identifier(header.control_id, location="MSH-10", what="message control id")
    if header.version not in _VERSIONS:
        raise InputError(
            f"MSH-12 version {header.version!r} is not supported; "
            f"send one of {', '.join(_VERSIONS)}",
            location="MSH-12",
            code=MappingCode.UNSUPPORTED_VERSION,
        )


def _action(group: SegmentGroup, number: int) -> OrderAction:
    control = (group.get("ORC-1.1") or "").strip().upper()
    if control in _CANCEL:
        return OrderAction.CANCEL
    if control in _UPSERT:
        return OrderAction.UPSERT
    raise InputError(
        f"ORC-1 order control {control!r} in order group {number} is not supported; send NW (new), "
        "XO/RP (change or replace) or CA/DC (cancel), see HL7 Table 0119",
        location="ORC-1",
        code=MappingCode.UNSUPPORTED_ORDER_CONTROL,
    )


def _order_id(message: Message, group: SegmentGroup, number: int, profile: Hl7Profile) -> str:
    where = profile.sources.order_id
    if where is not None:
        value = text(lookup(message, group, where))
        if value is None:
            raise required(where, "order id")
        return check_identifier(value, location=where.label, what="order id")
    for path in ("ORC-2.1", "ORC-3.1", "RXE-15.1", "RXD-7.1"):
        value = (group.get(path) or "").strip()
        if value:
            return check_identifier(value, location=path, what="order id")
    raise InputError(
        f"order group {number} has no order number: send ORC-2 (placer), ORC-3 (filler), "
        "RXE-15 or RXD-7 (prescription number)",
        location="ORC-2",
        code=ErrorCode.REQUIRED,
    )


def _order(
    message: Message,
    members: list[tuple[int, SegmentGroup]],
    who: Patient,
    *,
    order_id: str,
    connector: str,
    profile: Hl7Profile,
) -> DispatchOrder:
    number, first = members[0]
    code = message.header.message_code
    sources = profile.sources
    codes = profile.storage_codes
    goods = [
        item
        for n, group in members
        for item in items(message, group, n, code, fields=sources, storage_codes=codes)
    ]
    needed_by = lookup(message, first, sources.needed_by)
    signature = lookup(message, first, sources.signature)
    if signature is not None and signature.strip().upper() not in _YES_NO:
        label = sources.signature.label
        raise InputError(
            f"{label} (signature required) must be Y or N", location=label, code=ErrorCode.INVALID
        )
    instructions = lookup(message, first, sources.instructions)
    return build(
        DispatchOrder,
        "ORC-2",
        order_id=order_id,
        connector=connector,
        patient=who,
        ship_to=ship_to(message, first, number, who, sources.ship_to),
        items=tuple(goods),
        needed_by=(
            deadline(needed_by, sources.needed_by.label, profile.timezone) if needed_by else None
        ),
        requires_signature=_YES_NO[signature.strip().upper()] if signature else False,
        instructions=instructions.strip() or None if instructions else None,
    )

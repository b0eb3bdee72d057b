"""The default FHIR R4 profile: Bundles and MedicationDispenses to DispatchOrder intents.

Field choices are design.md's "Default FHIR R4 profile". Decisions it leaves open:

- One intent per MedicationDispense; two dispenses with the same order_id are rejected.
- MedicationDispense.status (R4 value set ``medicationdispense-status``): cancelled,
  entered-in-error, stopped and declined cancel the order; the other codes create or replace it.
- Error locations are FHIR paths from the payload's root: ``MedicationDispense.quantity.value`` for
  a lone dispense, ``Bundle.entry[2].resource.quantity.value`` inside a Bundle; a resource fetched
  through the resolver is located as ``<reference path>.resolve()``.
- The controlled substance schedule is the ``controlled-schedule`` extension (valueCode, read by
  ``mapping.schedule``) on the MedicationDispense, like storage and signature: R4 has no element
  for it, and the dispense is the one item.
- The dedupe key is ``MedicationDispense/<id>/_history/<meta.versionId>``; without a version, the
  id and the sha256 of the resource JSON; without an id, ``sha256:<hex>`` of the resource JSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass, replace

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationdispense import MedicationDispense
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.task import Task
from pydantic import ValidationError

from finalmile.adapters.fhir import FhirErrorCode
from finalmile.adapters.fhir.parse import fhir_path, parse
from finalmile.canonical import ControlledSchedule, DispatchOrder, Item, StorageClass
from finalmile.errors import InputError
from finalmile.mapping import fhir_order
from finalmile.mapping.fhir_fields import Found, Roots, read, schedule
from finalmile.mapping.fhir_paths import FhirPath
from finalmile.mapping.fhir_profile import FhirProfile, Resolver
from finalmile.mapping.fhir_refs import Located, Resources
from finalmile.mapping.identifiers import check_identifier
from finalmile.mapping.intent import OrderAction, OrderIntent
from finalmile.mapping.product import checked_ndc

STATUSES = frozenset(
    {"preparation", "in-progress", "cancelled", "on-hold", "completed"}
    | {"entered-in-error", "stopped", "declined", "unknown"}
)
_CANCEL = frozenset({"cancelled", "entered-in-error", "stopped", "declined"})


@dataclass(frozen=True, slots=True)
class FhirMapping:
    """The intents of one payload, each dispense's dedupe key at the same index, and the payload's
    kind (``MedicationDispense`` or ``Bundle/<type>``)."""

    intents: list[OrderIntent]
    dedupe_keys: list[str]
    kind: str


def map_fhir(
    payload: bytes,
    *,
    connector: str,
    profile: FhirProfile,
    resolve: Resolver | None = None,
) -> FhirMapping:
    """Parse a FHIR R4 payload and map each MedicationDispense to an order intent.

    Args:
        resolve: fetches a reference that is neither contained nor in the Bundle
            (``"Patient/123"``) and returns its JSON, or None when it does not exist.

    Raises:
        InputError: with the FHIR path and a stable code, for any problem in the payload.
    """
    root = parse(payload)
    kind = f"Bundle/{root.type}" if isinstance(root, Bundle) else "MedicationDispense"
    if isinstance(root, Bundle):
        entries = [
            Located(e.resource, f"Bundle.entry[{i}].resource", e.fullUrl)
            for i, e in enumerate(root.entry or [])
            if e.resource is not None
        ]
    else:
        entries = [Located(root, "MedicationDispense")]
    resources = Resources(entries, resolve)
    dispenses = resources.of_kind("MedicationDispense")
    if not dispenses:
        raise InputError(
            "the Bundle has no MedicationDispense entry",
            location="Bundle.entry",
            code=FhirErrorCode.REQUIRED,
        )
    intents: list[OrderIntent] = []
    seen: set[str] = set()
    for dispense in dispenses:
        intent = _intent(dispense, resources, connector=connector, profile=profile)
        if intent.order_id in seen:
            raise InputError(
                "two MedicationDispenses carry the same order id; send one per order",
                location=f"{dispense.path}.identifier",
                code=FhirErrorCode.DUPLICATE_ORDER,
            )
        seen.add(intent.order_id)
        intents.append(intent)
    return FhirMapping(intents, [dedupe_key(d) for d in dispenses], kind)


def dedupe_key(dispense: Located) -> str:
    """``MedicationDispense/<id>/_history/<meta.versionId>``, else a sha256 of the resource."""
    resource = dispense.resource
    meta = getattr(resource, "meta", None)
    if dispense.relative and meta is not None and meta.versionId:
        return f"{dispense.relative}/_history/{meta.versionId}"
    digest = "sha256:" + hashlib.sha256(resource.model_dump_json().encode()).hexdigest()
    return f"{dispense.relative}#{digest}" if dispense.relative else digest


def _intent(
    located: Located, resources: Resources, *, connector: str, profile: FhirProfile
) -> OrderIntent:
    md = located.resource
    assert isinstance(md, MedicationDispense)
    path = located.path
    roots = _roots(located, md, resources)
    order_id = _order_id(md, path, roots, profile)
    if md.status not in STATUSES:
        raise InputError(
            f"status must be an R4 MedicationDispense status: {', '.join(sorted(STATUSES))}",
            location=f"{path}.status",
            code=FhirErrorCode.REQUIRED if md.status is None else FhirErrorCode.INVALID_STATUS,
        )
    if md.status in _CANCEL:
        return OrderIntent(OrderAction.CANCEL, order_id, location=f"{path}.identifier")
    order = _order(
        located, md, roots, resources, order_id=order_id, connector=connector, profile=profile
    )
    return OrderIntent(OrderAction.UPSERT, order_id, order, location=f"{path}.identifier")


def _roots(located: Located, md: MedicationDispense, resources: Resources) -> Roots:
    """Where the dispense's subject, destination, medication and Task are, resolved on demand."""
    path = located.path

    def target(ref: Reference | None, element: str, kind: str) -> Located | None:
        if ref is None:
            return None
        return resources.target(ref, path=f"{path}.{element}", owner=located, kind=kind)

    def subject() -> Located:
        return resources.target(md.subject, path=f"{path}.subject", owner=located, kind="Patient")

    return Roots(
        {
            "MedicationDispense": lambda: located,
            "Patient": subject,
            "Location": lambda: target(md.destination, "destination", "Location"),
            "Medication": lambda: target(
                md.medicationReference, "medicationReference", "Medication"
            ),
            "Task": lambda: next(iter(_tasks(located, resources)), None),
        }
    )


def _order_id(md: MedicationDispense, path: str, roots: Roots, profile: FhirProfile) -> str:
    repointed = profile.paths.get("order_id")
    if repointed is None:
        order_id = (md.identifier[0].value if md.identifier else None) or md.id
        where = f"{path}.identifier"
        message = "the MedicationDispense needs identifier[0].value or an id (the order id)"
    else:
        found = _read({"order_id": repointed}, roots, profile)["order_id"]
        order_id, where, message = found.value, found.location, "the order id is required"
    if not order_id:
        raise InputError(message, location=where, code=FhirErrorCode.REQUIRED)
    return check_identifier(str(order_id), location=where, what="order id")


def _read(paths: dict[str, FhirPath], roots: Roots, profile: FhirProfile) -> dict[str, Found]:
    return read(paths, roots, timezone=profile.timezone, storage_codes=profile.storage_codes)


def _part(found: dict[str, Found], prefix: str) -> dict[str, Found]:
    return {name[len(prefix) :]: f for name, f in found.items() if name.startswith(prefix)}


def _order(
    located: Located,
    md: MedicationDispense,
    roots: Roots,
    resources: Resources,
    *,
    order_id: str,
    connector: str,
    profile: FhirProfile,
) -> DispatchOrder:
    path = located.path
    over = _read({k: p for k, p in profile.paths.items() if k != "order_id"}, roots, profile)
    values = {name: found.value for name, found in over.items()}
    try:
        subject = roots.located("Patient")
        assert subject is not None and isinstance(subject.resource, FhirPatient)
        who = fhir_order.patient(subject.resource, subject.path, _part(over, "patient."))
        name = " ".join(p for p in (who.given, who.family) if p) or None
        destination = roots.located("Location")
        if destination is not None:
            assert isinstance(destination.resource, Location)
            home, where = destination.resource.address, f"{destination.path}.address"
        else:
            home, index = fhir_order.home_address(subject.resource)
            where = f"{subject.path}.address[{index}]"
        ship_to = fhir_order.address(home, where, name=name, fields=_part(over, "ship_to."))
        extensions = _extensions(md, path, profile, skip=over.keys())
        item = _item(located, md, roots, resources, over, extensions=extensions)
        return DispatchOrder(
            order_id=order_id,
            connector=connector,
            patient=who,
            ship_to=ship_to,
            items=(item,),
            needed_by=(
                values["needed_by"]
                if "needed_by" in values
                else _needed_by(located, resources, profile)
            ),
            requires_signature=values.get("requires_signature", extensions.signature),
            # Only a delivery element the profile names: a dispense's note is clinical.
            instructions=values.get("instructions"),
        )
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        raise InputError(
            f"the order field {fhir_path('order', error['loc'])} is invalid: {error['msg']}",
            location=path,
            code=FhirErrorCode.INVALID_VALUE,
        ) from None


def _item(
    located: Located,
    md: MedicationDispense,
    roots: Roots,
    resources: Resources,
    over: dict[str, Found],
    *,
    extensions: _Extensions,
) -> Item:
    """The dispensed item: quantity, medication code, storage and schedule, or their re-pointed
    values."""
    values = {name: found.value for name, found in over.items()}
    if "item.quantity" in over:
        quantity = values["item.quantity"]
        unit = (md.quantity.unit or md.quantity.code) if md.quantity is not None else None
        if quantity is None:
            raise InputError(
                "the dispensed quantity is required",
                location=over["item.quantity"].location,
                code=FhirErrorCode.REQUIRED,
            )
    else:
        quantity, unit = fhir_order.quantity(md.quantity, f"{located.path}.quantity")
    concept, where = _medication_code(located, md, roots, resources)
    named = fhir_order.product(concept)
    ndc = values.get("item.ndc", named.ndc)
    description = values.get("item.description", named.description)
    if not (ndc or named.code or description):
        raise InputError(
            "the medication must be identified: a coding (NDC or another system) or a text",
            location=where,
            code=FhirErrorCode.REQUIRED,
        )
    ndc_where = over["item.ndc"].location if "item.ndc" in over else where
    return Item(
        ndc=checked_ndc(
            ndc, ndc_where, code=FhirErrorCode.INVALID_NDC, context="the medication code"
        ),
        description=description,
        code=named.code,
        system=named.system,
        quantity=quantity,
        unit=values.get("item.unit", unit),
        storage=values.get("item.storage", extensions.storage),
        controlled_schedule=values.get("item.controlled_schedule", extensions.schedule),
    )


def _medication_code(
    located: Located, md: MedicationDispense, roots: Roots, resources: Resources
) -> tuple[CodeableConcept | None, str]:
    """The medication's code and its path."""
    if md.medicationCodeableConcept is not None:
        return md.medicationCodeableConcept, f"{located.path}.medicationCodeableConcept"
    medication = roots.located("Medication") or resources.target(
        None, path=f"{located.path}.medicationReference", owner=located, kind="Medication"
    )
    assert isinstance(medication.resource, Medication)
    return medication.resource.code, f"{medication.path}.code"


@dataclass(frozen=True, slots=True)
class _Extensions:
    """What the dispense's finalmile extensions say (defaults where one is absent; no storage
    extension leaves storage unknown)."""

    storage: StorageClass | None = None
    signature: bool = False
    schedule: ControlledSchedule | None = None


def _extensions(
    md: MedicationDispense, path: str, profile: FhirProfile, *, skip: Collection[str]
) -> _Extensions:
    """The storage, signature and schedule extensions, unless ``skip`` names their re-pointed
    fields."""
    found = _Extensions()
    storage_url = None if "item.storage" in skip else profile.storage_extension
    signature_url = None if "requires_signature" in skip else profile.signature_extension
    schedule_url = None if "item.controlled_schedule" in skip else profile.schedule_extension
    for i, ext in enumerate(md.extension or []):
        where = f"{path}.extension[{i}]"
        if ext.url == storage_url:
            if ext.valueCode not in profile.storage_codes:
                raise InputError(
                    f"unknown storage code; allowed: {', '.join(profile.storage_codes)}",
                    location=f"{where}.valueCode",
                    code=FhirErrorCode.UNKNOWN_STORAGE_CODE,
                )
            found = replace(found, storage=profile.storage_codes[ext.valueCode])
        elif ext.url == signature_url:
            if ext.valueBoolean is None:
                raise InputError(
                    "the signature extension needs valueBoolean",
                    location=f"{where}.valueBoolean",
                    code=FhirErrorCode.REQUIRED,
                )
            found = replace(found, signature=ext.valueBoolean)
        elif ext.url == schedule_url:
            if not ext.valueCode:
                raise InputError(
                    "the controlled-schedule extension needs valueCode (a DEA schedule)",
                    location=f"{where}.valueCode",
                    code=FhirErrorCode.REQUIRED,
                )
            found = replace(found, schedule=schedule(ext.valueCode, f"{where}.valueCode"))
    return found


def _tasks(located: Located, resources: Resources) -> list[Located]:
    """The Bundle's Tasks focused on the dispense, in entry order."""
    names = {n for n in (located.full_url, located.relative) if n}
    found = []
    for task in resources.of_kind("Task"):
        resource = task.resource
        assert isinstance(resource, Task)
        if resource.focus is not None and resource.focus.reference in names:
            found.append(task)
    return found


def _needed_by(located: Located, resources: Resources, profile: FhirProfile) -> dt.datetime | None:
    for task in _tasks(located, resources):
        resource = task.resource
        assert isinstance(resource, Task)
        period = resource.restriction.period if resource.restriction else None
        if period is not None and period.end is not None:
            where = f"{task.path}.restriction.period.end"
            return fhir_order.deadline(period.end, where, profile.timezone)
    return None

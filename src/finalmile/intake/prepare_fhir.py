"""FHIR R4 payloads to ``PreparedMessage``: pure apart from the optional reference resolver."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING

from finalmile.errors import InputError
from finalmile.intake.prepare import PreparedMessage, check_lengths, internal_error
from finalmile.mapping import FhirProfile, OrderIntent
from finalmile.messages import MessageFormat

if TYPE_CHECKING:
    from finalmile.mapping import Resolver

MAX_DEDUPE_ID = 200


def prepare_fhir(
    raw: bytes,
    *,
    connector: str,
    profile: FhirProfile,
    received_at: dt.datetime,
    resolve: Resolver | None = None,
    replay_of: int | None = None,
) -> PreparedMessage:
    """Parse and map one ``application/fhir+json`` payload; content problems land in ``error``.

    The dedupe id of a payload carrying one MedicationDispense is that dispense's
    ``MedicationDispense/<id>/_history/<versionId>`` (so a polled resource version is ingested
    once); any other payload is identified by the sha256 of its bytes.
    """
    # Deferred: the FHIR models it loads cost start-up time that only FHIR intake needs.
    from finalmile.mapping.fhir import map_fhir  # noqa: PLC0415

    sha256 = hashlib.sha256(raw).hexdigest()
    dedupe_id = f"sha256:{sha256}"
    kind: str | None = None
    intents: tuple[OrderIntent, ...] = ()
    error: InputError | None = None
    try:
        mapping = map_fhir(raw, connector=connector, profile=profile, resolve=resolve)
        kind, intents = mapping.kind, tuple(mapping.intents)
        if len(mapping.dedupe_keys) == 1 and len(mapping.dedupe_keys[0]) <= MAX_DEDUPE_ID:
            dedupe_id = mapping.dedupe_keys[0]
        error = check_lengths(intents)
    except InputError as exc:
        error = exc
    except Exception as exc:  # a bug of ours must not lose the message: keep it, rejected
        error = internal_error(exc, connector=connector, format_=MessageFormat.FHIR_R4)
    return PreparedMessage(
        connector=connector,
        format=MessageFormat.FHIR_R4,
        raw=raw,
        received_at=received_at,
        sha256=sha256,
        control_id=dedupe_id,
        dedupe_id=dedupe_id,
        message_type=kind[:32] if kind else None,
        version="R4",
        header=None,
        intents=intents if error is None else (),
        error=error,
        replay_of=replay_of,
        content_key=resend_key(raw),
    )


def resend_key(raw: bytes) -> str | None:
    """sha256 of the payload's JSON without layout and without the top ``meta.lastUpdated``
    (which a server rewrites when it serves a version again); ``None`` when it is not JSON."""
    try:
        data = json.loads(raw)
        if isinstance(data, dict) and isinstance(data.get("meta"), dict):
            data["meta"].pop("lastUpdated", None)
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        return None
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_fhir_mapping() -> None:
    """Import the FHIR mapping and its models now, rather than in the first ``prepare_fhir``."""
    import finalmile.mapping.fhir  # noqa: F401, PLC0415

"""A seeded FHIR R4 mutator and the in-process run that feeds it to finalmile's FHIR intake.

``mutants(seed, count)`` yields the same payloads for the same arguments: synthetic
MedicationDispenses (lone, with a contained Patient and Medication), transaction, batch and
collection Bundles, and MedicationRequests (which finalmile refuses as unsupported), each mutated
a few times: an element replaced by a hostile value (wrong type, empty, huge number, control
characters, deep nesting), removed, added, repeated, or a subtree spliced from another seed; one
in five is also mutated as bytes after serialising. ``run_in_process`` prepares, plans and
answers each one (the OperationOutcome of a rejection) without a database, as ``POST /fhir/r4``
does, and counts what became of it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from collections import Counter
from typing import Any

from finalmile.adapters.fhir import FhirErrorCode, operation_outcome
from finalmile.intake import Outcome, OutcomeKind, prepare_fhir
from finalmile.intake.codes import IntakeCode
from finalmile.intake.plan import outcome_of, plan_message
from finalmile.mapping import FhirProfile
from finalmile_devtools.fuzz_tokens import HOSTILE_TEXT, byte_mutate

NOW = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
_EXT = "https://finalmile.dev/fhir/StructureDefinition/"
# Whole-body refusals: nothing inside the payload to point at.
_UNLOCATED = frozenset({FhirErrorCode.INVALID_ENCODING, FhirErrorCode.INVALID_JSON})

Json = Any

_HOSTILE: tuple[Json, ...] = (
    None, "", " ", 0, -1, 1.5, 10**400, -(10**30), 1e308, True, False, [], {}, [None], [{}],
    {"reference": "#nowhere"}, {"reference": "Patient/"}, {"reference": ""}, "urn:uuid:",
    "9999-99-99", "2026-02-30", "2026-11-20T25:00:00Z", "1e400", "NaN", "-0", "x" * 5000,
    {"value": 1e308, "unit": "mL"}, {"coding": [{}]}, {"coding": [{"system": None}]},
    [[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]], {"resourceType": "Patient"},
    {"resourceType": "MedicationDispense"}, {"url": _EXT + "storage-class"},
    {"url": _EXT + "signature-required", "valueCode": "Y"},
    {"url": _EXT + "controlled-schedule", "valueBoolean": True},
    *HOSTILE_TEXT,
)  # fmt: skip


_SAME_TYPE: dict[type, tuple[Json, ...]] = {
    str: HOSTILE_TEXT,
    int: (0, -1, 10**18, 10**400, 2**63),
    float: (0.0, -0.0, 1e-300, 1e308, 1.7976931348623157e308),
    bool: (True, False),
    list: ([], [None], [{}], [""]),
    dict: ({}, {"extension": []}, {"id": "x"}),
}


def _patient(n: int) -> dict[str, Json]:
    return {
        "resourceType": "Patient",
        "id": f"pat{n}",
        "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": f"MRN-F{n:04d}"}],
        "name": [{"family": "Testpatient", "given": ["Fuzz", "Example"]}],
        "telecom": [{"system": "phone", "value": f"617-555-01{n % 100:02d}"}],
        "birthDate": "1970-01-01",
        "address": [
            {
                "use": "home",
                "line": [f"{n} Test Street", "Unit 2"],
                "city": "Cambridge",
                "state": "MA",
                "postalCode": "02139",
                "country": "US",
            }
        ],
    }


def _dispense(n: int, *, subject: str, medication: str | None) -> dict[str, Json]:
    md: dict[str, Json] = {
        "resourceType": "MedicationDispense",
        "id": f"md-{n}",
        "meta": {"versionId": "1"},
        "identifier": [{"value": f"FZ-{n}"}],
        "extension": [
            {"url": _EXT + "storage-class", "valueCode": "refrigerated"},
            {"url": _EXT + "signature-required", "valueBoolean": True},
        ],
        "status": "preparation",
        "subject": {"reference": subject},
        "quantity": {"value": n % 7 + 1, "unit": "mL"},
        "note": [{"text": "clinical note"}],
    }
    if medication is None:
        md["medicationCodeableConcept"] = {
            "coding": [{"system": "http://hl7.org/fhir/sid/ndc", "code": "00002-8215-01"}],
            "text": "Test biologic 10 mL",
        }
    else:
        md["medicationReference"] = {"reference": medication}
    return md


def seeds() -> list[dict[str, Json]]:
    """The starting points: lone dispenses, each Bundle type, and a MedicationRequest."""
    lone = _dispense(1, subject="#p", medication="#m")
    lone["contained"] = [
        {**_patient(1), "id": "p"},
        {
            "resourceType": "Medication",
            "id": "m",
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/ndc", "code": "0002821501"}]},
        },
    ]
    lone_ref = _dispense(2, subject="Patient/pat2", medication=None)
    bundles = []
    for n, kind in enumerate(("transaction", "batch", "collection"), start=3):
        entries: list[dict[str, Json]] = [
            {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-00000000000{n}", "resource": _patient(n)}
        ]
        for k in range(2):
            md = _dispense(n * 10 + k, subject=entries[0]["fullUrl"], medication=None)
            entries.append({"fullUrl": f"urn:uuid:md-{n}-{k}", "resource": md})
        entries.append(
            {
                "resource": {
                    "resourceType": "Task",
                    "status": "requested",
                    "intent": "order",
                    "focus": {"reference": f"urn:uuid:md-{n}-0"},
                    "restriction": {"period": {"end": "2026-11-24T17:00:00-05:00"}},
                }
            }
        )
        if kind != "collection":
            for entry in entries:
                kind_of = entry["resource"]["resourceType"]
                entry["request"] = {"method": "POST", "url": kind_of}
        bundles.append({"resourceType": "Bundle", "type": kind, "entry": entries})
    request = {
        "resourceType": "MedicationRequest",
        "id": "mr-1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/pat1"},
        "medicationCodeableConcept": {"text": "Test biologic"},
        "dispenseRequest": {"quantity": {"value": 2, "unit": "mL"}},
    }
    request_bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": request, "request": {"method": "POST", "url": "MedicationRequest"}}],
    }
    return [lone, lone_ref, *bundles, request, request_bundle]


def _nodes(tree: Json, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``tree`` (keys and indexes)."""
    found = [path]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found.extend(_nodes(value, (*path, key)))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found.extend(_nodes(value, (*path, index)))
    return found


def _at(tree: Json, path: tuple[Any, ...]) -> Json:
    for step in path:
        tree = tree[step]
    return tree


def mutate(tree: dict[str, Json], rng: random.Random, pool: list[dict[str, Json]]) -> Json:
    """A copy of ``tree`` changed in 1 to 3 random ways."""
    data: Json = copy.deepcopy(tree)
    for _ in range(rng.choice((1, 1, 2, 3))):
        paths = _nodes(data)[1:]
        if not paths:
            return rng.choice(_HOSTILE)
        path = rng.choice(paths)
        parent, last = _at(data, path[:-1]), path[-1]
        match rng.randrange(8):
            case 0 | 1:
                parent[last] = copy.deepcopy(rng.choice(_HOSTILE))
            case 6 | 7:  # a value of the same JSON type: passes the model more often
                same = _SAME_TYPE.get(type(parent[last]), _HOSTILE)
                parent[last] = copy.deepcopy(rng.choice(same))
            case 2:
                del parent[last]
            case 3 if isinstance(parent, dict):
                parent[rng.choice(("extra", "id", "status", "resourceType", "_status"))] = (
                    copy.deepcopy(rng.choice(_HOSTILE))
                )
            case 3 | 4:
                value = parent[last]
                parent[last] = [copy.deepcopy(value) for _ in range(rng.randint(2, 5))]
            case _:
                other = rng.choice(pool)
                donor = rng.choice(_nodes(other))
                parent[last] = copy.deepcopy(_at(other, donor))
    return data


def mutants(seed: int, count: int) -> list[bytes]:
    """``count`` payloads, the same for the same ``seed``; one in ten is a seed unchanged."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test input, not cryptography
    pool = seeds()
    out = []
    for _ in range(count):
        base = rng.choice(pool)
        tree = base if rng.random() < 0.1 else mutate(base, rng, pool)
        raw = json.dumps(tree).encode()
        out.append(byte_mutate(raw, rng) if rng.random() < 0.2 else raw)
    return out


def check(outcome: Outcome) -> str | None:
    """Why ``outcome`` is not a stored outcome with an answer, or None when it is."""
    if outcome.kind is OutcomeKind.ACCEPTED:
        return None if outcome.order_ids else "accepted without orders"
    error = outcome.error
    if outcome.kind is not OutcomeKind.REJECTED or error is None:
        return f"unexpected outcome {outcome.kind.value}"
    if error.code == IntakeCode.INTERNAL_ERROR:
        return "internal_error"
    if not error.location and error.code not in _UNLOCATED:
        return f"unlocated {error.code}"
    json.dumps(operation_outcome([error]), ensure_ascii=False, allow_nan=False).encode()
    return None


def run_in_process(seed: int, count: int) -> tuple[Counter[str], list[tuple[int, str]]]:
    """Prepare, plan and answer ``count`` mutants; the counts of outcomes and error codes, and
    the (case number, problem) of each case that raised or ended without a located answer."""
    profile, counts, failures = FhirProfile(), Counter[str](), []
    for number, raw in enumerate(mutants(seed, count)):
        try:
            prepared = prepare_fhir(raw, connector="fuzz", profile=profile, received_at=NOW)
            outcome = outcome_of(plan_message(prepared, originals={}, orders={}))
            problem = check(outcome)
        except Exception as exc:  # counted, not raised: the run reports every failure
            failures.append((number, type(exc).__name__))
            continue
        if problem is not None:
            failures.append((number, problem))
        counts[f"outcome {outcome.kind.value}"] += 1
        if outcome.error is not None:
            counts[f"error {outcome.error.code}"] += 1
    return counts, failures

"""FHIR R4 reference resolution (R4 §2.3.0 "Resolving references in Bundles") for the mapping.

A reference reaches, in order: a contained resource (``#id``), a Bundle entry by ``fullUrl``
(``urn:uuid:`` included), a Bundle entry by ``Type/id``, then the connector's resolver. The models
do not check reference target types: ``target`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource

from finalmile.adapters.fhir import FhirErrorCode
from finalmile.adapters.fhir.parse import validate
from finalmile.errors import InputError
from finalmile.mapping.fhir_profile import Resolver


@dataclass(frozen=True, slots=True)
class Located:
    """A resource with its FHIR path (``Bundle.entry[1].resource``) and Bundle ``fullUrl``."""

    resource: Resource
    path: str
    full_url: str | None = None

    @property
    def kind(self) -> str:
        """The resourceType."""
        return str(self.resource.get_resource_type())

    @property
    def relative(self) -> str | None:
        """``Type/id``, when the resource has an id."""
        rid = getattr(self.resource, "id", None)
        return f"{self.kind}/{rid}" if rid else None


class Resources:
    """What references in one payload can reach: Bundle entries, contained resources, a resolver."""

    def __init__(self, entries: list[Located], resolve: Resolver | None) -> None:
        self.entries = entries
        self._resolve = resolve

    def of_kind(self, kind: str) -> list[Located]:
        """The Bundle entries of one resourceType, in entry order."""
        return [entry for entry in self.entries if entry.kind == kind]

    def target(self, ref: Reference | None, *, path: str, owner: Located, kind: str) -> Located:
        """The ``kind`` resource that ``ref`` (at FHIR ``path``, in ``owner``) points to.

        Raises:
            InputError: ``required`` when absent, ``unresolved_reference`` when nothing matches,
                ``invalid_reference`` when it points to another resource type.
        """
        if ref is None:
            raise InputError(f"{path} is required", location=path, code=FhirErrorCode.REQUIRED)
        found = self._find(ref.reference, path=path, owner=owner)
        if found.kind != kind:
            raise InputError(
                f"{path} must reference a {kind}, not a {found.kind}",
                location=path,
                code=FhirErrorCode.INVALID_REFERENCE,
            )
        return found

    def _find(self, text: str | None, *, path: str, owner: Located) -> Located:
        if text and text.startswith("#"):
            for i, contained in enumerate(getattr(owner.resource, "contained", None) or []):
                if contained.id == text[1:]:
                    return Located(contained, f"{owner.path}.contained[{i}]")
        elif text:
            for entry in self.entries:
                if text in (entry.full_url, entry.relative):
                    return entry
            data = self._resolve(text) if self._resolve else None
            if data is not None:
                return Located(validate(data, path=f"{path}.resolve()"), f"{path}.resolve()")
        raise InputError(
            f"{path}.reference is neither contained, in the Bundle, nor resolvable",
            location=f"{path}.reference",
            code=FhirErrorCode.UNRESOLVED_REFERENCE,
        )

"""Checks a webhook body finalmile sent against the OpenAPI document's ``webhooks`` section."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
from cryptography.fernet import Fernet

from finalmile.config import Settings
from finalmile.main import create_app


@cache
def openapi() -> dict[str, Any]:
    """``/openapi.json`` as the service builds it."""
    document: dict[str, Any] = create_app(
        Settings(secret_key=Fernet.generate_key().decode())
    ).openapi()
    return document


def assert_declared(body: bytes | str) -> str:
    """Validate a sent body against the schema its ``type``'s webhook declares; returns the type.

    Raises:
        KeyError: no ``webhooks`` entry for the type.
        jsonschema.ValidationError: the body does not fit the declared schema.
    """
    event = json.loads(body)
    document = openapi()
    operation = document["webhooks"][event["type"]]["post"]
    declared = operation["requestBody"]["content"]["application/json"]["schema"]
    # The declared schema is a $ref into the document's components: validate in their context.
    schema = {**declared, "components": document["components"]}
    jsonschema.Draft202012Validator(schema).validate(event)
    return str(event["type"])

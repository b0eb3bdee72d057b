"""``finalmile webhooks``: check a PMS receiver before going live, and a captured request after."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Annotated

import typer

from finalmile.cli.context import connectors, load_settings
from finalmile.cli.exits import fail
from finalmile.connectors.writeback import ping, verify, webhook_target
from finalmile.db_types import utcnow
from finalmile.errors import ConfigError, FinalmileError

app = typer.Typer(
    help="Signed webhooks to the PMS: send a test event, verify a captured request.",
    no_args_is_help=True,
)


@app.command("test")
def test(
    connector: Annotated[str, typer.Argument(help="The connector whose webhook to test")],
) -> None:
    """Send a signed ``ping`` event to the connector's webhook URL and print the answer.

    Exits 0 when the receiver answered 2xx, 1 otherwise.
    """
    try:
        profile = connectors(load_settings()).get(connector)
    except FinalmileError as exc:
        raise fail(str(exc), 2) from None
    if profile.writeback is None or profile.writeback.webhook is None:
        raise fail(f"connector {connector!r} has no writeback.webhook section", 2)
    settings = profile.writeback.webhook
    try:
        target = webhook_target(profile.name, settings, os.environ)
    except ConfigError as exc:
        raise fail(str(exc), 2) from None
    event = ping(profile.name, now=utcnow(), nonce=secrets.token_hex(8))
    typer.echo(f"POST {settings.url} (ping, signature: {settings.signature.value})")
    try:
        reply = target.send(event)
    except FinalmileError as exc:
        raise fail(str(exc)) from None
    finally:
        target.close()
    typer.echo(f"HTTP {reply.status}")
    if reply.body:
        typer.echo(reply.body)
    if not 200 <= reply.status < 300:
        raise typer.Exit(1)


@app.command("verify")
def verify_(
    secret: Annotated[str, typer.Option(help="whsec_... (standard) or the raw older secret")],
    headers: Annotated[
        str,
        typer.Option(
            help="The request headers: a JSON object, or a file of JSON or 'Name: value' lines"
        ),
    ],
    body: Annotated[Path, typer.Option(help="File holding the raw request body, byte for byte")],
    max_age: Annotated[
        int | None,
        typer.Option(
            help="Seconds the timestamp may be off now (default 300; omit with --any-age)"
        ),
    ] = 300,
    any_age: Annotated[
        bool, typer.Option("--any-age", help="Check only the signature (an old capture)")
    ] = False,
) -> None:
    """Check a captured request: which scheme, whether the signature matches, the timestamp's age.

    Exits 0 when valid, 1 when not, 2 when the headers or body cannot be read.
    """
    try:
        raw = body.read_bytes()
        parsed = _headers(headers)
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read the request: {exc}", 2) from None
    verdict = verify(secret, parsed, raw, now=int(time.time()))
    tolerance = None if any_age else max_age
    age = "unknown" if verdict.age_seconds is None else f"{verdict.age_seconds} s"
    typer.echo(f"scheme: {verdict.scheme.value}")
    typer.echo(f"signature: {'matches' if verdict.signature_ok else 'does not match'}")
    typer.echo(f"timestamp age: {age}")
    if verdict.problem:
        typer.echo(f"problem: {verdict.problem}")
    if verdict.ok(tolerance):
        typer.echo("valid")
        return
    if verdict.signature_ok:
        typer.echo(f"invalid: the timestamp is more than {tolerance} s from now (a replay?)")
    else:
        typer.echo("invalid")
    raise typer.Exit(1)


def _headers(value: str) -> dict[str, str]:
    """Headers from a JSON object, or a file of a JSON object or ``Name: value`` lines.

    Raises:
        OSError: the file cannot be read.
        ValueError: neither form.
    """
    text = value if value.lstrip().startswith("{") else Path(value).read_text("utf-8")
    if text.lstrip().startswith("{"):
        loaded = json.loads(text)
        if not isinstance(loaded, dict):
            raise ValueError("the headers are not a JSON object")
        return {str(name): str(header) for name, header in loaded.items()}
    found: dict[str, str] = {}
    for line in text.splitlines():
        name, colon, header = line.partition(":")
        if colon and name.strip() and " " not in name.strip():  # skips a request line
            found[name.strip()] = header.strip()
    if not found:
        raise ValueError("no 'Name: value' header lines")
    return found

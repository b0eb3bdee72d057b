"""``finalmile connectors list|check|test``: see and try connector profiles before going live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from finalmile.cli.context import checked, connectors, load_settings
from finalmile.cli.exits import fail
from finalmile.cli.ingest import InputFormat, dry_run_file
from finalmile.errors import InputError, NotFoundError
from finalmile.profiles import ConnectorProfile

app = typer.Typer(help="Connector profiles (FINALMILE_CONFIG_DIR/connectors/*.yaml).")

ConfigDir = Annotated[
    Path | None,
    typer.Option(
        "--config-dir", file_okay=False, help="Configuration directory [default: the setting]"
    ),
]
_BY_SUFFIX = {
    ".hl7": InputFormat.HL7,
    ".er7": InputFormat.HL7,
    ".json": InputFormat.FHIR,
    ".csv": InputFormat.CSV,
}
_SECTION = {InputFormat.HL7: "hl7v2", InputFormat.FHIR: "fhir", InputFormat.CSV: "csv"}


@app.command("list")
def list_connectors(config_dir: ConfigDir = None) -> None:
    """One JSON line per connector: formats, transports and time zone."""
    registry = connectors(load_settings(config_dir=config_dir))
    for name in registry.names:
        print(json.dumps(_describe(registry.get(name)), default=str))


@app.command("check")
def check(config_dir: ConfigDir = None) -> None:
    """Validate what `serve` validates (profiles, secrets, files, carriers, sites and rules); exit
    2 listing every problem when any is bad."""
    registry = checked(load_settings(config_dir=config_dir))
    print(f"{len(registry.names)} connector(s) valid: {', '.join(registry.names)}")


@app.command("test")
def test(
    name: Annotated[str, typer.Argument(help="Connector name")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A sample file")],
    format_: Annotated[
        InputFormat | None,
        typer.Option("--format", "-f", help="Format of FILE [default: from its suffix]"),
    ] = None,
    config_dir: ConfigDir = None,
) -> None:
    """Show what FILE becomes under NAME's profile: orders on stdout, rejections on stderr."""
    registry = connectors(load_settings(config_dir=config_dir))
    try:
        profile = registry.get(name)
        chosen = format_ or _guess_format(file, profile)
        registry.require(name, _SECTION[chosen])
    except (NotFoundError, InputError) as exc:
        raise fail(str(exc), code=2) from None
    raise typer.Exit(dry_run_file(file, chosen, connector=name, registry=registry))


def _guess_format(file: Path, profile: ConnectorProfile) -> InputFormat:
    guessed = _BY_SUFFIX.get(file.suffix.lower())
    if guessed is not None:
        return guessed
    if len(profile.formats) == 1:
        return next(f for f, section in _SECTION.items() if section == profile.formats[0])
    raise InputError(f"cannot tell the format of {file.name}; pass --format")


def _describe(profile: ConnectorProfile) -> dict[str, Any]:
    transports: dict[str, Any] = {}
    if profile.hl7v2 is not None:
        transports["hl7v2"] = {"http": "/hl7/v2", "mllp_port": profile.hl7v2.mllp_port}
    if profile.fhir is not None:
        server = profile.fhir.server
        transports["fhir"] = {
            "http": "/fhir/r4",
            "poll": None if server is None else str(server.base_url),
            "poll_seconds": None if server is None else server.poll_seconds,
        }
    if profile.csv is not None:
        folder = profile.csv.drop_folder
        transports["csv"] = {
            "http": "/csv",
            "drop_folder": None if folder is None else str(folder.path),
        }
    return {
        "name": profile.name,
        "description": profile.description,
        "formats": profile.formats,
        "timezone": profile.timezone,
        "transports": transports,
    }

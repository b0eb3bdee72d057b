"""``finalmile sandbox``: the EasyPost + Shippo emulation on its own, for the demo and by hand.

Registered under the ``finalmile.commands`` entry point group (``sandbox/pyproject.toml``), which
the ``finalmile`` command line reads; this module loads only what ``finalmile --help`` needs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from finalmile.cli.exits import fail
from finalmile.netlisten import listen


def sandbox(
    host: Annotated[str, typer.Option(help="Bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8787,
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file that keeps sandbox state across restarts [memory]"),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(help="Sandbox time to start at, ISO 8601 with offset [now]"),
    ] = None,
    clock_rate: Annotated[
        float, typer.Option(min=0.0, help="Clock speed: 1 real time, 0 frozen, 3600 an hour/s")
    ] = 1.0,
) -> None:
    """Serve the carrier sandbox (EasyPost under /easypost/v2, Shippo under /shippo)."""
    # Deferred: the sandbox app (FastAPI) and uvicorn are for this command only, not for every
    # other command and --help.
    import uvicorn  # noqa: PLC0415

    from finalmile_sandbox.app import create_sandbox_app  # noqa: PLC0415
    from finalmile_sandbox.clock import SandboxClock  # noqa: PLC0415
    from finalmile_sandbox.engine import Sandbox  # noqa: PLC0415
    from finalmile_sandbox.server import sandbox_urls  # noqa: PLC0415
    from finalmile_sandbox.store import SandboxStore  # noqa: PLC0415

    try:
        begin = dt.datetime.fromisoformat(start) if start else None
    except ValueError:
        raise fail(f"--start: not an ISO 8601 time: {start!r}", 2) from None
    if begin is not None and begin.tzinfo is None:
        raise fail("--start: needs a UTC offset, e.g. 2026-11-20T09:00:00-05:00", 2)
    try:
        listener = listen(host, port)
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror}", 2) from None
    base_url = f"http://{host}:{listener.getsockname()[1]}/"
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
    world = Sandbox(clock=SandboxClock(begin, rate=clock_rate), store=SandboxStore(db))
    easypost_base, shippo_base = sandbox_urls(base_url)
    typer.echo(f"EasyPost api_base: {easypost_base}")
    typer.echo(f"Shippo server_url: {shippo_base}")
    typer.echo(f"controls:          {base_url}_sandbox/docs")
    app = create_sandbox_app(world, base_url=base_url)
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        world.store.close()

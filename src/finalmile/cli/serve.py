"""``finalmile serve``: HTTP API and MLLP listener in one process."""

from __future__ import annotations

from typing import Annotated

import typer

from finalmile.cli.context import checked, load_settings
from finalmile.cli.exits import fail
from finalmile.netlisten import listen

#: How long a stopping service waits for open connections (live streams) to end.
GRACEFUL_SHUTDOWN_SECONDS = 5


def serve(
    host: Annotated[str | None, typer.Option(help="HTTP bind address [default 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port [default 8000]")] = None,
    mllp_host: Annotated[
        str | None, typer.Option(help="MLLP bind address [default 127.0.0.1]")
    ] = None,
    mllp_port: Annotated[int | None, typer.Option(help="MLLP port [default 2575]")] = None,
    no_mllp: Annotated[
        bool, typer.Option("--no-mllp", help="Do not start the MLLP listener")
    ] = False,
) -> None:
    """Serve the HTTP API and the MLLP listener (database from FINALMILE_DATABASE_URL)."""
    # Deferred: the API (FastAPI and every router) and uvicorn are for this command only, not
    # for every other command and --help.
    import uvicorn  # noqa: PLC0415

    from finalmile.main import create_app  # noqa: PLC0415

    settings = load_settings(
        http_host=host, http_port=port, mllp_host=mllp_host, mllp_port=mllp_port
    )
    if no_mllp:
        settings = settings.model_copy(update={"mllp_port": None})
    checked(settings)  # the documented listing and exit 2, before anything starts
    # Bind HTTP before startup opens MLLP: a taken port must fail before any message is accepted.
    try:
        http_socket = listen(settings.http_host, settings.http_port)
    except OSError as exc:
        raise fail(
            f"cannot listen on {settings.http_host}:{settings.http_port}: {exc.strerror}", 2
        ) from None
    config = uvicorn.Config(
        create_app(settings),
        log_config=None,
        access_log=False,
        lifespan="on",
        # Open pages hold a live stream each: on shutdown they get this long to go, not forever.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    uvicorn.Server(config).run(sockets=[http_socket])

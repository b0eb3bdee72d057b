"""Start the service's MLLP listeners: the main port and one per connector that asks for its own."""

from __future__ import annotations

from dataclasses import dataclass

from finalmile.config import Settings
from finalmile.connectors.mllp.listener import MllpListener, server_ssl_context
from finalmile.intake import IntakeService, refuse_oversize


@dataclass(frozen=True)
class RunningListener:
    """A started listener, the connector it serves and the port it is bound to."""

    connector: str
    listener: MllpListener
    port: int


async def start_listeners(*, settings: Settings, intake: IntakeService) -> list[RunningListener]:
    """``FINALMILE_MLLP_PORT`` serves the default connector (when that accepts HL7 v2 and the port
    is set); every connector with ``hl7v2.mllp_port`` gets a listener of its own. All share the
    TLS, frame size and idle settings."""
    registry = intake.connectors
    wanted: list[tuple[str, int]] = []
    if settings.mllp_port is not None and "hl7v2" in registry.get().formats:
        wanted.append((registry.default, settings.mllp_port))
    for profile in registry.with_format("hl7v2"):
        assert profile.hl7v2 is not None
        if profile.hl7v2.mllp_port is not None:
            wanted.append((profile.name, profile.hl7v2.mllp_port))
    started: list[RunningListener] = []
    try:
        for connector, port in wanted:
            started.append(await _start(settings, intake, connector, port))
    except BaseException:
        for running in started:
            await running.listener.stop()
        raise
    return started


async def _start(
    settings: Settings, intake: IntakeService, connector: str, port: int
) -> RunningListener:
    ssl_context = None
    if settings.mllp_tls_cert is not None and settings.mllp_tls_key is not None:
        ssl_context = server_ssl_context(
            settings.mllp_tls_cert, settings.mllp_tls_key, settings.mllp_tls_client_ca
        )

    async def on_message(raw: bytes) -> list[bytes]:
        reply = await intake.receive_hl7(raw, connector=connector)
        return list(reply.acks)

    listener = MllpListener(
        connector=connector,
        on_message=on_message,
        on_oversize=refuse_oversize,
        max_frame_bytes=settings.mllp_max_frame_bytes,
        idle_timeout=settings.mllp_idle_timeout_seconds,
        ssl_context=ssl_context,
    )
    bound = await listener.start(settings.mllp_host, port)
    return RunningListener(connector, listener, bound)

"""MLLP end to end: the running app's listener, a real socket, ACK codes and stored rows."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlmodel import col

from finalmile.config.settings import Settings
from finalmile.connectors.mllp.client import MllpClient
from finalmile.connectors.mllp.framing import frame
from finalmile.main import create_app
from finalmile.messages.models import InboundMessage
from finalmile.orders.models import Order
from tests.hl7_builder import msa, rde, segment


def _send(
    port: int, messages: list[bytes], *, ssl_context: ssl.SSLContext | None = None
) -> list[bytes]:
    async def run() -> list[bytes]:
        async with MllpClient("127.0.0.1", port, timeout=10, ssl_context=ssl_context) as client:
            return [await client.send(m) for m in messages]

    return asyncio.run(run())


def _count(settings: Settings, model: type, *where: object) -> int:
    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        value = connection.scalar(select(func.count()).select_from(model).where(*where))  # type: ignore[arg-type]
    engine.dispose()
    return int(value or 0)


def test_valid_message_gets_aa_only_after_the_order_is_stored(
    client: TestClient, settings: Settings
) -> None:
    [ack] = _send(client.app.state.mllp_port, [rde("M1", "RX-100")])
    fields = msa(ack)
    assert fields[1:3] == ["AA", "M1"]
    header = segment(ack, "MSH")
    assert header is not None
    assert header[2:6] == ["FINALMILE", "FM", "PMS", "PHARM"]
    assert header[8].startswith("ACK^O11")
    assert _count(settings, Order, col(Order.order_id) == "RX-100") == 1


def test_resent_message_is_acknowledged_again_and_creates_nothing(
    client: TestClient, settings: Settings
) -> None:
    acks = _send(client.app.state.mllp_port, [rde("M1", "RX-100")] * 3)
    assert [msa(a)[1] for a in acks] == ["AA", "AA", "AA"]
    assert _count(settings, Order) == 1
    assert _count(settings, InboundMessage, col(InboundMessage.status) == "duplicate") == 2


def test_invalid_content_gets_ae_naming_the_field_and_the_message_is_kept(
    client: TestClient, settings: Settings
) -> None:
    [ack] = _send(client.app.state.mllp_port, [rde("M2", "RX-200", storage="Q")])
    assert msa(ack)[1] == "AE"
    err = segment(ack, "ERR")
    assert err is not None
    assert err[2].startswith("ZDL^1^2")
    assert _count(settings, InboundMessage, col(InboundMessage.status) == "rejected") == 1
    assert _count(settings, Order) == 0


def test_garbage_gets_an_ack_too(client: TestClient) -> None:
    [ack] = _send(client.app.state.mllp_port, [b"this is not HL7"])
    assert msa(ack)[1] == "AE"


def test_concurrent_connections_are_all_acknowledged(
    client: TestClient, settings: Settings
) -> None:
    port = client.app.state.mllp_port

    async def one_connection(n: int) -> list[str]:
        async with MllpClient("127.0.0.1", port, timeout=20) as mllp:
            return [msa(await mllp.send(rde(f"K{n}-{i}", f"RX-{n}-{i}")))[1] for i in range(25)]

    async def run() -> list[list[str]]:
        return await asyncio.gather(*(one_connection(n) for n in range(8)))

    results = asyncio.run(run())
    assert all(code == "AA" for codes in results for code in codes)
    assert _count(settings, Order) == 200


def test_oversized_frame_is_refused_and_the_connection_keeps_working(
    settings: Settings,
) -> None:
    small = settings.model_copy(update={"mllp_max_frame_bytes": 2048})
    with TestClient(create_app(small)) as client:
        big = rde("BIG", "RX-BIG").replace(b"Leave with concierge", b"x" * 5000)
        acks = _send(client.app.state.mllp_port, [big, rde("M3", "RX-300")])
    assert msa(acks[0])[1:3] == ["AE", "BIG"]
    assert msa(acks[1])[1] == "AA"


@pytest.mark.parametrize(
    ("accept", "application", "expected"),
    [("AL", "NE", ["CA"]), ("AL", "AL", ["CA", "AA"]), ("NE", "AL", ["AA"]), ("ER", "AL", ["AA"])],
)
def test_enhanced_mode_sends_the_acknowledgements_asked_for(
    client: TestClient, accept: str, application: str, expected: list[str]
) -> None:
    message = rde("E1", "RX-E1", accept_ack=accept, application_ack=application)

    async def run() -> list[str]:
        async with MllpClient("127.0.0.1", client.app.state.mllp_port, timeout=5) as mllp:
            codes = [msa(await mllp.send(message))[1]]
            for _ in expected[1:]:
                reply = await mllp.receive()
                assert reply is not None
                codes.append(msa(reply)[1])
            return codes

    assert asyncio.run(run()) == expected


def test_storage_failure_gets_ar_and_the_resend_succeeds(
    client: TestClient, settings: Settings
) -> None:
    engine = create_engine(settings.resolved_database_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE inbound_message RENAME TO inbound_message_away"))
    try:
        [ack] = _send(client.app.state.mllp_port, [rde("R1", "RX-R1")])
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE inbound_message_away RENAME TO inbound_message"))
        engine.dispose()
    assert msa(ack)[1] == "AR"
    [again] = _send(client.app.state.mllp_port, [rde("R1", "RX-R1")])
    assert msa(again)[1] == "AA"
    assert _count(settings, Order) == 1


Issued = tuple[Path, Path, x509.Certificate, ec.EllipticCurvePrivateKey]


def _certificate(directory: Path, name: str, issuer: Issued | None = None) -> Issued:
    """A certificate for 127.0.0.1/localhost, self-signed (a CA) or signed by ``issuer``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[2].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .sign(issuer[3] if issuer else key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path, certificate, key


def test_tls_with_client_certificates(settings: Settings, tmp_path: Path) -> None:
    authority = _certificate(tmp_path, "ca")
    ca_cert = authority[0]
    server_cert, server_key, _, _ = _certificate(tmp_path, "server", authority)
    client_cert, client_key, _, _ = _certificate(tmp_path, "client", authority)
    tls = settings.model_copy(
        update={
            "mllp_tls_cert": server_cert,
            "mllp_tls_key": server_key,
            "mllp_tls_client_ca": ca_cert,
        }
    )
    trusted = ssl.create_default_context(cafile=str(ca_cert))
    with TestClient(create_app(tls)) as client:
        port = client.app.state.mllp_port
        with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError)):
            _send(port, [rde("T0", "RX-T0")], ssl_context=trusted)
        trusted.load_cert_chain(client_cert, client_key)
        [ack] = _send(port, [rde("T1", "RX-T1")], ssl_context=trusted)
    assert msa(ack)[1] == "AA"


def test_bytes_outside_frames_are_ignored(client: TestClient) -> None:
    async def run() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", client.app.state.mllp_port)
        writer.write(b"\r\nnoise" + frame(rde("N1", "RX-N1")))
        await writer.drain()
        data = await reader.readuntil(b"\x1c\r")
        writer.close()
        await writer.wait_closed()
        return data[1:-2]

    assert msa(asyncio.run(run()))[1] == "AA"


def test_stop_closes_idle_connections_quietly(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async def idle_until_closed(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(reader.read(), timeout=10)
        finally:
            writer.close()
            await writer.wait_closed()

    with TestClient(create_app(settings)) as client:
        port = client.app.state.mllp_port
        [ack] = _send(port, [rde("Q1", "RX-Q1")])
        loop = asyncio.new_event_loop()
        reader_task = loop.create_task(idle_until_closed(port))
        loop.run_until_complete(asyncio.sleep(0.2))  # connected and idle
    assert loop.run_until_complete(reader_task) == b""  # closed by the server, no stray bytes
    loop.close()
    assert msa(ack)[1] == "AA"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

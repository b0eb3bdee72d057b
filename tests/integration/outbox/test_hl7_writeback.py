"""HL7 v2 write-back against a small MLLP server answering AA or AE."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from finalmile.app import build_services
from finalmile.config.settings import Settings
from finalmile.outbox import OutboxStatus
from finalmile.outbox.store import OutboxStore
from finalmile.outbox.worker import OutboxWorker

from .conftest import Clock, enqueue_shipped, write_profile

START, END = b"\x0b", b"\x1c\x0d"


class PmsMllp(socketserver.ThreadingTCPServer):
    """Answers each message with the next code of ``answers`` (then AA; ``SILENT``: no answer)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: list[str] = []
        self.received: list[str] = []


class _Handler(socketserver.StreamRequestHandler):
    server: PmsMllp

    def handle(self) -> None:
        buffer = b""
        while chunk := self.request.recv(65536):
            buffer += chunk
            while END in buffer:
                frame, buffer = buffer.split(END, 1)
                message = frame.lstrip(START).decode("utf-8")
                self.server.received.append(message)
                control = message.split("\r")[0].split("|")[9]
                code = self.server.answers.pop(0) if self.server.answers else "AA"
                if code == "SILENT":
                    continue
                ack = (
                    f"MSH|^~\\&|PMS|PHARMACY|FINALMILE|FINALMILE|20261122||ACK|A{control}|P|2.5.1\r"
                )
                ack += f"MSA|{code}|{control}|{'order unknown' if code != 'AA' else ''}\r"
                self.request.sendall(START + ack.encode() + END)


@pytest.fixture
def mllp_pms() -> Iterator[PmsMllp]:
    server = PmsMllp()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _services(
    settings: Settings, tmp_path: Path, port: int, message: str, timeout: float = 5
) -> Settings:
    config_dir = tmp_path / "config"
    write_profile(
        config_dir,
        f"""
hl7v2: {{}}
writeback:
  hl7v2:
    host: 127.0.0.1
    port: {port}
    message: {message}
    timeout_seconds: {timeout}
""",
    )
    return settings.model_copy(update={"config_dir": config_dir})


def _segments(message: str) -> dict[str, list[list[str]]]:
    found: dict[str, list[list[str]]] = {}
    for line in filter(None, message.split("\r")):
        fields = line.split("|")
        found.setdefault(fields[0], []).append(fields)
    return found


def test_orc_sc_update_is_retried_on_ae_until_aa(
    settings: Settings, tmp_path: Path, mllp_pms: PmsMllp
) -> None:
    services = build_services(_services(settings, tmp_path, mllp_pms.server_address[1], "orc_sc"))
    try:
        [event_id] = enqueue_shipped(services, 1)
        mllp_pms.answers = ["AE", "AR"]
        clock = Clock()
        worker = OutboxWorker(services.outbox, services.writeback, clock=clock)
        for _ in range(3):
            worker.drain()
            clock.advance(hours=1)
        row, attempts = services.outbox.get(event_id)
    finally:
        services.close()
    assert [a.outcome.value for a in attempts] == ["retry", "retry", "ok"]
    assert attempts[0].detail == "hl7v2: ACK AE: order unknown"
    assert row.status is OutboxStatus.DELIVERED
    assert len(mllp_pms.received) == 3
    segments = _segments(mllp_pms.received[-1])
    msh, orc = segments["MSH"][0], segments["ORC"][0]
    assert msh[8] == "ORM^O01^ORM_O01"
    assert msh[9] == f"FM{event_id}"  # the same control id on every resend
    assert {_segments(m)["MSH"][0][9] for m in mllp_pms.received} == {f"FM{event_id}"}
    assert (orc[1], orc[2], orc[5]) == ("SC", row.order_id, "IP")
    observations = {obx[3].split("^")[0]: obx[5] for obx in segments["OBX"]}
    assert observations["CARRIER"] == "UPS"
    assert observations["SERVICE"] == "2ndDayAir"
    assert observations["TRACKING"] == row.payload["tracking_number"]
    assert "PID" not in segments  # no patient data in a status update
    assert segments["NTE"][0][3].startswith("Shipped with UPS 2ndDayAir tracking 1ZSYN")


def test_rds_o13_update_and_a_missing_ack_is_retried(
    settings: Settings, tmp_path: Path, mllp_pms: PmsMllp
) -> None:
    port = mllp_pms.server_address[1]
    services = build_services(_services(settings, tmp_path, port, "rds_o13", timeout=0.3))
    try:
        [event_id] = enqueue_shipped(services, 1)
        mllp_pms.answers = ["SILENT"]
        clock = Clock()
        worker = OutboxWorker(services.outbox, services.writeback, clock=clock)
        worker.drain()
        clock.advance(hours=1)
        worker.drain()
        row, attempts = services.outbox.get(event_id)
    finally:
        services.close()
    assert attempts[0].detail == "hl7v2: no ACK within the timeout"
    assert row.status is OutboxStatus.DELIVERED
    segments = _segments(mllp_pms.received[0])
    assert segments["MSH"][0][8] == "RDS^O13^RDS_O13"
    assert "RXD" in segments
    assert segments["ORC"][0][1] == "SC"


def test_no_listener_is_a_retry_not_a_loss(settings: Settings, tmp_path: Path) -> None:
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]
    services = build_services(_services(settings, tmp_path, port, "orc_sc"))
    try:
        [event_id] = enqueue_shipped(services, 1)
        OutboxWorker(services.outbox, services.writeback).drain()
        row, attempts = services.outbox.get(event_id)
    finally:
        services.close()
    assert row.status is OutboxStatus.PENDING
    assert row.next_attempt_at > attempts[0].started_at
    assert attempts[0].detail is not None
    assert attempts[0].detail.startswith("hl7v2: connection failed")


def test_rows_not_reached_within_half_the_lease_are_handed_back(
    settings: Settings, tmp_path: Path, mllp_pms: PmsMllp
) -> None:
    port = mllp_pms.server_address[1]
    services = build_services(_services(settings, tmp_path, port, "orc_sc", timeout=0.3))
    try:
        ids = enqueue_shipped(services, 3)
        mllp_pms.answers = ["SILENT"] * 3
        store = OutboxStore(services.sessions, lease_seconds=0.4)
        assert OutboxWorker(store, services.writeback).run_once() == 3
        rows = [store.get(i) for i in ids]
    finally:
        services.close()
    assert [len(attempts) for _, attempts in rows] == [1, 0, 0]
    assert [row.attempts for row, _ in rows] == [1, 0, 0]
    assert all(row.lease_owner is None for row, _ in rows)

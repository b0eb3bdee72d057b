"""Two workers on one database deliver every row exactly once (SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from finalmile.app import Services
from finalmile.outbox import OutboxAttempt, OutboxStatus
from finalmile.outbox.worker import OutboxWorker

from .conftest import PmsProcess, enqueue_shipped


def test_two_workers_deliver_each_row_once(pms: Services, fake_pms: PmsProcess) -> None:
    ids = enqueue_shipped(pms, 60)
    start = threading.Barrier(2)
    processed: list[int] = []

    def work() -> None:
        worker = OutboxWorker(pms.outbox, pms.writeback, batch_size=5)
        start.wait()
        processed.append(worker.drain())

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(processed) == 60
    assert all(count > 0 for count in processed)  # both took part
    assert len(fake_pms.accepted()) == 60
    assert fake_pms.state()["duplicates"] == 0
    assert {pms.outbox.get(i)[0].status for i in ids} == {OutboxStatus.DELIVERED}
    with pms.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxAttempt)) == 60


def test_a_leased_row_is_not_leased_again_until_its_lease_expires(pms: Services) -> None:
    [event_id] = enqueue_shipped(pms, 1)
    row = pms.outbox.get(event_id)[0]
    now = row.next_attempt_at
    owner, leased = pms.outbox.lease(now=now, limit=10)
    assert [r.id for r in leased] == [event_id]
    assert pms.outbox.lease(now=now, limit=10)[1] == []
    later = now + (leased[0].lease_until - now) * 2  # type: ignore[operator]
    second_owner, again = pms.outbox.lease(now=later, limit=10)
    assert [r.id for r in again] == [event_id]
    assert second_owner != owner

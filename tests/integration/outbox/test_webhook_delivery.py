"""Signed webhooks to a PMS in another process: verified there, retried through an outage,
dead-lettered after the budget, retried and replayed by id."""

from __future__ import annotations

from finalmile.app import Services
from finalmile.outbox import OutboxStatus
from finalmile.outbox.worker import OutboxWorker

from .conftest import Clock, PmsProcess, enqueue_shipped


def _statuses(services: Services, ids: list[int]) -> list[OutboxStatus]:
    return [services.outbox.get(i)[0].status for i in ids]


def test_webhooks_arrive_signed_once_each(pms: Services, fake_pms: PmsProcess) -> None:
    ids = enqueue_shipped(pms, 3)
    worker = OutboxWorker(pms.outbox, pms.writeback)
    assert worker.drain() == 3
    assert fake_pms.state()["bad_signatures"] == 0
    accepted = fake_pms.accepted()
    assert len(accepted) == 3
    payload = pms.outbox.get(ids[0])[0].payload
    event = accepted[f"pms:shipped:{payload['order_pk']}"]
    assert (event["type"], event["order_id"]) == ("order.shipped", payload["order_id"])
    assert event["tracking_number"].startswith("1ZSYN")
    assert _statuses(pms, ids) == [OutboxStatus.DELIVERED] * 3
    # Shipped effects do not go to the billing CSV (it takes confirmations only).
    row, attempts = pms.outbox.get(ids[0])
    assert [(a.target, a.outcome.value) for a in attempts] == [("webhook", "ok")]
    assert row.done_targets == ["webhook"]


def test_a_long_outage_loses_nothing_and_delivers_each_once(
    pms: Services, fake_pms: PmsProcess
) -> None:
    ids = enqueue_shipped(pms, 3)
    clock = Clock()
    worker = OutboxWorker(pms.outbox, pms.writeback, clock=clock)
    fake_pms.answer(503)
    for _ in range(80):  # 40 hours down, looked at every 30 minutes
        worker.drain()
        clock.advance(minutes=30)
    assert fake_pms.accepted() == {}
    assert fake_pms.state()["refused"] >= 3 * 30  # retried all along, backing off to hourly
    assert _statuses(pms, ids) == [OutboxStatus.PENDING] * 3
    assert all(pms.outbox.get(i)[0].attempts < 80 for i in ids)  # not on every look

    fake_pms.answer(200)
    for _ in range(3):  # the backoff is capped at an hour (+ jitter)
        clock.advance(minutes=61)
        worker.drain()
    assert len(fake_pms.accepted()) == 3
    assert fake_pms.state()["duplicates"] == 0
    assert _statuses(pms, ids) == [OutboxStatus.DELIVERED] * 3


def test_budget_spent_goes_dead_then_retry_delivers(pms: Services, fake_pms: PmsProcess) -> None:
    [event_id] = enqueue_shipped(pms, 1)
    clock = Clock()
    worker = OutboxWorker(pms.outbox, pms.writeback, clock=clock)
    fake_pms.answer(503)
    for _ in range(20):  # 80 hours: past the 72-hour budget
        worker.drain()
        clock.advance(hours=4)
    row, attempts = pms.outbox.get(event_id)
    assert row.status is OutboxStatus.DEAD
    assert row.last_error == "webhook: HTTP 503"
    assert len(attempts) == row.attempts

    fake_pms.answer(200)
    pms.outbox.retry(event_id, now=clock())
    worker.drain()
    assert pms.outbox.get(event_id)[0].status is OutboxStatus.DELIVERED
    assert len(fake_pms.accepted()) == 1


def test_a_refusal_is_dead_at_once_and_replay_resends_with_the_same_key(
    pms: Services, fake_pms: PmsProcess
) -> None:
    [event_id] = enqueue_shipped(pms, 1)
    worker = OutboxWorker(pms.outbox, pms.writeback)
    fake_pms.answer(422)
    worker.drain()
    row = pms.outbox.get(event_id)[0]
    assert row.status is OutboxStatus.DEAD
    assert row.attempts == 1

    fake_pms.answer(200)
    pms.outbox.replay(event_id, now=row.updated_at)
    worker.drain()
    pms.outbox.replay(event_id, now=row.updated_at)  # a delivered row may be replayed too
    worker.drain()
    assert len(fake_pms.accepted()) == 1
    assert (
        fake_pms.state()["duplicates"] == 1
    )  # the PMS recognised the replay by its idempotency key

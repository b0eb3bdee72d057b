"""The console's speed on a busy day: the board and an order page with 2,000 orders of the day,
and how long a change takes to reach an open page.

Usage: .venv/bin/python bench/console.py [--orders 2000] [--runs 7]

A fresh SQLite database is filled through the real intake (synthetic HL7 orders) and the rules
engine decides them all. Then, in one process, taking turns ``--runs`` times:

- baseline: the JSON API for the same data, ``GET /orders`` paged 500 at a time over every order
  (the board's rows), and ``GET /orders/{id}`` (the order page's);
- console: ``GET /console/board`` (the day's 2,000 orders rendered) and
  ``GET /console/orders/{id}`` (the whole story rendered).

Server time is measured in process (no network). Then ``finalmile serve``-style, on a real
socket, the live-update delay: a page's ``/console/live`` stream is open, an order is changed
through the API, and the time until its event arrives is measured (``--runs`` changes).
Printed: medians, best times, and console / baseline ratios.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx2
import uvicorn
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from finalmile.app import Services
from finalmile.auth import Role, Scope, create_key
from finalmile.config import Settings
from finalmile.console.session import COOKIE
from finalmile.db import transaction
from finalmile.main import create_app
from finalmile.users import create_user
from finalmile_devtools.process import free_port
from finalmile_devtools.synthetic import order_id_for, rde_o11

BATCH = 200


def fill(services: Services, orders: int) -> None:
    """Store ``orders`` synthetic orders through intake and decide every one."""
    for start in range(0, orders, BATCH):
        raws = [rde_o11(n, storage="ACRF"[n % 4]) for n in range(start, min(orders, start + BATCH))]
        outcomes = services.intake.ingest_hl7(raws, connector="default")
        assert all(o.error is None for o in outcomes), outcomes[0].error
    while services.decider.decide_pending(limit=500):
        pass


def timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def signed_in(client: TestClient, name: str, password: str) -> None:
    form = client.get("/console/login").text
    token = form.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/console/login", data={"name": name, "password": password, "login_csrf": token}
    )
    assert answer.status_code == 303, answer.text


def pages(client: TestClient, key: dict[str, str], order_id: str, runs: int) -> None:
    def api_list() -> None:
        cursor: str | None = None
        while True:
            params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
            page = client.get("/orders", params=params, headers=key).json()
            cursor = page["next_cursor"]
            if cursor is None:
                return

    measures = {
        "board": (api_list, lambda: client.get("/console/board").raise_for_status()),
        "order page": (
            lambda: client.get(f"/orders/{order_id}", headers=key).raise_for_status(),
            lambda: client.get(f"/console/orders/{order_id}").raise_for_status(),
        ),
    }
    for name, (baseline, console) in measures.items():
        base, seen = [], []
        for _ in range(runs):  # taking turns, so load on the machine hits both alike
            base.append(timed(baseline))
            seen.append(timed(console))
        b, c = statistics.median(base), statistics.median(seen)
        print(
            f"{name}: JSON API median {b * 1000:.0f} ms (best {min(base) * 1000:.0f}), "
            f"console median {c * 1000:.0f} ms (best {min(seen) * 1000:.0f}); "
            f"console / API = {c / b:.2f}x"
        )


def live_delay(settings: Settings, key: dict[str, str], cookie: str, ids: list[str]) -> None:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), port=port, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    while not server.started:
        time.sleep(0.05)
    delays: list[float] = []
    try:
        with (
            httpx2.Client(base_url=url, timeout=30) as client,
            client.stream("GET", "/console/live", cookies={COOKIE: cookie}) as stream,
        ):
            lines = stream.iter_lines()
            next(lines)  # the retry line: the stream is open
            for order_id in ids:
                sent = time.perf_counter()
                client.post(
                    f"/orders/{order_id}/cancel", json={"reason": "bench"}, headers=key
                ).raise_for_status()
                for line in lines:
                    if line.startswith("data:") and f'"{order_id}"' in line:
                        delays.append(time.perf_counter() - sent)
                        break
    finally:
        server.should_exit = True
        thread.join(10)
    median, worst = statistics.median(delays) * 1000, max(delays) * 1000
    print(
        f"live update: change to event on the open page, median {median:.0f} ms, worst "
        f"{worst:.0f} ms over {len(delays)} changes (goal: under 2,000 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder),
            secret_key=Fernet.generate_key().decode(),
            mllp_port=0,
            decide_interval_seconds=0,
            exceptions_interval_seconds=0,
        )
        app = create_app(settings)
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            services: Services = client.app.state.services  # type: ignore[attr-defined]
            began = time.perf_counter()
            fill(services, args.orders)
            print(
                f"{args.orders:,} orders stored and decided in {time.perf_counter() - began:.1f} s"
            )
            with transaction(services.sessions) as session:
                password = create_user(
                    session=session, name="bench", roles=[Role.DISPATCHER], actor="bench"
                )
                token = create_key(
                    session=session,
                    name="bench",
                    scopes=[Scope.ADMIN],
                    roles=[Role.DISPATCHER],
                ).token
            key = {"X-API-Key": token}
            signed_in(client, "bench", password)
            cookie = client.cookies[COOKIE]
            pages(client, key, order_id_for(args.orders // 2), args.runs)
        ids = [order_id_for(n) for n in range(args.runs)]
        live_delay(settings, key, cookie, ids)


if __name__ == "__main__":
    main()

"""``python -m finalmile_devtools.demo_delivery``: watch the demo order get delivered and billed.

The demo order is the one ``finalmile demo`` decided by carrier from live sandbox rates and
dispatched as decided: a label bought from the account the decision names (with the demo's
accounts, EasyPost wins ties on price). ``make run`` starts this in the background beside
``finalmile serve``. Once the service answers, it registers finalmile's
``POST /webhooks/easypost`` with the carrier sandbox (signed with the first secret of
``FINALMILE_EASYPOST_WEBHOOK_SECRET``, once: a URL already registered is left alone), then moves
the sandbox clock on in steps. Each step makes the sandbox post its signed tracker events to
finalmile; every change finalmile records (tracking status, proof of delivery) and every event
the fake PMS accepts is printed as it happens, ending with the billing confirmation reaching the
fake PMS. An order already billed (a second ``make run``) moves nothing.

Everything goes over HTTP, as a person with curl would see it: the finalmile API with the demo
API key (``<data dir>/demo-api-key``), the sandbox controls and the fake PMS's ``GET /events``.
Nothing printed names a patient.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from finalmile.config.settings import Settings
from finalmile_devtools.wait_http import wait_for

#: The demo carrier order (``finalmile.cli.demo.DEMO_CARRIER_ORDER``).
DEMO_ORDER = "DEMO-RX-011"
#: The key file ``finalmile demo`` writes in the data directory.
KEY_FILE = "demo-api-key"
CONFIRMED = "order.delivery_confirmed"
STEP_HOURS = 6.0
#: Fourteen days of sandbox time: longer than any sandbox service takes.
MAX_STEPS = 56
STEP_PAUSE_SECONDS = 0.3
SERVICE_WAIT_SECONDS = 120.0
BILLING_WAIT_SECONDS = 60.0
POLL_SECONDS = 0.25
HTTP_TIMEOUT_SECONDS = 10.0


class DemoError(RuntimeError):
    """The demo cannot go on; the message says why and what to look at."""


def _call(url: str, *, body: object | None = None, headers: Mapping[str, str] | None = None) -> Any:
    """JSON from a GET (or a POST of ``body``) to a local URL."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback URLs from the demo's own settings
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as answer:  # noqa: S310
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise DemoError(f"{request.get_method()} {url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DemoError(f"{request.get_method()} {url}: no answer ({exc})") from None


@dataclass
class DemoDelivery:
    """One run of the demo progression for ``order_id``."""

    service_url: str
    api_key: str
    sandbox_url: str
    pms_url: str
    webhook_secret: str
    order_id: str = DEMO_ORDER
    step_hours: float = STEP_HOURS
    step_pause_seconds: float = STEP_PAUSE_SECONDS
    say: Callable[[str], None] = print
    _seen_pms: set[str] = field(default_factory=set, init=False)
    _shipment: str = field(default="", init=False)

    def run(self) -> bool:
        """Carry the order to billed; False when it was billed before this run (nothing moved).

        Raises:
            DemoError: a service did not answer, the order has no shipment, or the billing
                confirmation did not reach the fake PMS in time.
        """
        if not wait_for(f"{self.service_url}/healthz", SERVICE_WAIT_SECONDS):
            raise DemoError(f"finalmile did not answer at {self.service_url} in time")
        if self._billed():
            self.say(
                f"{self.order_id} is already delivered and billed: the fake PMS holds its "
                "billing confirmation from an earlier run; nothing is sent again"
            )
            self._report_order()
            return False
        self._register_webhook()
        self._describe_start()
        status = self._advance_until_delivered()
        if status != "delivered":
            raise DemoError(f"{self.order_id} is {status} after {MAX_STEPS} clock steps")
        self._report_pod()
        self._await_billing()
        self._report_order()
        return True

    def _report_order(self) -> None:
        """Say where the order stands in finalmile and the statuses it went through."""
        order = self._get(f"/orders/{self.order_id}")
        path = [
            entry["to_status"]
            for entry in order["history"]
            if entry["action"] in ("created", "status") and entry["to_status"]
        ]
        self.say(
            f"finalmile: {self.order_id} is {order['status']}, billing {order['billing_status']}"
            f" ({' -> '.join(path)})"
        )

    def _get(self, path: str) -> Any:
        return _call(self.service_url + path, headers={"X-API-Key": self.api_key})

    def _pms_events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = _call(f"{self.pms_url}/events")["events"]
        return [e for e in events if e["order_id"] == self.order_id]

    def _billed(self) -> bool:
        return any(e["type"] == CONFIRMED for e in self._pms_events())

    def _register_webhook(self) -> None:
        url = f"{self.service_url}/webhooks/easypost"
        basic = base64.b64encode(b"demo:").decode()
        hooks = _call(
            f"{self.sandbox_url}/easypost/v2/webhooks", headers={"Authorization": f"Basic {basic}"}
        )["webhooks"]
        if any(hook["url"] == url for hook in hooks):
            return
        _call(
            f"{self.sandbox_url}/_sandbox/webhooks",
            body={"api": "easypost", "url": url, "secret": self.webhook_secret},
        )
        self.say(f"sandbox: EasyPost tracker webhooks now go to {url} (signed)")

    def _describe_start(self) -> None:
        decision = self._get(f"/orders/{self.order_id}").get("decision") or {}
        choice = ", ".join(
            f"{name} {decision[key]}"
            for name, key in (("via", "carrier"), ("service", "service"))
            if decision.get(key)
        )
        self.say(
            f"{self.order_id}: received by HL7 intake; rules engine decision: "
            f"{decision.get('delivery_type', 'none')}" + (f" {choice}" if choice else "")
        )
        shipments = self._get(f"/orders/{self.order_id}/shipments")
        bought = [s for s in shipments if s["state"] == "purchased"]
        if not bought:
            raise DemoError(
                f"{self.order_id} has no bought label: did `finalmile demo` dispatch it?"
            )
        shipment = bought[-1]
        if shipment["carrier_account"] != decision.get("carrier"):
            raise DemoError(
                f"{self.order_id}: the label was bought with account "
                f"{shipment['carrier_account']}, not the decided {decision.get('carrier')}"
            )
        self._shipment = str(shipment["key"])
        self.say(
            f"{self.order_id}: label bought by dispatch as decided: account "
            f"{shipment['carrier_account']} ({shipment['carrier']} {shipment['service']}), "
            f"tracking {shipment['tracking_number']}"
        )
        self._report_pms()

    def _status(self) -> str:
        tracked = self._get(f"/orders/{self.order_id}/tracking")
        states = [t["status"] for t in tracked if t["shipment"] == self._shipment]
        return str(states[0]) if states else "label created, no carrier event yet"

    def _advance_until_delivered(self) -> str:
        status = self._status()
        last = None
        for _ in range(MAX_STEPS):
            if status != last:
                self.say(f"{self.order_id}: tracking status {status}")
                last = status
            if status == "delivered":
                return status
            clock = _call(
                f"{self.sandbox_url}/_sandbox/clock",
                body={"advance_seconds": self.step_hours * 3600},
            )
            if clock["webhooks_sent"]:
                self.say(
                    f"sandbox clock {clock['now'][:16]}Z: {clock['webhooks_sent']} signed tracker "
                    "event(s) posted to finalmile"
                )
            self._report_pms()
            time.sleep(self.step_pause_seconds)
            status = self._status()
        return status

    def _report_pod(self) -> None:
        pod = self._get(f"/orders/{self.order_id}/pod")
        if not pod["complete"]:
            missing = ", ".join(m["field"] for m in pod["missing"])
            raise DemoError(f"{self.order_id}: proof of delivery incomplete (missing {missing})")
        self.say(
            f"{self.order_id}: proof of delivery complete ({pod['method']}, "
            f"{pod['pod_reference']}, tracking {pod['tracking_number']})"
        )

    def _report_pms(self) -> None:
        for event in self._pms_events():
            if event["idempotency_key"] not in self._seen_pms:
                self._seen_pms.add(event["idempotency_key"])
                self.say(f"fake PMS: received {event['type']} for {self.order_id}")

    def _await_billing(self) -> None:
        deadline = time.monotonic() + BILLING_WAIT_SECONDS
        while time.monotonic() < deadline:
            self._report_pms()
            confirmed = [e for e in self._pms_events() if e["type"] == CONFIRMED]
            if confirmed:
                self.say(
                    f"{self.order_id}: the billing confirmation reached the fake PMS "
                    f"(Idempotency-Key {confirmed[0]['idempotency_key']}): delivered and billed"
                )
                return
            time.sleep(POLL_SECONDS)
        raise DemoError(
            f"{self.order_id}: no billing confirmation at the fake PMS within "
            f"{BILLING_WAIT_SECONDS:g} s; see `finalmile outbox list`"
        )


def from_settings(settings: Settings, *, sandbox_url: str, pms_url: str) -> DemoDelivery:
    """The progression for the service ``settings`` describe (its URL, secret and key file).

    Raises:
        DemoError: no EasyPost webhook secret, or no demo API key file.
    """
    if settings.easypost_webhook_secret is None:
        raise DemoError("set FINALMILE_EASYPOST_WEBHOOK_SECRET: finalmile refuses unsigned events")
    secret = settings.easypost_webhook_secret.get_secret_value().split(",")[0].strip()
    key_file = settings.data_dir / KEY_FILE
    try:
        api_key = key_file.read_text("utf-8").strip()
    except OSError:
        raise DemoError(f"{key_file}: no demo API key; run `finalmile demo` first") from None
    host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::") else settings.http_host  # noqa: S104
    return DemoDelivery(
        service_url=f"http://{host}:{settings.http_port}",
        api_key=api_key,
        sandbox_url=sandbox_url.rstrip("/"),
        pms_url=pms_url.rstrip("/"),
        webhook_secret=secret,
    )


def main(argv: list[str]) -> int:
    """Run the progression; the exit status (0 billed now or before, 1 it could not finish)."""
    parser = argparse.ArgumentParser(prog="python -m finalmile_devtools.demo_delivery")
    parser.add_argument("--sandbox", required=True, help="carrier sandbox URL")
    parser.add_argument("--pms", required=True, help="fake PMS URL (its GET /events)")
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(f"[demo] {line}", flush=True)

    try:
        demo = from_settings(Settings(), sandbox_url=args.sandbox, pms_url=args.pms)
        demo.say = say
        demo.run()
    except DemoError as exc:
        say(f"stopped: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

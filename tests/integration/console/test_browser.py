"""The console in a real browser (Debian's Chromium through Playwright), against `finalmile
serve` with the demo data of `make run`: each role signs in, the board shows the demo orders of
every delivery type, an order changes status on an open page without a reload, `/docs` renders
offline, and no request leaves the machine."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr

from finalmile.config.settings import Settings
from finalmile_devtools.demo_config import write_demo_config
from finalmile_devtools.demo_delivery import from_settings
from finalmile_devtools.fake_pms import SECRET_ENV, FakePms
from finalmile_devtools.process import free_port
from finalmile_devtools.wait_http import wait_for
from finalmile_sandbox.clock import SandboxClock
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.server import SandboxServer
from tests.integration.console.browser import HostLog, chromium, screenshot

pytestmark = pytest.mark.slow

EASYPOST_SECRET = "console-test-easypost-secret"
PMS_SECRET = "whsec_Y29uc29sZSB0ZXN0OiB0aGUgZmFrZSBQTVMncyBzZWNyZXQ="
SHIP_FROM = {
    "name": "Demo Specialty Pharmacy",
    "line1": "1 Test Plaza",
    "city": "Boston",
    "state": "MA",
    "postal_code": "02110",
}


@dataclass(frozen=True)
class Served:
    """A running `finalmile serve` with the demo loaded."""

    url: str
    env: dict[str, str]
    logins: dict[str, str]
    api_key: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """What `make run` starts: the carrier sandbox, the fake PMS, `finalmile demo` and `serve`,
    and DEMO-RX-011 carried to delivered and billed."""
    root = tmp_path_factory.mktemp("console")
    data = root / "data"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with (
        SandboxServer(Sandbox(clock=SandboxClock(now, rate=0)), tick_seconds=None) as sandbox,
        FakePms(secret=PMS_SECRET, events_file=data / "fake-pms" / "events.jsonl") as pms,
    ):
        write_demo_config(root / "demo-config", pms_url=pms.url)
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FINALMILE_")},
            "FINALMILE_DATA_DIR": str(data),
            "FINALMILE_CONFIG_DIR": str(root / "demo-config"),
            "FINALMILE_HTTP_PORT": str(port),
            "FINALMILE_MLLP_PORT": str(free_port()),
            "FINALMILE_CARRIERS": json.dumps(
                {
                    "easypost": {
                        "type": "easypost",
                        "api_key": "EZTK_sandbox",
                        "api_base": sandbox.easypost_base,
                        "ship_from": SHIP_FROM,
                    }
                }
            ),
            "FINALMILE_QUOTES": "live",
            "FINALMILE_EASYPOST_WEBHOOK_SECRET": EASYPOST_SECRET,
            "FINALMILE_OUTBOX_POLL_SECONDS": "0.2",
            "FINALMILE_DECIDE_INTERVAL_SECONDS": "1",
            "FINALMILE_API_DOCS": "true",
            SECRET_ENV: PMS_SECRET,
        }
        demo = subprocess.run(
            [sys.executable, "-m", "finalmile", "demo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )
        assert "sign in as dispatcher / " in demo.stdout
        logins = dict(
            line.split(None, 1) for line in (data / "demo-console-users").read_text().splitlines()
        )
        url = f"http://127.0.0.1:{port}"
        with (data / "serve.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "finalmile", "serve"], env=env, stdout=log, stderr=log
            )
        try:
            assert wait_for(f"{url}/healthz", 60), (data / "serve.log").read_text()[-3000:]
            settings = Settings(
                data_dir=data,
                http_port=port,
                easypost_webhook_secret=SecretStr(EASYPOST_SECRET),
            )
            delivery = from_settings(settings, sandbox_url=sandbox.url, pms_url=pms.base_url)
            delivery.step_pause_seconds = 0
            delivery.say = lambda _line: None
            assert delivery.run()
            key = (data / "demo-api-key").read_text().strip()
            served = Served(url=url, env=env, logins=logins, api_key=key)
            _until_decided(served)
            yield served
        finally:
            process.terminate()
            process.wait(30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def hosts() -> HostLog:
    return HostLog()


def _signed_in(browser: Browser, served: Served, hosts: HostLog, role: str) -> Page:
    page = hosts.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
    page.goto(f"{served.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("User name").fill(role)
    page.get_by_label("Password").fill(served.logins[role])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"{role} · {role}")).to_be_visible()
    return page


def _api(
    served: Served, method: str, path: str, body: dict[str, object] | None = None
) -> dict[str, object]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"X-API-Key": served.api_key, "Content-Type": "application/json"}
    request = urllib.request.Request(served.url + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return dict(json.loads(answer.read()))


def _until_decided(served: Served) -> None:
    """The decision job (every second) has decided every demo order."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        waiting = _api(served, "GET", "/orders?status=received")["items"]
        if not waiting:
            return
        time.sleep(0.5)
    raise AssertionError("the demo orders were not decided within 60 s")


def test_every_role_signs_in_and_sees_the_board(
    browser: Browser, served: Served, hosts: HostLog
) -> None:
    for role in ("dispatcher", "pharmacist", "billing", "admin"):
        page = _signed_in(browser, served, hosts, role)
        expect(page.get_by_role("heading", name="Orders for")).to_be_visible()
        row = page.locator('tr[data-order="DEMO-RX-011"]')
        expect(row).to_contain_text("carrier")
        expect(row.locator('[data-field="status"]')).to_have_attribute("data-value", "delivered")
        expect(row.locator('[data-field="billing_status"]')).to_have_text("confirmed")
        screenshot(page, f"board-{role}")
        page.close()
    assert hosts.hosts == {"127.0.0.1"}


def test_the_board_shows_every_delivery_type_and_marks_late_orders(
    browser: Browser, served: Served, hosts: HostLog
) -> None:
    page = _signed_in(browser, served, hosts, "dispatcher")
    rows = page.locator("tbody tr[data-order]")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10
    statuses = page.locator('tbody [data-field="status"]').all_inner_texts()
    assert statuses and all(text.strip() for text in statuses)
    page.get_by_label("Order id").fill("DEMO-RX-011")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("tbody tr[data-order]")).to_have_count(1)
    assert hosts.hosts == {"127.0.0.1"}
    page.close()


def test_an_order_changes_status_on_the_open_board_without_a_reload(
    browser: Browser, served: Served, hosts: HostLog
) -> None:
    page = _signed_in(browser, served, hosts, "dispatcher")
    cell = page.locator('tr[data-order="DEMO-RX-003"] [data-field="status"]')
    expect(cell).to_have_attribute("data-value", "ready")
    page.evaluate("window.__stay = true")
    _api(served, "POST", "/orders/DEMO-RX-003/cancel", {"reason": "the PMS asked by phone"})
    expect(cell).to_have_attribute("data-value", "cancelled", timeout=5000)
    assert page.evaluate("window.__stay") is True  # the same page: no reload happened
    expect(page.locator("#live-notices")).to_contain_text("DEMO-RX-003: cancelled")
    screenshot(page, "board-live-update")
    page.close()


def test_the_exceptions_queue_offers_the_actions_each_role_may_take(
    browser: Browser, served: Served, hosts: HostLog
) -> None:
    billing = _signed_in(browser, served, hosts, "billing")
    billing.get_by_role("link", name="Exceptions").click()
    held = billing.locator('section.exception[data-order="DEMO-RX-012"]')
    expect(held).to_contain_text("storage requirement is unknown")
    expect(held.get_by_role("button", name="Decide again")).to_be_disabled()
    expect(held).to_contain_text("needs the role dispatcher, pharmacist")
    token = billing.locator('input[name="csrf_token"]').first.get_attribute("value")
    refused = billing.request.post(
        f"{served.url}/console/orders/DEMO-RX-012/act/cancel",
        multipart={"csrf_token": token or "", "reason": "billing tries"},
    )
    assert refused.status == 403
    assert "cancel needs the role dispatcher, pharmacist" in refused.text()
    screenshot(billing, "exceptions-billing")
    billing.close()

    dispatcher = _signed_in(browser, served, hosts, "dispatcher")
    dispatcher.goto(f"{served.url}/console/exceptions")
    held = dispatcher.locator('section.exception[data-order="DEMO-RX-012"]')
    form = held.locator("details").filter(
        has=dispatcher.locator("summary", has_text="Decide again")
    )
    form.locator("summary").click()
    form.get_by_label("Reason").fill("checked the product file")
    form.get_by_role("button", name="Decide again").click()
    expect(dispatcher.get_by_role("status")).to_contain_text("DEMO-RX-012: decided again")
    screenshot(dispatcher, "exceptions-dispatcher")
    history = _api(served, "GET", "/orders/DEMO-RX-012")["history"]
    assert isinstance(history, list)
    decided = [e for e in history if e["action"] == "decided"][-1]
    assert decided["actor"] == "user:dispatcher"
    assert decided["detail"]["reason"] == "checked the product file"
    assert hosts.hosts == {"127.0.0.1"}
    dispatcher.close()


def test_docs_render_offline(browser: Browser, served: Served, hosts: HostLog) -> None:
    page = hosts.watch(browser.new_page())
    page.goto(f"{served.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("finalmile")
    expect(page.locator(".opblock").first).to_be_visible()
    screenshot(page, "docs")
    assert hosts.hosts == {"127.0.0.1"}
    page.close()


def test_the_order_page_shows_the_story_and_records_who_saw_the_patient(
    browser: Browser, served: Served, hosts: HostLog
) -> None:
    page = _signed_in(browser, served, hosts, "dispatcher")
    page.get_by_role("link", name="DEMO-RX-011").click()
    expect(page.get_by_role("heading", name="Order DEMO-RX-011")).to_be_visible()
    for section in ("Where it stands", "Decision", "Shipments and tracking", "History"):
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    expect(page.get_by_text("Your view of these details is recorded.")).to_be_visible()
    screenshot(page, "order-dispatcher")
    page.close()

    billing = _signed_in(browser, served, hosts, "billing")
    billing.goto(f"{served.url}/console/orders/DEMO-RX-011")
    expect(billing.get_by_text("shown to dispatchers and pharmacists only")).to_be_visible()
    screenshot(billing, "order-billing")
    billing.close()

    log = subprocess.run(
        [sys.executable, "-m", "finalmile", "users", "access-log", "--order", "DEMO-RX-011"],
        env=served.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert [line.split("\t")[1:] for line in log] == [["dispatcher", "DEMO-RX-011", "order"]]
    assert hosts.hosts == {"127.0.0.1"}


def test_billing_sees_the_confirmation_and_exports_the_period(
    browser: Browser, served: Served, hosts: HostLog
) -> None:
    page = _signed_in(browser, served, hosts, "billing")
    page.get_by_role("link", name="Billing").click()
    confirmed = page.locator('tr[data-order="DEMO-RX-011"]')
    expect(confirmed).to_contain_text("default:delivery_confirmed:")
    expect(confirmed).to_contain_text("yes")
    screenshot(page, "billing")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:4] == ["order_id", "connector", "delivered_at", "billing_status"]
    assert [row[0] for row in rows[1:]] == ["DEMO-RX-011"]
    assert rows[1][3] == "confirmed" and rows[1][6] == "yes"
    assert hosts.hosts == {"127.0.0.1"}
    page.close()


def test_the_dispatcher_plans_the_day_and_sees_the_routes_on_a_map(
    browser: Browser, served: Served, hosts: HostLog
) -> None:
    page = _signed_in(browser, served, hosts, "dispatcher")
    page.get_by_role("link", name="Routes").click()
    expect(page.get_by_role("heading", name="Courier routes for")).to_be_visible()
    today = dt.date.fromisoformat(page.locator("#r-day").input_value())
    for ahead in range(5):  # the demo's courier orders are due today or in the next days
        page.goto(f"{served.url}/console/routes?day={today + dt.timedelta(days=ahead)}")
        page.get_by_role("button", name="from the courier decisions").click()
        said = page.get_by_role("status").or_(page.get_by_role("alert"))
        expect(said).to_be_visible(timeout=60_000)
        if "stored for" in said.inner_text():
            break
    expect(page.get_by_role("status")).to_contain_text("stored for")
    expect(page.locator("#map .leaflet-interactive").first).to_be_visible()
    expect(page.get_by_role("heading", name="Driver ").first).to_be_visible()
    expect(page.get_by_role("link", name="Manifest (PDF)").first).to_be_visible()
    screenshot(page, "routes")
    link = page.get_by_role("link", name="Manifest (PDF)").first.get_attribute("href")
    pdf = page.request.get(f"{served.url}{link}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert hosts.hosts == {"127.0.0.1"}
    page.close()


def test_only_an_admin_sees_users_keys_connectors_and_the_access_record(
    browser: Browser, served: Served, hosts: HostLog
) -> None:
    dispatcher = _signed_in(browser, served, hosts, "dispatcher")
    refused = dispatcher.goto(f"{served.url}/console/admin")
    assert refused is not None and refused.status == 403
    dispatcher.close()
    page = _signed_in(browser, served, hosts, "admin")
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Connectors")).to_be_visible()
    expect(page.get_by_role("row", name="default")).to_be_visible()
    expect(page.get_by_role("row", name="pharmacist")).to_be_visible()
    expect(page.get_by_role("heading", name="Patient details viewed")).to_be_visible()
    screenshot(page, "admin")
    assert hosts.hosts == {"127.0.0.1"}
    page.close()

"""Debian's Chromium driven by Playwright (no browser download): the binary on PATH, headless,
and a record of every host a page asks for."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: Screenshots of every page the browser tests visit (kept for people to look at).
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "console"


def chromium_path() -> str:
    """The Chromium binary: skipped locally when it is not installed, a failure under CI."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: `make test` installs it under CI=true")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium from the system package."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


class HostLog:
    """Every host a page requested, to prove nothing leaves the machine."""

    def __init__(self) -> None:
        self.hosts: set[str] = set()

    def watch(self, page: Page) -> Page:
        page.on("request", lambda request: self.hosts.add(urlsplit(request.url).hostname or ""))
        return page


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``test-artifacts/console/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

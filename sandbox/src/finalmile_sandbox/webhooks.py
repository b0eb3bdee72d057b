"""Tracker events to registered webhook URLs.

EasyPost events are signed like EasyPost signs them: ``X-Hmac-Signature: hmac-sha256-hex=<hex>``,
an HMAC-SHA256 over the raw body keyed with the webhook secret after Unicode NFKD normalisation
(what ``easypost.util.validate_webhook`` checks). Shippo ``track_updated`` events carry no
signature; Shippo's documented protection is a token in the URL's query string, which the sandbox
posts back unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from finalmile_sandbox.easypost import render as easypost_render
from finalmile_sandbox.engine import Sandbox
from finalmile_sandbox.records import Api, TrackerRecord, WebhookRecord
from finalmile_sandbox.shippo import render as shippo_render
from finalmile_sandbox.store import new_id

log = logging.getLogger(__name__)
DELIVERY_TIMEOUT_SECONDS = 5.0


def easypost_signature(body: bytes, secret: str) -> str:
    """The ``X-Hmac-Signature`` value EasyPost sends for ``body``."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Delivery:
    """One webhook POST and how it went (``status`` None: no HTTP answer)."""

    url: str
    description: str
    status: int | None


class WebhookDispatcher:
    """Posts an event per tracker status change to every webhook of the tracker's API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.deliveries: list[Delivery] = []
        self._lock = asyncio.Lock()

    async def flush(self, base_url: str) -> int:
        """Send the events due as of the sandbox clock; returns how many POSTs were made."""
        async with self._lock:
            posts = [
                post
                for tracker, previous in self.sandbox.trackers.changed()
                for post in self._posts(tracker, previous, base_url)
            ]
            results = await asyncio.gather(*(self._send(*post) for post in posts))
            self.deliveries.extend(results)
            return len(results)

    def _posts(
        self, tracker: TrackerRecord, previous: str | None, base_url: str
    ) -> list[tuple[WebhookRecord, str, bytes, dict[str, str]]]:
        hooks = [h for h in self.sandbox.store.all(WebhookRecord) if h.api is tracker.api]
        if not hooks:
            return []
        now = self.sandbox.clock.now()
        posts = []
        for hook in hooks:
            headers = {"Content-Type": "application/json"}
            body: dict[str, Any]
            if tracker.api is Api.EASYPOST:
                description = "tracker.created" if previous is None else "tracker.updated"
                body = easypost_render.event(
                    event_id=new_id(Api.EASYPOST, "evt"),
                    description=description,
                    result=easypost_render.tracker(tracker, now, base_url),
                    previous_status=previous,
                    urls=[hook.url],
                    now=now,
                )
            else:
                description = "track_updated"
                body = shippo_render.track_event(tracker, now, self.sandbox.store)
            raw = json.dumps(body).encode()
            if tracker.api is Api.EASYPOST and hook.secret:
                headers["X-Hmac-Signature"] = easypost_signature(raw, hook.secret)
            posts.append((hook, description, raw, headers))
        return posts

    @staticmethod
    async def _send(
        hook: WebhookRecord, description: str, body: bytes, headers: dict[str, str]
    ) -> Delivery:
        def post() -> int | None:
            try:
                request = urllib.request.Request(  # noqa: S310 - URLs are set by the operator
                    hook.url, data=body, headers=headers, method="POST"
                )
                with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as answer:  # noqa: S310
                    return int(answer.status)
            except urllib.error.HTTPError as exc:
                return exc.code
            except (urllib.error.URLError, OSError, ValueError):  # ValueError: not an http URL
                return None

        status = await asyncio.to_thread(post)
        if status is None or status >= 300:
            log.warning("sandbox webhook %s to %s failed: %s", description, hook.id, status)
        return Delivery(url=hook.url, description=description, status=status)

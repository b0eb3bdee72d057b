"""The HTTP session given to the Shippo SDK.

Shippo 3.9 calls ``session.send(request)`` with no timeout (a stalled connection would hang a
worker forever) and never consults its own ``retry_config``. This session supplies the timeout on
every send and keeps urllib3 from re-sending anything: retries are ours, after reconciliation.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter


class TimeoutSession(requests.Session):
    """A ``requests.Session`` whose every request has a timeout and no transport retry."""

    def __init__(self, *, timeout: float, pool_size: int) -> None:
        super().__init__()
        self.timeout = timeout
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send with the session's timeout unless the caller gave one."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)

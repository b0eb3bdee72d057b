"""Download a bought label file from the URL the provider gave."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

import structlog

from finalmile.carriers import LabelFormat
from finalmile.errors import FinalmileError, PermanentError, RetriableError
from finalmile.shipments.purchase import RetryPolicy
from finalmile.shipments.store import LabelFile

log = structlog.get_logger(__name__)

MAX_LABEL_BYTES = 10 * 1024 * 1024


def download_label(url: str, *, timeout: float) -> bytes:
    """The label file at ``url``.

    Raises:
        PermanentError: not an http(s) URL, or the file is missing or too large.
        RetriableError: the host did not answer in time or failed.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise PermanentError("label URL is not http(s)")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - scheme checked
            content: bytes = response.read(MAX_LABEL_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise RetriableError(f"label download: HTTP {exc.code}") from None
        raise PermanentError(f"label download: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise RetriableError(f"label download: {type(exc).__name__}") from None
    if len(content) > MAX_LABEL_BYTES:
        raise PermanentError("label download: file larger than 10 MiB")
    return content


def label_file(
    url: str | None, label_format: LabelFormat, *, timeout: float, retry: RetryPolicy
) -> LabelFile | None:
    """The label file at ``url`` (retried per ``retry``), or None (logged) when it cannot be
    fetched now; the recovery pass fetches it later."""
    if url is None:
        return None
    try:
        return LabelFile(label_format, retry.run(lambda: download_label(url, timeout=timeout)))
    except FinalmileError as exc:
        log.warning("label_download_failed", error=str(exc))
        return None

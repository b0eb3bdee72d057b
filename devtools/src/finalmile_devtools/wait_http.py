"""``python -m finalmile_devtools.wait_http URL [SECONDS]``: wait until URL answers 2xx.

``make run`` uses it to start the demo only once the background carrier sandbox listens. Exits 0
when the URL answered, 1 (saying so on stderr) when it did not within SECONDS (default 30).
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request

POLL_SECONDS = 0.1


def wait_for(url: str, seconds: float) -> bool:
    """Whether ``url`` answered 2xx within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (local URL)
                if 200 <= response.status < 300:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(POLL_SECONDS)
    return False


def main(argv: list[str]) -> int:
    """Wait for ``argv[0]``; the exit status."""
    if not argv or len(argv) > 2:
        print("usage: python -m finalmile_devtools.wait_http URL [SECONDS]", file=sys.stderr)
        return 2
    seconds = float(argv[1]) if len(argv) == 2 else 30.0
    if wait_for(argv[0], seconds):
        return 0
    print(f"{argv[0]} did not answer within {seconds:g} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

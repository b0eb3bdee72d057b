"""HTTP API: routers per domain, mounted by ``finalmile.api.router``."""

from finalmile.api.errors import install_error_handlers
from finalmile.api.router import router
from finalmile.api.webhooks import webhooks

__all__ = [
    "install_error_handlers",
    "router",
    "webhooks",
]

"""HTTP API: routers per domain, mounted by ``finalmile.api.router``."""

from finalmile.api.errors import (
    ERROR_RESPONSES,
    ErrorBody,
    ErrorDetail,
    error_response,
    install_error_handlers,
)
from finalmile.api.limits import BodyLimits
from finalmile.api.router import router
from finalmile.api.webhooks import webhooks

__all__ = [
    "ERROR_RESPONSES",
    "BodyLimits",
    "ErrorBody",
    "ErrorDetail",
    "error_response",
    "install_error_handlers",
    "router",
    "webhooks",
]

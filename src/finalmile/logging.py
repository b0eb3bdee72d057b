"""structlog JSON logging for the service, the CLI and uvicorn alike.

Log events name ids (order id, message id, key prefix), never patient fields. As a second line
of defence, values under keys that name patient data are replaced before rendering.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any

import structlog

PHI_KEYS = frozenset(
    {
        "patient",
        "name",
        "family",
        "given",
        "birth_date",
        "dob",
        "phone",
        "email",
        "address",
        "ship_to",
        "line1",
        "line2",
        "city",
        "postal_code",
        "raw",
        "body",
        "instructions",
    }
)


def redact_phi(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the value of any key that names patient data."""
    for key in event.keys() & PHI_KEYS:
        event[key] = "[redacted]"
    return event


def exception_without_values(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Render ``exc_info`` as type and frames only: exception messages may quote patient data."""
    exc_info = event.pop("exc_info", None)
    if not exc_info:
        return event
    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    _, error, trace = exc_info
    if error is not None:
        frames = traceback.extract_tb(trace)
        event["exception"] = {
            "type": type(error).__qualname__,
            "frames": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames[-8:]],
        }
    return event


def configure_logging(level: str = "INFO") -> None:
    """Route structlog and the standard library (uvicorn, alembic) to one JSON stream on stderr."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_phi,
        exception_without_values,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "alembic"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Migration chatter ("Context impl SQLiteImpl") and a line per scheduled job run are noise.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

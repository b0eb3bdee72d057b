"""The composition root: builds every service, job and listener of a process from settings.

``finalmile.main.create_app`` and the command line are its only callers; no domain package
imports it.
"""

from finalmile.app.checks import check_configuration
from finalmile.app.items_import import ItemImport, import_items
from finalmile.app.scheduler import build_scheduler
from finalmile.app.wiring import Services, build_services

__all__ = [
    "ItemImport",
    "Services",
    "build_scheduler",
    "build_services",
    "check_configuration",
    "import_items",
]

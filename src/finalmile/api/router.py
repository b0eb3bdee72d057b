"""Mounts every domain's router, and nothing else."""

from __future__ import annotations

from fastapi import APIRouter

from finalmile.api import carriers, health, order_detail
from finalmile.connectors.http import csv as csv_http
from finalmile.connectors.http import fhir as fhir_http
from finalmile.connectors.http import views as hl7_http
from finalmile.courier import driver_views
from finalmile.courier import route_views as routes
from finalmile.evidence.archive import hold_views, listing_views
from finalmile.evidence.archive import views as archive
from finalmile.evidence.temperature import views as temperature
from finalmile.exceptions import action_views, redelivery_views
from finalmile.exceptions import views as exceptions
from finalmile.items import views as items
from finalmile.messages import views as messages
from finalmile.reports import views as metrics
from finalmile.rules import views as decisions
from finalmile.shipments import views as shipments
from finalmile.tracking import order_views, webhook_views
from finalmile.worklist import views as orders

router = APIRouter()
router.include_router(health.router)
router.include_router(orders.router)
router.include_router(order_detail.router)
router.include_router(items.router)
router.include_router(decisions.router)
router.include_router(messages.router)
router.include_router(hl7_http.router)
router.include_router(fhir_http.router)
router.include_router(csv_http.router)
router.include_router(shipments.router)
router.include_router(routes.router)
router.include_router(carriers.router)
router.include_router(temperature.router)
router.include_router(archive.router)
router.include_router(hold_views.router)
router.include_router(listing_views.router)
router.include_router(webhook_views.router)
router.include_router(driver_views.router)
router.include_router(order_views.router)
router.include_router(exceptions.router)
router.include_router(action_views.router)
router.include_router(redelivery_views.router)
router.include_router(metrics.router)

"""The complete table metadata: importing every table module registers it on SQLModel.metadata."""

from __future__ import annotations

from sqlmodel import SQLModel

from finalmile import audit
from finalmile.auth import models as auth_models
from finalmile.courier import driver_tables, plan_tables, reattempts
from finalmile.evidence import dispositions
from finalmile.evidence.archive import models as archive_models
from finalmile.evidence.temperature import models as temperature_models
from finalmile.exceptions import models as exception_models
from finalmile.intake import models as intake_models
from finalmile.items import models as item_models
from finalmile.messages import models as message_models
from finalmile.orders import models as order_models
from finalmile.outbox import models as outbox_models
from finalmile.rules import models as rule_models
from finalmile.shipments import models as shipment_models
from finalmile.tracking import models as tracking_models
from finalmile.users import models as user_models

TABLE_MODULES = (
    audit,
    archive_models,
    auth_models,
    dispositions,
    driver_tables,
    exception_models,
    intake_models,
    item_models,
    plan_tables,
    reattempts,
    temperature_models,
    message_models,
    order_models,
    outbox_models,
    rule_models,
    shipment_models,
    tracking_models,
    user_models,
)
metadata = SQLModel.metadata

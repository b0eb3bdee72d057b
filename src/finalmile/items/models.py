"""The item master table: one row per product (NDC) and scope (a site, or ``*`` for every site)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from finalmile.canonical import ControlledSchedule, StorageClass
from finalmile.db_types import BigId, ExactDecimal, UtcDateTime, ValueEnum

#: The scope of an entry that holds for every site of the installation.
EVERY_SITE = "*"


class ItemMasterRow(SQLModel, table=True):
    """A product as the pharmacy ships it. ``hazmat`` holds flags joined by commas."""

    __tablename__ = "item_master"
    __table_args__ = (UniqueConstraint("scope", "ndc", name="uq_item_master_scope_ndc"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    scope: str = Field(max_length=64)
    ndc: str = Field(max_length=11, index=True)
    description: str | None = Field(default=None, max_length=500)
    storage: StorageClass = Field(sa_column=Column(ValueEnum(StorageClass), nullable=False))
    controlled_schedule: ControlledSchedule | None = Field(
        default=None, sa_column=Column(ValueEnum(ControlledSchedule), nullable=True)
    )
    dry_ice: bool = False
    dry_ice_weight_lb: Decimal | None = Field(
        default=None, sa_column=Column(ExactDecimal, nullable=True)
    )
    insulated_shipper: bool = False
    hazmat: str = Field(default="", max_length=300)
    weight_lb: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal, nullable=True))
    length_in: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal, nullable=True))
    width_in: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal, nullable=True))
    height_in: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal, nullable=True))
    handling_notes: str | None = Field(default=None, max_length=1000)
    updated_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))

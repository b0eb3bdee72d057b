"""Tables: the rule-set versions activated per site, and every decision made for an order.

A decision's reasons can quote any order fact a rule names (a ZIP, a time zone), so the full
decision is stored encrypted; the columns needed to list and filter decisions stay plain.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from finalmile.db_types import BigId, ExactDecimal, UtcDateTime, ValueEnum
from finalmile.rules.facts import DeliveryType


class RuleSetVersion(SQLModel, table=True):
    """A rule-set file as activated for a site; exactly one version per site is active."""

    __tablename__ = "rule_set_version"
    __table_args__ = (
        UniqueConstraint("site", "version", name="uq_rule_set_version_site_version"),
        Index("ix_rule_set_version_site_active", "site", "active"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    site: str = Field(max_length=64)
    version: int
    name: str = Field(max_length=100)
    sha256: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(max_length=500)
    active: bool = False
    activated_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    activated_by: str = Field(max_length=100)


class DecisionRecord(SQLModel, table=True):
    """One decision for one version of an order; the newest per order is the current one.

    A staff override is a decision too: ``overrides_id`` names the one it superseded."""

    __tablename__ = "delivery_decision"
    __table_args__ = (
        Index("ix_delivery_decision_order", "order_pk", "order_version"),
        Index("ix_delivery_decision_type", "delivery_type", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_pk: int = Field(
        sa_column=Column(BigId, ForeignKey("dispatch_order.id", ondelete="CASCADE"), nullable=False)
    )
    order_version: int
    site: str = Field(max_length=64)
    rule_set_pk: int | None = Field(
        default=None, sa_column=Column(BigId, ForeignKey("rule_set_version.id"), nullable=True)
    )
    rule_set_version: int | None = None
    delivery_type: DeliveryType = Field(sa_column=Column(ValueEnum(DeliveryType), nullable=False))
    carrier: str | None = Field(default=None, max_length=64)
    service: str | None = Field(default=None, max_length=64)
    estimated_delivery: dt.datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    cost: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal, nullable=True))
    decision_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    overrides_id: int | None = Field(
        default=None,
        sa_column=Column(
            BigId,
            ForeignKey("delivery_decision.id", name="fk_delivery_decision_overrides_id"),
            nullable=True,
        ),
        description="Set on a staff override: the decision it superseded",
    )

"""The outbox's terms that configuration names: the topics of effects and the retry policy.

A connector profile's ``writeback`` section (``finalmile.profiles``) says which topics a target
receives and how its failed deliveries are retried; these live on the ground floor so that
reading profiles does not load the outbox itself (its tables, store and workers). The outbox
exports both (``finalmile.outbox.Topic``, ``finalmile.outbox.RetryPolicy``).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["RetryPolicy", "Topic"]


class Topic(StrEnum):
    """What happened to an order that the PMS must hear about."""

    SHIPPED = "order.shipped"
    DELIVERED = "order.delivered"
    DELIVERY_CONFIRMED = "order.delivery_confirmed"
    CANCELLED = "order.cancelled"


class RetryPolicy(BaseModel):
    """Exponential backoff with jitter, and the budget after which a row is dead-lettered."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    initial_seconds: float = Field(5, gt=0)
    max_seconds: float = Field(900, gt=0, description="the longest wait between two attempts")
    jitter_seconds: float = Field(5, ge=0)
    max_attempts: int | None = Field(
        None, ge=1, description="dead-letter after this many attempts (default: no limit)"
    )
    max_age_hours: float | None = Field(
        72, gt=0, description="dead-letter once retried this long (default 72 hours)"
    )

    @model_validator(mode="after")
    def _bounded(self) -> RetryPolicy:
        if self.max_attempts is None and self.max_age_hours is None:
            raise ValueError("give max_attempts, max_age_hours or both: retries must end")
        if self.max_seconds < self.initial_seconds:
            raise ValueError("max_seconds is below initial_seconds")
        return self

"""Imports every table module so ``SQLModel.metadata`` is complete (for Alembic and tests)."""

from __future__ import annotations


def load_models() -> None:
    """Register every table on ``SQLModel.metadata``."""
    from finalmile import audit  # noqa: F401
    from finalmile.auth import models as auth_models  # noqa: F401
    from finalmile.messages import models as message_models  # noqa: F401
    from finalmile.orders import models as order_models  # noqa: F401

"""Which receiver a ``POST /webhooks/{name}`` delivery gets: an account's, or an old route's.

``name`` is a configured account (``FINALMILE_CARRIERS``): its integration verifies the delivery
with the account's own webhook secret. ``easypost`` and ``shippo`` are also the old per-provider
routes, kept as aliases for webhooks registered before accounts had secrets: while the global
secret (``FINALMILE_EASYPOST_WEBHOOK_SECRET``; ``FINALMILE_SHIPPO_WEBHOOK_TOKEN`` with the
optional ``FINALMILE_SHIPPO_WEBHOOK_SECRET``) is set, the alias wins over an account of that name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from finalmile.carriers.easypost.info import EASYPOST
from finalmile.carriers.easypost.webhooks import EasyPostWebhooks, secrets_of
from finalmile.carriers.info import CarrierAccount
from finalmile.carriers.shippo.info import SHIPPO
from finalmile.carriers.shippo.webhooks import ShippoWebhooks
from finalmile.carriers.webhooks import SignatureError, SupportsWebhooks
from finalmile.config import Settings
from finalmile.errors import NotFoundError


@dataclass(frozen=True)
class WebhookReceiver:
    """Who verifies a delivery, and the integration its event ids belong to (idempotency)."""

    provider: str
    webhooks: SupportsWebhooks


def _easypost_alias(settings: Settings) -> SupportsWebhooks | None:
    configured = settings.easypost_webhook_secret
    return EasyPostWebhooks(secrets_of(configured.get_secret_value())) if configured else None


def _shippo_alias(settings: Settings) -> SupportsWebhooks | None:
    token, secret = settings.shippo_webhook_token, settings.shippo_webhook_secret
    if token is None:
        return None
    return ShippoWebhooks(
        token=token.get_secret_value(),
        secret=secret.get_secret_value() if secret else None,
        tolerance_seconds=settings.webhook_tolerance_seconds,
    )


#: The old routes by name (each the slug of its integration) and their global-secret receivers.
ALIASES: dict[str, Callable[[Settings], SupportsWebhooks | None]] = {
    EASYPOST.slug: _easypost_alias,
    SHIPPO.slug: _shippo_alias,
}


def webhook_receiver(
    name: str, accounts: Mapping[str, CarrierAccount], settings: Settings
) -> WebhookReceiver:
    """The receiver of ``POST /webhooks/{name}``.

    Raises:
        NotFoundError: no alias and no account of that name, or the account takes no webhooks.
        SignatureError: an alias whose global secret is unset, and no account of that name.
    """
    alias = ALIASES.get(name)
    legacy = alias(settings) if alias is not None else None
    if legacy is not None:
        return WebhookReceiver(name, legacy)
    account = accounts.get(name)
    if account is not None:
        return WebhookReceiver(account.info.slug, account.receiving_webhooks())
    if alias is not None:
        raise SignatureError(f"{name} webhooks are not configured")
    raise NotFoundError(f"no carrier account {name!r}")

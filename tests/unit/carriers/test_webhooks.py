"""Webhook verification: EasyPost's HMAC exactly as its SDK validates it; Shippo's token and HMAC;
a receiver without a secret refuses everything."""

from __future__ import annotations

import pytest
from easypost.util import validate_webhook
from pydantic import SecretStr

from finalmile.carriers.easypost.settings import EasyPostSettings
from finalmile.carriers.easypost.webhooks import EasyPostWebhooks
from finalmile.carriers.easypost.webhooks import account_webhooks as easypost_account
from finalmile.carriers.easypost.webhooks import signature as easypost_signature
from finalmile.carriers.shippo.settings import ShippoSettings
from finalmile.carriers.shippo.webhooks import ShippoWebhooks
from finalmile.carriers.shippo.webhooks import account_webhooks as shippo_account
from finalmile.carriers.shippo.webhooks import signature as shippo_signature
from finalmile.carriers.webhooks import SignatureError, WebhookRequest

BODY = b'{"object":"Event","id":"evt_1","description":"tracker.updated"}'
#: NFKD turns the ligature into "fi": both sides must normalise the secret.
SECRET = "ﬁnalmile-secret"
NOW = 1_700_000_000


def request(
    headers: dict[str, str] | None = None,
    token: str | None = None,
    body: bytes = BODY,
    at: float = NOW,
) -> WebhookRequest:
    query = {"token": token} if token is not None else {}
    return WebhookRequest(body=body, headers=headers or {}, query=query, received_at=at)


def test_our_easypost_signature_is_the_one_the_sdk_validates() -> None:
    header = easypost_signature(BODY, SECRET)
    assert validate_webhook(BODY, {"X-Hmac-Signature": header}, SECRET)["id"] == "evt_1"
    EasyPostWebhooks((SECRET,)).verify(request({"X-Hmac-Signature": header}))
    # Rotation, and the NFKD form of the secret.
    EasyPostWebhooks(("old-secret", "finalmile-secret")).verify(
        request({"X-Hmac-Signature": header})
    )


@pytest.mark.parametrize(
    "header",
    [None, "", "hmac-sha256-hex=00", easypost_signature(BODY + b" ", SECRET)],
    ids=["absent", "empty", "forged", "other-body"],
)
def test_unsigned_and_forged_easypost_bodies_are_refused(header: str | None) -> None:
    headers = {"X-Hmac-Signature": header} if header is not None else {}
    with pytest.raises(SignatureError):
        EasyPostWebhooks((SECRET,)).verify(request(headers))


def test_an_account_without_a_secret_refuses_everything() -> None:
    easypost = easypost_account(EasyPostSettings(api_key=SecretStr("k")))
    shippo = shippo_account(ShippoSettings(api_key=SecretStr("k")))
    with pytest.raises(SignatureError):
        easypost.verify(request({"X-Hmac-Signature": easypost_signature(BODY, "")}))
    with pytest.raises(SignatureError):
        shippo.verify(request(token=""))


def test_account_secrets_come_from_the_account_settings() -> None:
    settings = EasyPostSettings(api_key=SecretStr("k"), webhook_secret=SecretStr(" new , old "))
    header = {"X-Hmac-Signature": easypost_signature(BODY, "old")}
    easypost_account(settings).verify(request(header))
    shippo = shippo_account(
        ShippoSettings(
            api_key=SecretStr("k"),
            webhook_token=SecretStr("abc123"),
            webhook_secret=SecretStr("s3cret"),
            webhook_tolerance_seconds=60,
        )
    )
    assert shippo == ShippoWebhooks(token="abc123", secret="s3cret", tolerance_seconds=60)


def test_shippo_token_must_match() -> None:
    webhooks = ShippoWebhooks(token="abc123", secret=None, tolerance_seconds=300)
    webhooks.verify(request(token="abc123"))
    for given in (None, "", "abc124"):
        with pytest.raises(SignatureError):
            webhooks.verify(request(token=given))


def test_shippo_signature_within_the_tolerance() -> None:
    webhooks = ShippoWebhooks(token="abc123", secret="s3cret", tolerance_seconds=300)
    header = {"Shippo-Auth-Signature": shippo_signature(BODY, "s3cret", NOW)}
    webhooks.verify(request(header, token="abc123", at=NOW + 200))


@pytest.mark.parametrize(
    ("header", "now"),
    [
        (None, NOW),
        ("v1=abc", NOW),
        ("t=soon,v1=abc", NOW),
        (shippo_signature(BODY, "s3cret", NOW), NOW + 301),  # replayed late
        (shippo_signature(BODY, "s3cret", NOW), NOW - 1000),  # from the future
        (shippo_signature(BODY, "other", NOW), NOW),
        (shippo_signature(BODY + b"x", "s3cret", NOW), NOW),
        ("t=" + "9" * 5000 + ",v1=abc", NOW),
        ("t=2\u00b2,v1=abc", NOW),
    ],
    ids=[
        "absent",
        "no-time",
        "bad-time",
        "stale",
        "future",
        "wrong-secret",
        "other-body",
        "5000-digits",
        "superscript-digit",
    ],
)
def test_bad_shippo_signatures_are_refused(header: str | None, now: int) -> None:
    webhooks = ShippoWebhooks(token="abc123", secret="s3cret", tolerance_seconds=300)
    headers = {"Shippo-Auth-Signature": header} if header is not None else {}
    with pytest.raises(SignatureError):
        webhooks.verify(request(headers, token="abc123", at=now))

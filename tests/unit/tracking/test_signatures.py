"""Webhook signatures: EasyPost's exactly as its SDK validates them; Shippo's token and HMAC."""

from __future__ import annotations

import pytest
from easypost.util import validate_webhook

from finalmile.tracking.signatures import (
    SignatureError,
    easypost_signature,
    shippo_signature,
    verify_easypost,
    verify_shippo_signature,
    verify_shippo_token,
)

BODY = b'{"object":"Event","id":"evt_1","description":"tracker.updated"}'
#: NFKD turns the ligature into "fi": both sides must normalise the secret.
SECRET = "ﬁnalmile-secret"


def test_our_easypost_signature_is_the_one_the_sdk_validates() -> None:
    header = easypost_signature(BODY, SECRET)
    assert validate_webhook(BODY, {"X-Hmac-Signature": header}, SECRET)["id"] == "evt_1"
    verify_easypost(BODY, header, [SECRET])
    verify_easypost(BODY, header, ["old-secret", "finalmile-secret"])  # rotation, NFKD form


@pytest.mark.parametrize(
    "header",
    [None, "", "hmac-sha256-hex=00", easypost_signature(BODY + b" ", SECRET)],
    ids=["absent", "empty", "forged", "other-body"],
)
def test_unsigned_and_forged_easypost_bodies_are_refused(header: str | None) -> None:
    with pytest.raises(SignatureError):
        verify_easypost(BODY, header, [SECRET])


def test_shippo_token_must_match() -> None:
    verify_shippo_token("abc123", "abc123")
    for given in (None, "", "abc124"):
        with pytest.raises(SignatureError):
            verify_shippo_token(given, "abc123")


def test_shippo_signature_within_the_tolerance() -> None:
    header = shippo_signature(BODY, "s3cret", 1_700_000_000)
    verify_shippo_signature(BODY, header, "s3cret", now=1_700_000_200, tolerance_seconds=300)


@pytest.mark.parametrize(
    ("header", "now"),
    [
        (None, 1_700_000_000),
        ("v1=abc", 1_700_000_000),
        ("t=soon,v1=abc", 1_700_000_000),
        (shippo_signature(BODY, "s3cret", 1_700_000_000), 1_700_000_301),  # replayed late
        (shippo_signature(BODY, "s3cret", 1_700_000_000), 1_699_999_000),  # from the future
        (shippo_signature(BODY, "other", 1_700_000_000), 1_700_000_000),
        (shippo_signature(BODY + b"x", "s3cret", 1_700_000_000), 1_700_000_000),
    ],
    ids=["absent", "no-time", "bad-time", "stale", "future", "wrong-secret", "other-body"],
)
def test_bad_shippo_signatures_are_refused(header: str | None, now: int) -> None:
    with pytest.raises(SignatureError):
        verify_shippo_signature(BODY, header, "s3cret", now=now, tolerance_seconds=300)

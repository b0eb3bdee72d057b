"""Standard Webhooks signatures as the official library computes them, and ``verify``."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import httpx2
import pytest
from standardwebhooks import Webhook

from finalmile.connectors.writeback import (
    WebhookWriteback,
    ping,
    signature_headers,
    standard_secret,
    verify,
)
from finalmile.connectors.writeback.signing import sign_finalmile
from finalmile.profiles import SignatureScheme, WebhookTarget

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the specification's example secret
BODY = b'{"test": 2432232314}'
STAMP = 1_614_265_330


def test_standard_signature_matches_the_official_library() -> None:
    headers = signature_headers(
        SignatureScheme.STANDARD,
        [standard_secret(SECRET)],
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        STAMP,
        BODY,
    )
    library = Webhook(SECRET).sign(
        "msg_p5jXN8AQM9LWM0D4loKWxJek", dt.datetime.fromtimestamp(STAMP, dt.UTC), BODY
    )
    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": str(STAMP),
        "webhook-signature": library,
    }


@pytest.mark.parametrize(
    ("secret", "body", "now", "signature_ok", "ok"),
    [
        (SECRET, BODY, STAMP + 10, True, True),
        (SECRET, BODY + b" ", STAMP + 10, False, False),
        ("whsec_" + "QUJD" * 8, BODY, STAMP + 10, False, False),
        (SECRET, BODY, STAMP + 301, True, False),
    ],
    ids=["valid", "changed body", "wrong secret", "stale"],
)
def test_verify_names_what_is_wrong(
    secret: str, body: bytes, now: int, signature_ok: bool, ok: bool
) -> None:
    keys = [standard_secret("whsec_" + "WFla" * 8), standard_secret(SECRET)]  # rotating
    headers = signature_headers(SignatureScheme.STANDARD, keys, "evt", STAMP, BODY)
    verdict = verify(secret, headers, body, now=now)
    assert (verdict.scheme, verdict.signature_ok, verdict.ok()) == (
        SignatureScheme.STANDARD,
        signature_ok,
        ok,
    )
    assert verdict.ok(None) is signature_ok  # --any-age: the signature alone


def test_verify_recognises_the_older_scheme() -> None:
    headers = {
        "Finalmile-Timestamp": str(STAMP),
        "Finalmile-Signature": sign_finalmile(b"s", STAMP, BODY),
    }
    assert verify("s", headers, BODY, now=STAMP).ok()
    assert not verify("t", headers, BODY, now=STAMP).signature_ok


def test_a_profile_on_the_older_scheme_still_gets_it() -> None:
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200)

    settings = WebhookTarget.model_validate({"url": "https://pms.example/e", "secret_env": "S"})
    target = WebhookWriteback(
        settings, keys=[b"older"], clock=lambda: STAMP, transport=httpx2.MockTransport(answer)
    )
    target.send(ping("pms", now=dt.datetime.fromtimestamp(STAMP, dt.UTC), nonce="n"))
    target.close()
    [request] = seen
    expected = hmac.new(b"older", f"{STAMP}.".encode() + request.content, hashlib.sha256)
    assert request.headers["Finalmile-Timestamp"] == str(STAMP)
    assert request.headers["Finalmile-Signature"] == "v1=" + expected.hexdigest()
    assert "webhook-signature" not in request.headers

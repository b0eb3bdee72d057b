"""The ``writeback`` section is validated with the rest of a profile, errors named by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from finalmile.config.settings import Settings
from finalmile.connectors.writeback.targets import build_targets
from finalmile.errors import ConfigError
from finalmile.profiles.registry import load_connectors


def _settings(tmp_path: Path, text: str) -> Settings:
    folder = tmp_path / "connectors"
    folder.mkdir()
    (folder / "pms.yaml").write_text(text, encoding="utf-8")
    return Settings(config_dir=tmp_path, secret_key=Fernet.generate_key().decode())


def test_bad_writeback_settings_are_named_with_their_line(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        """hl7v2: {}
writeback:
  webhook:
    url: not a url
    secret_env: lower-case
  hl7v2:
    host: pms.local
    port: 2575
    message: orm
  retry:
    max_attempts: null
    max_age_hours: null
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_connectors(settings)
    pms = tmp_path / "connectors" / "pms.yaml"
    starts = [  # pydantic's own words follow the first three
        f"{pms}:4: writeback.webhook.url: ",
        f"{pms}:5: writeback.webhook.secret_env: ",
        f"{pms}:9: writeback.hl7v2.message: ",
        f"{pms}:10: writeback.retry: give max_attempts, max_age_hours or both: retries must end",
    ]
    errors = caught.value.errors
    assert len(errors) == len(starts), "\n".join(errors)
    for error, start in zip(errors, starts, strict=True):
        assert error.startswith(start), f"{error!r} does not start with {start!r}"


def test_a_missing_webhook_secret_is_a_config_error(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        """hl7v2: {}
writeback:
  webhook:
    url: http://127.0.0.1:9/hooks
    secret_env: PMS_WEBHOOK_SECRET
""",
    )
    connectors = load_connectors(settings)
    with pytest.raises(ConfigError, match="PMS_WEBHOOK_SECRET is not set"):
        build_targets([connectors.get("pms")], environ={})
    targets = build_targets([connectors.get("pms")], environ={"PMS_WEBHOOK_SECRET": "s"})
    assert [t.name for t in targets.for_connector("pms")] == ["webhook"]
    assert targets.for_connector("default") == []
    targets.close()


STANDARD = "whsec_dW5pdCB0ZXN0czogYSBzdGFuZGFyZCBzZWNyZXQh"


def test_the_signature_scheme_is_chosen_per_profile(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        """hl7v2: {}
writeback:
  webhook:
    url: http://127.0.0.1:9/hooks
    secret_env: OLD_SECRET
""",
    )
    older = load_connectors(settings).get("pms").writeback
    assert older is not None and older.webhook is not None
    # A profile written before Standard Webhooks keeps the scheme its receiver verifies.
    assert older.webhook.signature.value == "finalmile"
    assert older.webhook.secret_env == ("OLD_SECRET",)


def test_standard_secrets_must_be_whsec_and_are_never_quoted(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        """hl7v2: {}
writeback:
  webhook:
    url: http://127.0.0.1:9/hooks
    signature: standard
    secret_env: [NEW_SECRET, OLD_SECRET]
""",
    )
    pms = load_connectors(settings).get("pms")
    with pytest.raises(ConfigError) as caught:
        build_targets([pms], environ={"NEW_SECRET": "plain-text-secret", "OLD_SECRET": "whsec_!!"})
    assert caught.value.errors == [
        "connector 'pms' (writeback.webhook.secret_env): variable NEW_SECRET: "
        "a Standard Webhooks secret starts with whsec_",
        "connector 'pms' (writeback.webhook.secret_env): variable OLD_SECRET: "
        "the part after whsec_ is not base64",
    ]
    assert "plain-text-secret" not in str(caught.value)
    targets = build_targets([pms], environ={"NEW_SECRET": STANDARD, "OLD_SECRET": STANDARD})
    assert [t.name for t in targets.for_connector("pms")] == ["webhook"]
    targets.close()


def test_rotation_needs_the_standard_scheme(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        """hl7v2: {}
writeback:
  webhook:
    url: http://127.0.0.1:9/hooks
    signature: finalmile
    secret_env: [NEW_SECRET, OLD_SECRET]
""",
    )
    with pytest.raises(ConfigError, match=r"several secrets \(rotation\) need signature: standard"):
        load_connectors(settings)

"""PHI encryption at rest: round trip, rotation, wrong keys, development key file."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from finalmile.config.settings import Environment, Settings
from finalmile.errors import ConfigError
from finalmile.vault import DecryptionError, Vault, vault_from_settings


def test_round_trip_does_not_store_plaintext() -> None:
    vault = Vault([Fernet.generate_key()])
    sealed = vault.encrypt(b"PID|||MRN1||Testpatient^Ann")
    assert b"Testpatient" not in sealed
    assert vault.decrypt(sealed) == b"PID|||MRN1||Testpatient^Ann"


def test_rotation_reads_old_ciphertext_and_writes_with_the_newest_key() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    sealed_with_old = Vault([old]).encrypt(b"x")
    rotated = Vault([new, old])
    assert rotated.decrypt(sealed_with_old) == b"x"
    assert Vault([new]).decrypt(rotated.encrypt(b"y")) == b"y"


def test_wrong_key_is_a_decryption_error() -> None:
    sealed = Vault([Fernet.generate_key()]).encrypt(b"x")
    with pytest.raises(DecryptionError):
        Vault([Fernet.generate_key()]).decrypt(sealed)


def test_malformed_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="FINALMILE_SECRET_KEY"):
        Vault([b"not-a-key"])


def test_development_generates_one_private_key_file_and_reuses_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = vault_from_settings(settings)
    key_file = tmp_path / "secret.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert vault_from_settings(settings).decrypt(first.encrypt(b"z")) == b"z"


def test_settings_key_list_is_comma_separated(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = Vault([old.encode()]).encrypt(b"q")
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr(f"{new}, {old}"))
    assert vault_from_settings(settings).decrypt(sealed) == b"q"


def test_production_without_a_key_lists_every_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings(environment=Environment.PRODUCTION, timezone="Mars/Olympus")
    assert len(caught.value.errors) == 3
    assert any("FINALMILE_SECRET_KEY" in e for e in caught.value.errors)
    assert any("FINALMILE_DATABASE_URL" in e for e in caught.value.errors)
    assert any("Mars/Olympus" in e for e in caught.value.errors)

"""Encryption of PHI at rest (Fernet: AES-128-CBC with HMAC-SHA256), with key rotation.

Raw inbound messages and the patient part of each order are stored encrypted; the key list is
``FINALMILE_SECRET_KEY`` (newest first). In development a key is generated once into the data
directory so ``make run`` needs no setup; production refuses to start without a configured key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from finalmile.config import Environment, Settings
from finalmile.errors import ConfigError, FinalmileError

DEV_KEY_FILE = "secret.key"


class DecryptionError(FinalmileError):
    """Stored ciphertext could not be decrypted with any configured key."""


class Vault:
    """Encrypts and decrypts stored PHI with the newest key, reading with any configured key."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ConfigError(["at least one encryption key is required"])
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except ValueError as exc:
            raise ConfigError([f"FINALMILE_SECRET_KEY: {exc}"]) from exc

    def encrypt(self, plaintext: bytes) -> bytes:
        """Ciphertext of ``plaintext`` under the newest key."""
        return self._fernet.encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """Plaintext of ``ciphertext``; raises DecryptionError if no key fits."""
        try:
            return self._fernet.decrypt(ciphertext)
        except InvalidToken as exc:
            raise DecryptionError("stored data does not decrypt with any configured key") from exc

    @staticmethod
    def generate_key() -> str:
        """A new random key in the form FINALMILE_SECRET_KEY takes."""
        return Fernet.generate_key().decode()


def vault_from_settings(settings: Settings) -> Vault:
    """The vault for ``settings``; in development creates a key file on first use."""
    if settings.secret_key is not None:
        raw = settings.secret_key.get_secret_value()
        return Vault([k.strip().encode() for k in raw.split(",") if k.strip()])
    if settings.environment is not Environment.DEVELOPMENT:
        raise ConfigError(["FINALMILE_SECRET_KEY is required outside development"])
    return Vault([_development_key(settings.data_dir / DEV_KEY_FILE)])


def _development_key(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key

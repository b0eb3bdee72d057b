"""The write-back targets of every connector, built once per process from the profiles.

``Targets`` is what the outbox worker delivers through (``outbox.ports.Deliverers``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from finalmile.connectors.writeback.billing_csv import BillingCsvWriteback
from finalmile.connectors.writeback.hl7 import Hl7Writeback
from finalmile.connectors.writeback.signing import standard_secret
from finalmile.connectors.writeback.webhook import WebhookWriteback
from finalmile.errors import ConfigError
from finalmile.outbox import Deliverer, RetryPolicy
from finalmile.profiles import ConnectorProfile, SignatureScheme, WebhookTarget


class Targets:
    """Targets and retry policy per connector name."""

    def __init__(
        self,
        targets: Mapping[str, list[Deliverer]],
        policies: Mapping[str, RetryPolicy],
    ) -> None:
        self._targets = dict(targets)
        self._policies = dict(policies)

    def for_connector(self, connector: str) -> list[Deliverer]:
        """The connector's targets (none when it has no ``writeback`` section)."""
        return self._targets.get(connector, [])

    def policy(self, connector: str) -> RetryPolicy:
        """The connector's retry policy (the defaults when it configures none)."""
        return self._policies.get(connector) or RetryPolicy()

    def close(self) -> None:
        """Close every target that holds connections."""
        for targets in self._targets.values():
            for target in targets:
                close = getattr(target, "close", None)
                if close is not None:
                    close()


def webhook_target(
    connector: str,
    settings: WebhookTarget,
    environ: Mapping[str, str],
    *,
    clock: Callable[[], float] = time.time,
) -> WebhookWriteback:
    """The webhook target of one connector, its secrets read from ``environ``.

    Raises:
        ConfigError: a secret's variable is unset, or (standard) not a ``whsec_`` secret.
    """
    keys: list[bytes] = []
    errors: list[str] = []
    for name in settings.secret_env:
        where = f"connector {connector!r} (writeback.webhook.secret_env): variable {name}"
        value = environ.get(name)
        if not value:
            errors.append(f"{where} is not set")
        elif settings.signature is SignatureScheme.STANDARD:
            try:
                keys.append(standard_secret(value))
            except ValueError as exc:
                errors.append(f"{where}: {exc}")
        else:
            keys.append(value.encode())
    if errors:
        raise ConfigError(errors)
    return WebhookWriteback(settings, keys=keys, clock=clock)


def build_targets(
    profiles: Iterable[ConnectorProfile],
    *,
    config_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Targets:
    """The targets every profile configures (relative CSV folders are under ``config_dir``).

    Raises:
        ConfigError: a secret's environment variable is not set or (Standard Webhooks) not a
            ``whsec_`` secret (every one listed).
    """
    env = os.environ if environ is None else environ
    targets: dict[str, list[Deliverer]] = {}
    policies: dict[str, RetryPolicy] = {}
    errors: list[str] = []
    for profile in profiles:
        section = profile.writeback
        if section is None:
            continue
        policies[profile.name] = section.retry
        built: list[Deliverer] = []
        if section.webhook is not None:
            try:
                built.append(webhook_target(profile.name, section.webhook, env))
            except ConfigError as exc:
                errors += exc.errors
        if section.hl7v2 is not None:
            built.append(Hl7Writeback(section.hl7v2))
        if section.fhir is not None:
            # Deferred: it loads the FHIR models, which only FHIR write-back needs.
            from finalmile.connectors.writeback.fhir import FhirWriteback  # noqa: PLC0415

            try:
                built.append(FhirWriteback(section.fhir, environ=env))
            except ConfigError as exc:
                errors += [f"connector {profile.name!r} ({e})" for e in exc.errors]
        if section.billing_csv is not None:
            csv_target = section.billing_csv
            if not csv_target.folder.is_absolute():
                folder = (config_dir or Path.cwd()) / csv_target.folder
                csv_target = csv_target.model_copy(update={"folder": folder})
            built.append(BillingCsvWriteback(csv_target))
        targets[profile.name] = built
    if errors:
        raise ConfigError(errors)
    return Targets(targets, policies)

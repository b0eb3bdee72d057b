"""The exceptions tests reuse the tracking tests' carrier sandbox and services."""

from tests.integration.tracking.conftest import cli_env, sandbox, track_settings, tracked

__all__ = ["cli_env", "sandbox", "track_settings", "tracked"]

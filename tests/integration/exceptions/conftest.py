"""The exceptions tests reuse the tracking tests' carrier sandbox and services."""

from tests.integration.tracking.conftest import sandbox, track_settings, tracked

__all__ = ["sandbox", "track_settings", "tracked"]

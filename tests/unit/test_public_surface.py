"""The package's public surface is explicit, complete and sorted."""

from __future__ import annotations

from importlib.metadata import version

import finalmile


def test_all_is_sorted_and_every_name_exists() -> None:
    assert finalmile.__all__ == sorted(finalmile.__all__)
    assert all(hasattr(finalmile, name) for name in finalmile.__all__)


def test_version_is_the_distribution_version() -> None:
    assert finalmile.__version__ == version("finalmile")

"""The staff web console: server-rendered pages over the same services as the API, signed-in
users with roles, live updates, and every asset served locally (docs/console.md)."""

from finalmile.console.app import install_console

__all__ = ["install_console"]

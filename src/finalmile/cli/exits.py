"""How a command fails: its message on stderr and an exit code. Light on purpose: a command's
module imports it without the settings and services ``finalmile.cli.context`` brings."""

from __future__ import annotations

import sys

import typer


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on stderr and return the Exit to raise."""
    print(message, file=sys.stderr)
    return typer.Exit(code)

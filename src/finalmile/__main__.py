"""``python -m finalmile``: the command line."""

from finalmile.cli import app

app(prog_name="finalmile")

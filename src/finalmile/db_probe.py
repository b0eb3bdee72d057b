"""``python -m finalmile.db_probe URL``: exit non-zero unless the database at URL answers."""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text


def main(argv: list[str]) -> int:
    """Connect to ``argv[1]`` and run ``SELECT 1``; report failure on stderr."""
    if len(argv) != 2:
        print("usage: python -m finalmile.db_probe URL", file=sys.stderr)
        return 2
    engine = create_engine(
        argv[1], connect_args={"connect_timeout": 5} if "postgresql" in argv[1] else {}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        print(f"database unreachable: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

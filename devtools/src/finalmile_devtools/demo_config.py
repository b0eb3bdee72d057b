"""``python -m finalmile_devtools.demo_config DIR --pms-url URL``: the demo's configuration folder.

``make run`` (when ``FINALMILE_CONFIG_DIR`` is not set) points finalmile at ``DIR``, which holds
one file, ``connectors/default.yaml``: the built-in default connector plus a webhook write-back to
the fake PMS (``finalmile_devtools.fake_pms``), signed with Standard Webhooks and the secret in
``FINALMILE_DEMO_PMS_SECRET``, with short retry waits so a fake PMS started late is caught up
within seconds. Sites and rules stay the embedded defaults. The file is rewritten on every run.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from finalmile_devtools.fake_pms import SECRET_ENV

HEADER = (
    "# Written by `make run` (finalmile_devtools.demo_config) on every run: the built-in default\n"
    "# connector, with its write-back going to the demo's fake PMS.\n"
)
#: Demo retry waits: seconds, not the production minutes (docs/webhooks.md).
DEMO_RETRY = {"initial_seconds": 1, "max_seconds": 10, "jitter_seconds": 1}


def demo_profile(pms_url: str, *, secret_env: str = SECRET_ENV) -> dict[str, Any]:
    """The built-in default connector profile with a webhook write-back to ``pms_url``."""
    builtin = resources.files("finalmile.config") / "defaults" / "connectors" / "default.yaml"
    profile: dict[str, Any] = yaml.safe_load(builtin.read_text("utf-8"))
    profile["writeback"] = {
        "webhook": {"url": pms_url, "signature": "standard", "secret_env": secret_env},
        "retry": DEMO_RETRY,
    }
    return profile


def write_demo_config(folder: Path, *, pms_url: str, secret_env: str = SECRET_ENV) -> Path:
    """Write ``folder/connectors/default.yaml``; returns its path."""
    path = folder / "connectors" / "default.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(demo_profile(pms_url, secret_env=secret_env), sort_keys=False)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    """Write the folder named on the command line; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m finalmile_devtools.demo_config")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--pms-url", required=True, help="the fake PMS's webhook URL")
    args = parser.parse_args(argv)
    path = write_demo_config(args.folder, pms_url=args.pms_url)
    print(f"demo connector profile: {path} (write-back to {args.pms_url})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

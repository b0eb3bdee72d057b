"""The examples in docs/rules.md are valid: the rules load and the site file validates."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from finalmile.rules import load_rule_set, load_site_config

DOC = (Path(__file__).parents[3] / "docs" / "rules.md").read_text()
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.DOTALL)


def test_every_rule_example_loads() -> None:
    settings: dict[str, object] = {"courier_radius_miles": 50}
    rules: list[object] = []
    for block in BLOCKS:
        if block.startswith("name: demo"):
            continue
        data = yaml.safe_load(block if not block.startswith("  ") else "rules:\n" + block)
        settings |= data.get("settings") or {}
        rules += data.get("rules") or []
    assert len(rules) == 6
    text = yaml.safe_dump({"name": "examples", "settings": settings, "rules": rules})
    assert len(load_rule_set(text, source="docs/rules.md").rules) == len(rules)


def test_the_site_example_validates() -> None:
    (site,) = [b for b in BLOCKS if b.startswith("name: demo")]
    config = load_site_config(site, source="docs/rules.md")
    assert config.carriers[0].services[0].bands[-1].up_to_miles is None

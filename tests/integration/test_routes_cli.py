"""``finalmile routes plan``: the demo day end to end, manifests on disk, located input errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from finalmile.cli import app

runner = CliRunner()


def test_demo_day_is_planned_feasibly_with_manifests(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["routes", "plan", "--demo", "--seconds", "0.3", "--manifests", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["feasible"] is True and summary["violations"] == []
    planned = {s["order_id"] for r in summary["routes"] for s in r["stops"]}
    left = {u["order_id"] for u in summary["unassigned"]}
    assert len(planned) + len(left) == 24 and not planned & left
    assert all(u["reason"] in {"unreachable", "deferred", "no_room"} for u in summary["unassigned"])
    written = sorted(p.stem for p in tmp_path.glob("*.json"))
    assert written == sorted(r["driver_id"] for r in summary["routes"])
    for path in tmp_path.glob("*.json"):
        text = path.read_text()
        assert "Testpatient" not in text and "MRN-DEMO" not in text


def test_bad_day_file_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "day.json"
    path.write_text(json.dumps({"sites": [], "drivers": [], "jobs": []}))
    result = runner.invoke(app, ["routes", "plan", str(path), "--date", "2026-11-24"])
    assert result.exit_code == 1
    assert "day.json: sites" in result.stderr

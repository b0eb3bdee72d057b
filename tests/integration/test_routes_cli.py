"""``finalmile routes plan``: the demo day end to end, manifests on disk, located input errors."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader
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
    drivers = sorted(r["driver_id"] for r in summary["routes"])
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == drivers
    assert sorted(p.stem for p in tmp_path.glob("*.pdf")) == drivers
    for route in summary["routes"]:
        text = (tmp_path / f"{route['driver_id']}.json").read_text()
        assert "Testpatient" not in text and "MRN-DEMO" not in text
        pages = PdfReader(tmp_path / f"{route['driver_id']}.pdf").pages
        paper = "\n".join(page.extract_text() for page in pages)
        positions = [paper.index(s["order_id"]) for s in route["stops"]]
        assert positions == sorted(positions)
        assert "Testpatient" not in paper and "MRN-DEMO" not in paper


def test_bad_day_file_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "day.json"
    path.write_text(json.dumps({"sites": [], "drivers": [], "jobs": []}))
    result = runner.invoke(app, ["routes", "plan", str(path), "--date", "2026-11-24"])
    assert result.exit_code == 1
    assert "day.json: sites" in result.stderr

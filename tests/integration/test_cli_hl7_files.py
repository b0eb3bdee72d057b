"""``finalmile ingest`` and ``finalmile decide`` on HL7 files as real systems write them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finalmile.cli import app
from finalmile.config.settings import Settings
from tests.hl7_builder import rde

runner = CliRunner()
BOM = b"\xef\xbb\xbf"
NOT_HL7 = b"GET / HTTP/1.1\r\nHost: pms.example\r\n\r\n"


@pytest.mark.parametrize("dry_run", [["--dry-run"], []])
def test_ingest_reads_two_messages_behind_a_bom(
    cli_env: Settings, tmp_path: Path, dry_run: list[str]
) -> None:
    path = tmp_path / "glued.hl7"
    path.write_bytes(BOM + rde("G1", "RX-G1") + rde("G2", "RX-G2"))
    result = runner.invoke(app, ["ingest", str(path), *dry_run])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    found = [line.get("order_id") or line["orders"][0] for line in lines]
    assert found == ["RX-G1", "RX-G2"]


@pytest.mark.parametrize("dry_run", [["--dry-run"], []])
def test_ingest_of_a_file_that_is_not_hl7_names_msh_and_exits_1(
    cli_env: Settings, tmp_path: Path, dry_run: list[str]
) -> None:
    path = tmp_path / "capture.hl7"
    path.write_bytes(NOT_HL7)
    result = runner.invoke(app, ["ingest", str(path), *dry_run])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    error = json.loads(result.stderr.strip())
    assert (error["file"], error["location"], error["code"]) == (
        "capture.hl7",
        "MSH",
        "missing_msh",
    )
    assert runner.invoke(app, ["messages", "list"]).stdout == ""


def test_decide_on_a_file_that_is_not_hl7_names_msh_and_exits_1(
    cli_env: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "capture.hl7"
    path.write_bytes(NOT_HL7)
    result = runner.invoke(app, ["decide", str(path), "--at", "2026-11-23T09:00"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    error = json.loads(result.stderr.strip())
    assert (error["location"], error["code"]) == ("MSH", "missing_msh")


def test_decide_reads_a_file_that_starts_with_a_bom(cli_env: Settings, tmp_path: Path) -> None:
    path = tmp_path / "bom.hl7"
    path.write_bytes(BOM + rde("D1", "RX-D1"))
    result = runner.invoke(app, ["decide", str(path), "--at", "2026-11-23T09:00"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["order_id"] == "RX-D1"

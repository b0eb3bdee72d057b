"""``connectors check`` runs exactly what ``serve`` validates; a bad configuration at ``serve``
is the documented listing on stderr and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from finalmile.cli import app
from finalmile.config.settings import Settings

runner = CliRunner()

UNSET_SECRET = """\
hl7v2: {}
writeback:
  webhook:
    url: https://pms.example.invalid/hook
    secret_env: FINALMILE_TEST_UNSET_SECRET
"""


def _profile(tmp_path: Path, text: str) -> Path:
    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "pms.yaml").write_text(text)
    return tmp_path


def test_check_refuses_a_profile_whose_secret_is_unset(
    cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FINALMILE_TEST_UNSET_SECRET", raising=False)
    config = _profile(tmp_path, UNSET_SECRET)
    result = runner.invoke(app, ["connectors", "check", "--config-dir", str(config)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("invalid configuration:\n  - ")
    assert "FINALMILE_TEST_UNSET_SECRET" in result.stderr
    monkeypatch.setenv("FINALMILE_TEST_UNSET_SECRET", "s3cret")
    passed = runner.invoke(app, ["connectors", "check", "--config-dir", str(config)])
    assert passed.exit_code == 0, passed.output


@pytest.mark.parametrize("text", [UNSET_SECRET, "hl7v2:\n  mapping:\n    storage: nowhere\n"])
def test_serve_with_a_bad_configuration_lists_it_and_exits_2(
    cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.delenv("FINALMILE_TEST_UNSET_SECRET", raising=False)
    monkeypatch.setenv("FINALMILE_CONFIG_DIR", str(_profile(tmp_path, text)))
    result = runner.invoke(app, ["serve", "--port", "0", "--no-mllp"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("invalid configuration:\n  - ")
    assert "Traceback" not in result.output and '"event"' not in result.stderr

"""The item master end to end: ``finalmile items import|show`` and ``GET /items/{ndc}`` over the
stored table (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from finalmile.app import Services, import_items
from finalmile.auth import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app
from finalmile.config.settings import Settings

runner = CliRunner()


def _reader(client: TestClient) -> dict[str, str]:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    with services.sessions() as session, session.begin():
        return {
            "X-API-Key": create_key(session=session, name="t", scopes=[Scope.ORDERS_READ]).token
        }


def test_import_then_show_by_any_layout_with_site_entries_kept_apart(
    cli_env: Settings, tmp_path: Path
) -> None:
    every = tmp_path / "items.csv"
    every.write_text(
        "ndc,storage,insulated_shipper,weight_lb\n0002-8215-01,refrigerated,true,3.5\n",
        encoding="utf-8",
    )
    site = tmp_path / "demo.yaml"
    site.write_text("items:\n  - ndc: '00002821501'\n    storage: frozen\n", encoding="utf-8")
    imported = runner.invoke(app, ["items", "import", str(every)])
    assert imported.exit_code == 0, imported.output
    assert "1 items imported for every site" in imported.output
    assert "0 held orders released (storage now known)" in imported.output
    assert runner.invoke(app, ["items", "import", str(site), "--site", "demo"]).exit_code == 0

    shown = runner.invoke(app, ["items", "show", "00002-8215-01"])
    assert shown.exit_code == 0, shown.output
    entries = json.loads(shown.stdout)
    assert entries["*"]["storage"] == "refrigerated"
    assert entries["*"]["insulated_shipper"] is True
    assert entries["*"]["weight_lb"] == "3.5"
    assert entries["demo"]["storage"] == "frozen"

    missing = runner.invoke(app, ["items", "show", "61958-1501-01"])
    assert missing.exit_code == 1
    assert "not in the item master" in missing.stderr


def test_a_file_with_problems_writes_nothing_and_lists_them(
    cli_env: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "items.csv"
    path.write_text("ndc,storage\n0002-8215-01,refrigerated\n12345,frozen\n", encoding="utf-8")
    result = runner.invoke(app, ["items", "import", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3: ndc: not an NDC" in result.stderr
    assert runner.invoke(app, ["items", "show", "0002-8215-01"]).exit_code == 1


def test_get_item_by_ndc(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "items.yaml"
    path.write_text(
        "items:\n  - ndc: 68982-0850-01\n    storage: frozen\n    dry_ice: true\n"
        "    hazmat: [limited_quantity]\n",
        encoding="utf-8",
    )
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    import_items(services, path)
    headers = _reader(client)

    found = client.get("/items/68982-850-01", headers=headers)  # 5-3-2 finds the same product
    assert found.status_code == 200
    assert found.json()["*"]["ndc"] == "68982085001"
    assert found.json()["*"]["dry_ice"] is True
    assert found.json()["*"]["hazmat"] == ["limited_quantity"]

    assert client.get("/items/61958-1501-01", headers=headers).status_code == 404
    bad = client.get("/items/12345", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_ndc"
    assert client.get("/items/68982085001").status_code == 401

"""``finalmile exceptions``: the list and the actions, with --by, --role and --reason."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.cli import app
from tests.integration.exceptions.test_queue import FAILED_PLAN, _events, _history, _order
from tests.integration.tracking.helpers import dropship

runner = CliRunner()


@pytest.mark.usefixtures("cli_env")
def test_list_then_cancel_from_the_command_line(tracked: Services) -> None:
    order_id, number = dropship(tracked, 2101)
    _events(tracked, number, 3, FAILED_PLAN)
    listed = runner.invoke(app, ["exceptions", "list", "--kind", "failed_attempt", "--json"])
    assert listed.exit_code == 0, listed.output
    (item,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert item["order_id"] == order_id and item["kind"] == "failed_attempt"
    table = runner.invoke(app, ["exceptions", "list", "--order", order_id])
    assert table.stdout.split("\t")[1:3] == ["failed_attempt", order_id]
    common = ["--by", "ann", "--reason", "prescriber stopped therapy"]
    refused = runner.invoke(app, ["exceptions", "cancel", order_id, *common, "--role", "billing"])
    assert refused.exit_code == 1
    assert "cancel needs the role dispatcher, pharmacist (or admin), not billing" in refused.stderr
    done = runner.invoke(app, ["exceptions", "cancel", order_id, *common, "--role", "pharmacist"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["changed"] is True
    assert _order(tracked, order_id).status.value == "cancelled"
    (entry,) = [h for h in _history(tracked, order_id) if h[0] == "cancel"]
    assert entry == (
        "cancel",
        "cli:ann",
        {"role": "pharmacist", "reason": "prescriber stopped therapy"},
    )
    redecide = runner.invoke(
        app, ["exceptions", "redecide", order_id, *common, "--role", "dispatcher"]
    )
    assert redecide.exit_code == 1 and "is cancelled" in redecide.stderr
    resolved = runner.invoke(app, ["exceptions", "list", "--resolved", "--json"])
    kinds = {json.loads(line)["kind"]: json.loads(line) for line in resolved.stdout.splitlines()}
    assert kinds["failed_attempt"]["resolution"] == "cancel"
    assert kinds["failed_attempt"]["resolved_by"] == "cli:ann"

"""``finalmile rules check|activate|simulate``: test rule files before they go live."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from finalmile.canonical import DispatchOrder
from finalmile.cli.context import load_settings, open_services
from finalmile.cli.decide import (
    EXIT_CONFIG,
    EXIT_REJECTED,
    AtOption,
    ConnectorOption,
    FormatOption,
    SiteOption,
    decision_time,
    load_rule_file,
    open_site,
    read_orders,
)
from finalmile.cli.exits import fail
from finalmile.cli.ingest import InputFormat
from finalmile.db import transaction
from finalmile.errors import ConfigError, InputError
from finalmile.rules import RateCardSource, activate, load_catalog, simulate

app = typer.Typer(help="Check, activate and simulate rule sets.", no_args_is_help=True)

RuleFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Rule-set YAML file")
]


@app.command("check")
def check(file: RuleFile) -> None:
    """Validate a rule file; every error is listed with its line (exit 1 when any)."""
    rules = load_rule_file(file)
    print(f"{file}: rule set {rules.name!r}, {len(rules.rules)} rules, sha256 {rules.sha256}")


@app.command("activate")
def activate_file(
    file: RuleFile,
    site: Annotated[str, typer.Option("--site", help="Dispensing site to activate it for")],
) -> None:
    """Make a valid rule file the site's active set (a new version; a broken file changes
    nothing). Decisions made from now on name this version."""
    rules = load_rule_file(file)
    settings = load_settings()
    try:
        load_catalog(settings.config_dir).site_config(site)
    except ConfigError as exc:
        raise fail(str(exc), EXIT_CONFIG) from None
    with open_services(settings) as services, transaction(services.sessions) as session:
        row = activate(session=session, site=site, rules=rules, actor="cli")
    print(f"site {site}: rule set {row.name!r} v{row.version} active (sha256 {row.sha256[:12]})")


@app.command("simulate")
def simulate_file(
    orders: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File of orders")
    ],
    *,
    rules: Annotated[Path, typer.Option("--rules", exists=True, help="The new rule file")],
    against: Annotated[
        Path | None,
        typer.Option("--against", exists=True, help="Current rule file [default: the site's]"),
    ] = None,
    format_: FormatOption = InputFormat.CSV,
    connector: ConnectorOption = None,
    at: AtOption = None,
    site: SiteOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object instead of text")
    ] = False,
) -> None:
    """Replay a batch of orders under the current and the new rules and print what changes:
    decisions, cost, orders delivered on time, and each changed order with its new reasons."""
    settings = load_settings()
    name = connector or settings.connector
    current = open_site(settings, site=site, connector=name)
    if against is not None:
        current = current.with_rules(load_rule_file(against))
    new = current.with_rules(load_rule_file(rules))
    status = 0
    readable: list[DispatchOrder] = []
    for order in read_orders(orders, format_, connector=name, settings=settings):
        if isinstance(order, InputError):
            status = EXIT_REJECTED
            print(json.dumps({"location": order.location, "error": order.message}), file=sys.stderr)
        else:
            readable.append(order)
    now = decision_time(at, current)
    report = simulate(readable, current=current, new=new, quotes=RateCardSource(), now=now)
    if as_json:
        print(json.dumps(report.to_json()))
    else:
        print("\n".join(report.lines()))
    raise typer.Exit(status)

"""Synthetic orders, the demo site and a fixed clock for the rules tests."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from finalmile.canonical import Address, DispatchOrder, Item, Patient, StorageClass
from finalmile.rules import Decision, RateCardSource, Site, decide, load_catalog, load_rule_set

EASTERN = ZoneInfo("America/New_York")
CATALOG = load_catalog(None)
DEFAULT_RULES = CATALOG.rule_files["default"].text
#: ZIPs with their state: the site is in Cambridge MA (02139).
NEAR = ("02474", "MA")  # Arlington MA, a few miles away
NEW_YORK = ("10001", "NY")  # about 187 miles
CHICAGO = ("60601", "IL")  # about 850 miles
ANCHORAGE = ("99501", "AK")


def at(text: str) -> dt.datetime:
    """A wall-clock time at the site (Eastern)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=EASTERN)


def order(
    where: tuple[str, str] = NEW_YORK,
    *,
    storage: StorageClass | str = StorageClass.AMBIENT,
    needed_by: dt.datetime | None = None,
    signature: bool = False,
    ndc: str = "99999-0000-01",
    quantity: Decimal | int = 1,
    order_id: str = "RX-T1",
) -> DispatchOrder:
    """A synthetic order (no real patient)."""
    return DispatchOrder(
        order_id=order_id,
        connector="default",
        patient=Patient(mrn="MRN-T1", family="Testpatient", given="Tess"),
        ship_to=Address(line1="1 Test Way", city="Testville", state=where[1], postal_code=where[0]),
        items=(Item(ndc=ndc, quantity=Decimal(quantity), storage=StorageClass(storage)),),
        needed_by=needed_by,
        requires_signature=signature,
    )


def rules_text(**settings: Any) -> str:
    """The default rule set with some settings changed (YAML scalars or flow lists)."""
    text = DEFAULT_RULES
    for name, value in settings.items():
        rendered = repr(value) if not isinstance(value, list) else f"[{', '.join(value)}]"
        text, count = re.subn(rf"(?m)^  {name}: .*$", f"  {name}: {rendered}", text)
        assert count == 1, name
    return text


def site(*, rules: str | None = None, **config: Any) -> Site:
    """The demo site, optionally with other default-rule settings or site fields."""
    base = CATALOG.site_config("demo")
    ruleset = load_rule_set(rules or DEFAULT_RULES, source="test.yaml")
    return Site(base.model_copy(update=config) if config else base, ruleset)


DEMO = site()


def decide_with_rate_card(subject: DispatchOrder, now: dt.datetime, where: Site = DEMO) -> Decision:
    """Decide with the site's own rate card as the quotes."""
    return decide(subject, where, RateCardSource().quotes(subject, where, now), now)

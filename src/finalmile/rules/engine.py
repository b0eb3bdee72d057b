"""``decide``: gather the candidates, apply the rules top to bottom, keep the cheapest survivor.

Pure and deterministic: the same order, site, quotes and ``now`` always give the same decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from operator import attrgetter

from finalmile.canonical import DispatchOrder
from finalmile.items import ItemEntry
from finalmile.rules.context import (
    Candidate,
    Departure,
    OrderFacts,
    courier_candidate,
    quote_candidate,
)
from finalmile.rules.courier import courier_runs
from finalmile.rules.decision import Choice, Decision
from finalmile.rules.facts import DeliveryType
from finalmile.rules.quotes import CarrierQuote
from finalmile.rules.ruleset import Action, Rule
from finalmile.rules.site import Site
from finalmile.rules.site_config import DeliveryOption
from finalmile.rules.storage import storage_reasons
from finalmile.rules.wording import when

# Enum members bound once: looking them up on the class is measurable on the per-candidate path.
_HOLD, _REQUIRE = Action.HOLD, Action.REQUIRE
#: The cheapest, then the earliest, then by name.
_PREFERENCE = attrgetter("cost", "estimated_delivery", "label")
#: ``option.value`` goes through an enum descriptor; a dict look-up is several times faster.
_OPTION_VALUE = {option: option.value for option in DeliveryOption}.__getitem__


def decide(
    order: DispatchOrder,
    site: Site,
    quotes: Sequence[CarrierQuote],
    now: dt.datetime,
    entries: Mapping[str, ItemEntry] | None = None,
) -> Decision:
    """How ``order`` travels from ``site`` given carrier ``quotes``, decided at ``now``.

    ``entries`` are the item master's entries of the order's items by 11-digit NDC (the facts
    ``dry_ice`` and ``hazmat`` read them).

    Courier runs come from the site's cost model; every quote and run becomes a candidate. Rules
    run in file order; a candidate that arrives after ``needed_by`` is removed; the cheapest
    survivor wins (then the earliest, then by name). No survivor, or a hold rule, is a hold.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    reasons = storage_reasons(order)
    if not order.storage_known:
        return _decision(order, site, now, None, reasons)
    facts = OrderFacts(order, site, now, entries)
    candidates = _candidates(site, quotes, now, facts=facts, reasons=reasons)
    held: str | None = None
    for rule, applies in site.rules.steps:
        if applies is not None and not applies(facts):
            continue
        if rule.action is _HOLD:
            held = held or "Hold: " + rule.words(facts, None)
            continue
        # After a hold the other rules still run, quietly, to list the choices a person has.
        candidates = _apply(rule, candidates, facts, site, reasons if held is None else [])
    if facts.needed_by is not None:
        candidates = _meet_deadline(candidates, facts, reasons if held is None else [])
    if held is not None:
        reasons.append(held)
        choices = tuple(_choice(c) for c in sorted(candidates, key=_PREFERENCE))
        return _decision(order, site, now, None, reasons, choices=choices)
    if not candidates:
        reasons.append(_no_option(facts, now))
        return _decision(order, site, now, None, reasons)
    best = min(candidates, key=_PREFERENCE)
    others = len(candidates) - 1
    why = "the only allowed option" if not others else f"the cheapest of {others + 1} allowed"
    reasons.append(
        f"Chose {best.label}: {best.cost} USD, {why}; "
        f"arrives {best.arrival.text(facts.patient_zone)}"
    )
    return _decision(order, site, now, best, reasons)


def _candidates(
    site: Site,
    quotes: Sequence[CarrierQuote],
    now: dt.datetime,
    *,
    facts: OrderFacts,
    reasons: list[str],
) -> list[Candidate]:
    candidates: list[Candidate] = []
    if site.config.courier is not None:
        if facts.distance_miles is None:
            reasons.append("Courier not offered: the ship-to ZIP is not in the ZIP database")
        else:
            runs = courier_runs(site, facts.local, facts.distance_miles, facts.storage)
            if not runs:
                reasons.append("Courier not offered: no shift in the next week can make the trip")
            for run in runs:
                candidates.append(courier_candidate(facts, run, site))
    departures: dict[str, Departure | str] = {}
    for quote in quotes:
        placed = quote_candidate(facts, quote, site, departures)
        if isinstance(placed, str):
            reasons.append(placed)
        else:
            candidates.append(placed)
    if not candidates:
        reasons.append("No courier run and no carrier quote was available")
    return candidates


def _apply(
    rule: Rule, candidates: list[Candidate], facts: OrderFacts, site: Site, reasons: list[str]
) -> list[Candidate]:
    acts_on = rule.acts_on
    words = rule.words
    removed = False
    if rule.action is _REQUIRE:
        chosen = candidates if acts_on is None else list(filter(acts_on, candidates))
        if not chosen:
            return candidates
        for candidate in chosen:
            for option in rule.options:
                if not candidate.require(option, site):
                    extra = option.value.replace("_", " ")
                    candidate.removed_by = (
                        f"{candidate.label} removed: no {extra}, which rule '{rule.name}' requires"
                    )
                    removed = True
                    break
        reasons.append(words(facts, None))
    else:  # forbid and allow_only remove what they act on
        for candidate in candidates if acts_on is None else filter(acts_on, candidates):
            candidate.removed_by = f"{candidate.label} removed: {words(facts, candidate)}"
            removed = True
    if not removed:
        return candidates
    kept: list[Candidate] = []
    for candidate in candidates:
        if candidate.removed_by is None:
            kept.append(candidate)
        else:
            reasons.append(candidate.removed_by)
    return kept


def _meet_deadline(
    candidates: list[Candidate], facts: OrderFacts, reasons: list[str]
) -> list[Candidate]:
    needed_by = facts.needed_by
    assert needed_by is not None
    survivors: list[Candidate] = []
    late: list[Candidate] = []
    for candidate in candidates:
        (survivors if candidate.estimated_delivery <= needed_by else late).append(candidate)
    if late:
        zone = facts.patient_zone
        deadline = when(needed_by.astimezone(zone))
        reasons.extend(
            f"{c.label} removed: arrives {c.arrival.text(zone)}, needed by {deadline}" for c in late
        )
    return survivors


def _no_option(facts: OrderFacts, now: dt.datetime) -> str:
    """Why nothing is left: a needed-by already past says so, since no rule change would help."""
    needed_by = facts.needed_by
    if needed_by is not None and needed_by <= now:
        deadline = when(needed_by.astimezone(facts.patient_zone))
        return f"Hold: needed-by {deadline} has already passed; a person must decide"
    return "Hold: no delivery option is left; a person must decide"


def _choice(candidate: Candidate) -> Choice:
    return Choice(
        label=candidate.label,
        delivery_type=candidate.delivery_type,
        carrier=candidate.carrier,
        service=candidate.service,
        ship_at=candidate.ship_at,
        estimated_delivery=candidate.estimated_delivery,
        cost=candidate.cost,
        options=tuple(map(_OPTION_VALUE, candidate.required)),
    )


def _decision(
    order: DispatchOrder,
    site: Site,
    now: dt.datetime,
    best: Candidate | None,
    reasons: list[str],
    *,
    choices: tuple[Choice, ...] = (),
) -> Decision:
    rules = site.rules
    return Decision(
        order_id=order.order_id,
        site=site.name,
        delivery_type=best.delivery_type if best else DeliveryType.HOLD,
        carrier=best.carrier if best else None,
        service=best.service if best else None,
        label=best.label if best else None,
        ship_at=best.ship_at if best else None,
        estimated_delivery=best.estimated_delivery if best else None,
        cost=best.cost if best else None,
        options=tuple(map(_OPTION_VALUE, best.required)) if best and best.required else (),
        rule_set=rules.name,
        rule_set_version=rules.version,
        rule_set_sha256=rules.sha256,
        decided_at=now,
        reasons=tuple(reasons),
        choices=choices,
    )

"""Staff choices against the decision: what contradicts it, which hard constraints break, and
whether an override reason and role admit it.

A choice contradicts the current decision when it sends the order another way (another delivery
type, account or service than the one chosen, or any way at all while the decision holds it):
the refusal quotes what the decision said about that option (``... removed: ...``); or the one
chosen without an extra the decision requires (adult signature, Saturday delivery). A hard
constraint is checked by the engine's own rules, run on the chosen option as one candidate: a
rule that would remove it, or require an extra the choice lacks, is hard when its condition names
a fact of the patient's safety (``HARD_FACTS``: the storage class, so cold-chain transit limits
too, a requested signature, controlled substances). Besides the rule set, a refrigerated or
frozen order never travels on a service level that is not validated for the cold chain
(``NOT_COLD_CHAIN``). See docs/lifecycle.md, "Overrides".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from finalmile.auth import Role
from finalmile.canonical import DispatchOrder, StorageClass
from finalmile.errors import AuthError, ConflictError
from finalmile.rules.codes import RuleCode
from finalmile.rules.context import Candidate, Departure, OrderFacts, quote_candidate
from finalmile.rules.facts import DeliveryType
from finalmile.rules.quotes import CarrierQuote
from finalmile.rules.ruleset import Action
from finalmile.rules.site import Site
from finalmile.rules.site_config import DeliveryOption

#: Facts whose rules are hard constraints: only a pharmacist may override them.
HARD_FACTS = frozenset({"storage", "requires_signature", "controlled", "controlled_schedule"})
#: Service levels not validated for the cold chain (days in unconditioned depots and trucks).
NOT_COLD_CHAIN = frozenset({"ground"})
_COLD = frozenset({StorageClass.REFRIGERATED, StorageClass.FROZEN})


@dataclass(frozen=True)
class StaffPurchase:
    """How staff want the order to travel: the delivery type, the account (``carrier``) and
    service, the extras bought, and the quote as the engine sees it (None: not placeable)."""

    delivery_type: DeliveryType
    carrier: str
    service: str | None
    label: str
    options: frozenset[DeliveryOption]
    quote: CarrierQuote | None


@dataclass(frozen=True)
class Override:
    """Who asks, holding which roles (``admin``: every role), and why (staff's words)."""

    by: str
    roles: frozenset[Role]
    reason: str | None = None

    def holds(self, role: Role) -> bool:
        """Whether the caller may act as ``role``."""
        return role in self.roles or Role.ADMIN in self.roles


@dataclass(frozen=True)
class Verdict:
    """What a choice does to the decision: contradictions and hard constraints broken."""

    contradictions: tuple[str, ...]
    hard: tuple[str, ...]

    @property
    def needed(self) -> bool:
        """Whether the choice needs an override."""
        return bool(self.contradictions or self.hard)

    def admit(self, override: Override) -> Role:
        """The role under which ``override`` is accepted.

        Raises:
            ConflictError: no override reason (``contradicts_decision``, 409).
            AuthError: the caller lacks the role (403): pharmacist for a hard constraint,
                else dispatcher or pharmacist.
        """
        if not override.reason or not override.reason.strip():
            raise ConflictError(
                "; ".join((*self.contradictions, *self.hard))
                + ": give an override reason to send it anyway",
                location="override_reason",
                code=RuleCode.CONTRADICTS_DECISION,
            )
        if self.hard:
            if not override.holds(Role.PHARMACIST):
                raise AuthError(
                    "this override breaks a hard constraint ("
                    + "; ".join(self.hard)
                    + "): it needs the role pharmacist",
                    status_code=403,
                )
            return Role.PHARMACIST if Role.PHARMACIST in override.roles else Role.ADMIN
        for role in (Role.DISPATCHER, Role.PHARMACIST, Role.ADMIN):
            if role in override.roles:
                return role
        raise AuthError("an override needs the role dispatcher or pharmacist", status_code=403)


def judge(
    decision: Mapping[str, Any],
    choice: StaffPurchase,
    *,
    order: DispatchOrder,
    site: Site,
    now: dt.datetime,
) -> Verdict:
    """How ``choice`` stands against the stored ``decision`` (its JSON) for ``order``."""
    against = contradictions(decision, choice)
    if not against:  # the decision's own choice: the engine has judged it already
        return Verdict((), ())
    return Verdict(tuple(against), tuple(hard_breaks(order, site, choice, now)))


def contradictions(decision: Mapping[str, Any], choice: StaffPurchase) -> list[str]:
    """Why ``choice`` is not what ``decision`` chose, quoting the decision (empty: it is)."""
    reasons = [str(r) for r in decision.get("reasons") or ()]
    decided = DeliveryType(str(decision["delivery_type"]))
    if decided is DeliveryType.HOLD:
        why = next((r for r in reversed(reasons) if r.startswith("Hold:")), "Hold")
        return [f"{choice.label} contradicts the decision, which holds the order ({why})"]
    # Any of the site's courier accounts carries a courier decision.
    same = decided is choice.delivery_type and (
        decided is DeliveryType.COURIER
        or (
            decision.get("carrier") == choice.carrier
            and (choice.service is None or decision.get("service") in (None, choice.service))
        )
    )
    if same:
        # A courier's driver collects what the order asks for (signature) whatever was bought.
        wanted = () if decided is DeliveryType.COURIER else decision.get("options") or ()
        missing = [o for o in wanted if DeliveryOption(o) not in choice.options]
        if not missing:
            return []
        extras = ", ".join(str(o).replace("_", " ") for o in missing)
        return [f"{choice.label} without {extras}, which the decision requires"]
    chose = decision.get("label") or f"{decided.value} via {decision.get('carrier')}"
    removed = next((r for r in reasons if r.startswith(f"{choice.label} removed:")), None)
    why = f"the decision removed it ({removed})" if removed else "the decision did not choose it"
    return [f"{choice.label} contradicts the decision ({chose}): {why}"]


def hard_breaks(
    order: DispatchOrder, site: Site, choice: StaffPurchase, now: dt.datetime
) -> list[str]:
    """The hard constraints ``choice`` breaks: the rule set's hard rules, run on it as one
    candidate, and the cold chain's service levels."""
    facts = OrderFacts(order, site, now)
    broken: list[str] = []
    level = choice.quote.service_level if choice.quote is not None else None
    if facts.storage in _COLD and level in NOT_COLD_CHAIN:
        broken.append(
            f"temperature class: {facts.storage.value} goods on a {level} service, "
            "which is not validated for the cold chain"
        )
    candidate = _candidate(facts, site, choice)
    for rule, applies in site.rules.steps:
        if rule.action is Action.HOLD or not (rule.when.facts & HARD_FACTS):
            continue
        if applies is not None and not applies(facts):
            continue
        if rule.acts_on is not None and (candidate is None or not rule.acts_on(candidate)):
            continue
        if rule.action is Action.REQUIRE:
            missing = [o.value.replace("_", " ") for o in rule.options if o not in choice.options]
            if missing:
                broken.append(f"no {', '.join(missing)}, which rule '{rule.name}' requires")
        else:
            broken.append(f"rule '{rule.name}': {rule.words(facts, candidate)}")
    return broken


def _candidate(facts: OrderFacts, site: Site, choice: StaffPurchase) -> Candidate | None:
    """The choice as the engine's candidate; it leaves now when the site has no pickup with its
    carrier (staff ship it anyway). None: no quote, or no delivery day found."""
    quote = choice.quote
    if quote is None:
        return None
    departures: dict[str, Departure | str] = {}
    collector = quote.pickup or quote.carrier
    if collector not in site.pickups:
        departures[collector] = (facts.local, facts.weekday)
    placed = quote_candidate(facts, quote, site, departures)
    return None if isinstance(placed, str) else placed

"""Choosing how each order travels: rule sets as data, a pure ``decide``, explained decisions.

``decide(order, site, quotes, now)`` turns courier runs (from the site's cost model) and carrier
quotes (a ``QuoteSource``: the site's rate card, or a live carrier) into one ``Decision`` with the
reasons a pharmacist would give. See ``docs/rules.md`` for the rule language.
"""

from finalmile.rules.catalog import Catalog, load_catalog, load_site_config
from finalmile.rules.choose import choose, held_choices
from finalmile.rules.decision import Choice, Decision
from finalmile.rules.engine import decide
from finalmile.rules.facts import FACTS, DeliveryType
from finalmile.rules.live_quotes import LiveQuoteSource, carrier_quote
from finalmile.rules.models import DecisionRecord
from finalmile.rules.override import Override, StaffPurchase, Verdict, judge
from finalmile.rules.quotes import CarrierQuote, QuoteSource
from finalmile.rules.ratecard import RateCardSource
from finalmile.rules.ruleset import RuleSet, load_rule_set
from finalmile.rules.service import Decider, current_decision, list_current
from finalmile.rules.simulate import simulate
from finalmile.rules.site import Site
from finalmile.rules.site_config import WEEKDAYS, DeliveryOption, SiteConfig
from finalmile.rules.versions import activate

__all__ = [
    "FACTS",
    "WEEKDAYS",
    "CarrierQuote",
    "Catalog",
    "Choice",
    "Decider",
    "Decision",
    "DecisionRecord",
    "DeliveryOption",
    "DeliveryType",
    "LiveQuoteSource",
    "Override",
    "QuoteSource",
    "RateCardSource",
    "RuleSet",
    "Site",
    "SiteConfig",
    "StaffPurchase",
    "Verdict",
    "activate",
    "carrier_quote",
    "choose",
    "current_decision",
    "decide",
    "held_choices",
    "judge",
    "list_current",
    "load_catalog",
    "load_rule_set",
    "load_site_config",
    "simulate",
]

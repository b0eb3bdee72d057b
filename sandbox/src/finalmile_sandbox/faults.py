"""Fault rules: which requests get latency, a 429, a 5xx, a dropped connection or a late answer.

Rules are data (set in-process, or over ``POST /_sandbox/faults``); ``FaultController.decide`` is
pure bookkeeping, ``injection.py`` applies a decision to the HTTP exchange. Rules are tried in the
order they were added; latency adds up, and the first refusing rule (429, 5xx, drop) wins.
Operation names are ``<api>.<resource>.<action>`` (``easypost.shipment.buy``,
``shippo.transaction.create``) and rules match them with shell-style patterns (``*.buy``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase

from pydantic import BaseModel, Field

from finalmile_sandbox.records import Api


class FaultKind(StrEnum):
    """What a rule does to the requests it hits."""

    LATENCY = "latency"  # wait latency_ms before handling (non-blocking)
    RATE_LIMIT = "rate_limit"  # 429 with Retry-After, request not handled
    SERVER_ERROR = "server_error"  # a 5xx (status), request not handled
    DROP_CONNECTION = (
        "drop_connection"  # close the socket, no response (after_commit: handle first)
    )
    TIMEOUT_AFTER_COMMIT = "timeout_after_commit"  # handle, then hold the answer hold_seconds


class Fault(BaseModel):
    """One fault rule."""

    kind: FaultKind
    api: Api | None = Field(default=None, description="easypost, shippo, or both when null")
    operation: str = Field(default="*", description="shell pattern on the operation name")
    api_key: str | None = Field(default=None, description="only requests with this key")
    times: int | None = Field(default=None, ge=1, description="fire this many times, then retire")
    probability: float = Field(default=1.0, ge=0.0, le=1.0, description="chance per request")
    seed: int = Field(default=0, description="seeds the probability draws (reproducible storms)")
    latency_ms: int = Field(default=0, ge=0)
    status: int = Field(default=503, ge=500, le=599)
    retry_after: int = Field(default=1, ge=0, description="seconds, sent in Retry-After")
    hold_seconds: float = Field(default=30.0, ge=0.0)
    after_commit: bool = Field(default=False, description="drop only after the request was handled")


@dataclass
class Decision:
    """What to do with one request."""

    latency_ms: int = 0
    refuse: Fault | None = None  # rate_limit, server_error, or drop_connection before handling
    drop_after_commit: bool = False
    hold_seconds: float = 0.0

    @property
    def handles(self) -> bool:
        """Whether the request reaches its handler."""
        return self.refuse is None


@dataclass
class _Rule:
    fault: Fault
    remaining: int | None
    draws: random.Random = field(repr=False)
    fired: int = 0


class FaultController:
    """The active fault rules and how often each fired."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []

    def add(self, fault: Fault) -> None:
        """Append a rule."""
        self._rules.append(_Rule(fault, fault.times, random.Random(fault.seed)))  # noqa: S311

    def clear(self) -> None:
        """Remove every rule."""
        self._rules.clear()

    def rules(self) -> list[tuple[Fault, int, int | None]]:
        """Each rule with how often it fired and how many firings it has left (None: no limit)."""
        return [(rule.fault, rule.fired, rule.remaining) for rule in self._rules]

    def decide(self, *, api: Api, operation: str, api_key: str | None) -> Decision:
        """Which faults hit this request; fired rules are counted and retired when used up."""
        decision = Decision()
        for rule in self._rules:
            fault = rule.fault
            if rule.remaining == 0 or not self._matches(fault, api, operation, api_key):
                continue
            terminal = fault.kind in {
                FaultKind.RATE_LIMIT,
                FaultKind.SERVER_ERROR,
            } or (fault.kind is FaultKind.DROP_CONNECTION and not fault.after_commit)
            if terminal and decision.refuse is not None:
                continue
            if fault.probability < 1.0 and rule.draws.random() >= fault.probability:
                continue
            rule.fired += 1
            if rule.remaining is not None:
                rule.remaining -= 1
            if fault.kind is FaultKind.LATENCY:
                decision.latency_ms += fault.latency_ms
            elif terminal:
                decision.refuse = fault
            elif fault.kind is FaultKind.DROP_CONNECTION:
                decision.drop_after_commit = True
            else:
                decision.hold_seconds = max(decision.hold_seconds, fault.hold_seconds)
        return decision

    @staticmethod
    def _matches(fault: Fault, api: Api, operation: str, api_key: str | None) -> bool:
        return (
            (fault.api is None or fault.api is api)
            and (fault.api_key is None or fault.api_key == api_key)
            and fnmatchcase(operation, fault.operation)
        )

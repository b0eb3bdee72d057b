"""Turn a decision into a shipment: ``buy(order_id, account, service, options)``.

This is the one call the rules engine's decision is wired to. It rates, commits the intent to buy
the chosen rate, buys at most once (see ``purchase``), keeps the label, and is idempotent: buying
again for an order whose live shipment is with the same account returns that shipment.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session, sessionmaker

from finalmile.canonical import DispatchOrder
from finalmile.carriers import (
    AddressCheck,
    CarrierAccount,
    LabelFormat,
    Quote,
    Rated,
    RefundStatus,
    ShipmentOptions,
    TrackingReport,
    Trait,
)
from finalmile.errors import (
    ConflictError,
    FinalmileError,
    InputError,
    NotFoundError,
    PermanentError,
    RetriableError,
)
from finalmile.orders import Order, OrderStatus, find_order
from finalmile.rules import Override
from finalmile.shipments.codes import ShipmentCode
from finalmile.shipments.drafts import draft_for, draft_of
from finalmile.shipments.labels import label_file
from finalmile.shipments.models import Shipment, ShipmentState
from finalmile.shipments.overrides import OverrideGuard
from finalmile.shipments.parcels import ItemFacts
from finalmile.shipments.purchase import PurchaseRun, RetryPolicy, rate
from finalmile.shipments.store import LabelFile, Lease, NewShipment, ShipmentStore
from finalmile.vault import Vault

LABEL_DOWNLOAD_ATTEMPTS = 3


@dataclass(frozen=True)
class BuyRequest:
    """One order to ship (the batch form of ``ShipmentService.buy``)."""

    order_id: str
    account: str
    service: str | None = None
    options: ShipmentOptions = field(default_factory=ShipmentOptions)
    connector: str | None = None
    override: Override | None = None


@dataclass(frozen=True)
class BuyOutcome:
    """What became of one ``BuyRequest``: a shipment, or the error (no patient data in it)."""

    order_id: str
    shipment: Shipment | None = None
    error: str | None = None
    retriable: bool = False


class ShipmentService:
    """Buys, voids and tracks shipments through the configured carrier accounts."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        vault: Vault,
        accounts: Mapping[str, CarrierAccount],
        lease_seconds: float,
        items: ItemFacts | None = None,
    ) -> None:
        """``items`` (the item master) gives the parcel of an order whose product it knows."""
        self.sessions = sessions
        self.items = items
        self.vault = vault
        self.accounts = dict(accounts)
        self.store = ShipmentStore(sessions, vault=vault, lease_seconds=lease_seconds)
        #: Judges staff purchases against the decision; set by the composition root once the
        #: decider exists (whose live quotes need this service first). None: no checks.
        self.guard: OverrideGuard | None = None

    def account(self, name: str) -> CarrierAccount:
        """The configured account ``name``.

        Raises:
            InputError: no such account is configured (the message lists the configured ones).
        """
        found = self.accounts.get(name)
        if found is None:
            known = ", ".join(sorted(self.accounts)) or "none configured"
            raise InputError(
                f"unknown carrier account {name!r} (known: {known})",
                location="carrier",
                code=ShipmentCode.UNKNOWN_CARRIER,
            )
        return found

    def buy(
        self,
        *,
        order_id: str,
        account: str,
        service: str | None = None,
        options: ShipmentOptions | None = None,
        connector: str | None = None,
        actor: str = "finalmile",
        override: Override | None = None,
    ) -> Shipment:
        """Ship ``order_id`` with ``account`` (``service``: a service name or ``carrier:service``;
        None takes the cheapest rate). A purchase against the order's decision needs
        ``override`` (reason and role; ``overrides.OverrideGuard``).

        Raises:
            NotFoundError / InputError: no such order or account.
            ConflictError: the order is cancelled (``cancelled``), it already has a live
                shipment with another account (``live_shipment_exists``), or the purchase
                contradicts its decision without an override reason (``contradicts_decision``).
            AuthError: the override needs a role the caller lacks.
            PermanentError: the carrier refused (the shipment is ``failed``).
            RetriableError: the outcome is still open; the recovery pass will finish it.
        """
        carrier = self.account(account)
        order = self._order(order_id, connector)
        assert order.id is not None
        live = self.store.live_for_order(order.id)
        if live is not None:
            return self._resume(carrier, live, actor=actor)
        new = NewShipment(
            key=uuid.uuid4().hex,
            order_pk=order.id,
            order_id=order.order_id,
            account=account,
            carrier_type=carrier.info.slug,
            requested_service=service,
            options=options or ShipmentOptions(),
        )
        draft = draft_for(
            self.sessions,
            self.vault,
            carrier,
            order_pk=order.id,
            reference=new.key,
            options=new.options,
            items=self.items,
        )
        try:
            provider_shipment_id, quote = rate(carrier, draft, service)
        except PermanentError as exc:
            self.store.record_failed(new, str(exc), actor=actor)
            raise
        self._admit(order, carrier, quote, new.options, actor=actor, override=override)
        row, lease = self.store.start_purchase(
            new, provider_shipment_id=provider_shipment_id, quote=quote, actor=actor
        )
        if lease is None:  # a concurrent buy for this order won; our quote costs nothing
            return self._resume(carrier, row, actor=actor)
        return self.drive(carrier, row, lease, actor=actor, fresh=True)

    def _resume(self, carrier: CarrierAccount, live: Shipment, *, actor: str) -> Shipment:
        """The order's live shipment: returned when bought, driven on when its worker is gone."""
        if live.account != carrier.name:
            raise ConflictError(
                f"order {live.order_id!r} already has a live shipment with {live.account!r};"
                " void it first",
                location="carrier",
                code=ShipmentCode.LIVE_SHIPMENT_EXISTS,
            )
        if live.state is ShipmentState.PURCHASED:
            return live
        assert live.id is not None
        lease = self.store.claim(live.id)
        if lease is None:
            raise RetriableError(f"a purchase for order {live.order_id!r} is in progress")
        row = self.store.get(live.id) or live
        return self.drive(carrier, row, lease, actor=actor, fresh=False)

    def quote(
        self,
        *,
        order_id: str,
        account: str,
        options: ShipmentOptions | None = None,
        connector: str | None = None,
    ) -> Rated:
        """Rates for the order from ``account`` (for the rules engine); nothing is bought."""
        carrier = self.account(account)
        order = self._order(order_id, connector)
        assert order.id is not None
        draft = draft_for(
            self.sessions,
            self.vault,
            carrier,
            order_pk=order.id,
            reference=f"quote-{order.id}",
            options=options or ShipmentOptions(),
            items=self.items,
        )
        return carrier.quoting().quote(draft)

    def quote_order(
        self, order: DispatchOrder, *, account: str, options: ShipmentOptions | None = None
    ) -> Rated:
        """Rates from ``account`` for an order already loaded (the live quote source calls this
        while deciding, so it reads nothing from storage); nothing is bought."""
        carrier = self.account(account)
        options = options or ShipmentOptions()
        draft = draft_of(carrier, order, f"quote-{order.order_id}", options, self.items)
        return carrier.quoting().quote(draft)

    def verify_address(
        self, *, order_id: str, account: str, connector: str | None = None
    ) -> AddressCheck:
        """Whether ``account``'s carrier can deliver to the order's address."""
        carrier = self.account(account)
        order = self._order(order_id, connector, allow_cancelled=True)
        assert order.id is not None
        draft = draft_for(
            self.sessions,
            self.vault,
            carrier,
            order_pk=order.id,
            reference="verify",
            options=ShipmentOptions(),
        )
        return carrier.verifying().verify_address(draft.order.ship_to)

    def buy_many(self, requests: Sequence[BuyRequest], *, workers: int) -> list[BuyOutcome]:
        """Buy for many orders at once; each account's limiter keeps its calls within limits."""

        def one(request: BuyRequest) -> BuyOutcome:
            try:
                shipment = self.buy(
                    order_id=request.order_id,
                    account=request.account,
                    service=request.service,
                    options=request.options,
                    connector=request.connector,
                    actor=request.override.by if request.override else "batch",
                    override=request.override,
                )
            except FinalmileError as exc:
                retriable = isinstance(exc, RetriableError)
                return BuyOutcome(request.order_id, error=str(exc), retriable=retriable)
            return BuyOutcome(request.order_id, shipment=shipment)

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="buy") as pool:
            return list(pool.map(one, requests))

    def drive(
        self, carrier: CarrierAccount, row: Shipment, lease: Lease, *, actor: str, fresh: bool
    ) -> Shipment:
        """Drive a leased shipment to ``purchased``, keeping its label file.

        ``fresh``: nothing was sent for it yet; otherwise it is reconciled before any buy.
        """
        run = PurchaseRun(
            store=self.store,
            account=carrier,
            lease=lease,
            label=lambda purchase: self._label_file(
                carrier, purchase.label_url, purchase.label_format
            ),
            actor=actor,
        )
        return run.drive(row, fresh=fresh)

    def fetch_label(self, row: Shipment, carrier: CarrierAccount) -> bool:
        """Download and keep the label of a purchased shipment; False if it must wait."""
        label_format = LabelFormat(row.label_format or LabelFormat.PDF.value)
        label = self._label_file(carrier, row.label_url, label_format)
        if label is None or row.id is None:
            return False
        self.store.store_label(row.id, label)
        return True

    @staticmethod
    def _label_file(
        carrier: CarrierAccount, url: str | None, label_format: LabelFormat
    ) -> LabelFile | None:
        # A few quick tries: the purchase is done, and recovery fetches what is still missing.
        retry = replace(RetryPolicy.of(carrier), attempts=LABEL_DOWNLOAD_ATTEMPTS)
        return label_file(url, label_format, timeout=carrier.settings.timeout_seconds, retry=retry)

    def record_external(
        self,
        *,
        order_id: str,
        account: str,
        carrier: str,
        tracking_number: str,
        connector: str | None = None,
        actor: str = "finalmile",
        override: Override | None = None,
    ) -> Shipment:
        """Record a shipment a drop shipper made (idempotent for the same tracking number).

        Raises:
            InputError: the account is not a drop shipper.
            ConflictError: the order is cancelled, already has another live shipment, or its
                decision sends it another way and no override reason was given.
            AuthError: the override needs a role the caller lacks.
        """
        dropship = self.account(account)
        if Trait.RECORDS_EXTERNAL not in dropship.info.traits:
            raise InputError(
                f"carrier account {account!r} is not a drop shipper", location="carrier"
            )
        order = self._order(order_id, connector)
        assert order.id is not None
        if self.store.live_for_order(order.id) is None:
            self._admit(order, dropship, None, ShipmentOptions(), actor=actor, override=override)
        new = NewShipment(
            key=uuid.uuid4().hex,
            order_pk=order.id,
            order_id=order.order_id,
            account=account,
            carrier_type=dropship.info.slug,
            requested_service=None,
            options=ShipmentOptions(),
        )
        row = self.store.record_external(
            new, carrier=carrier, tracking_number=tracking_number, actor=actor
        )
        if row.account != account or row.tracking_number != tracking_number:
            raise ConflictError(
                f"order {order_id!r} already has a live shipment ({row.account!r})",
                location="order_id",
                code=ShipmentCode.LIVE_SHIPMENT_EXISTS,
            )
        return row

    def void(self, *, shipment: Shipment, actor: str, reason: str) -> Shipment:
        """Ask the carrier to void the label and record it (audited).

        Raises:
            ConflictError: the shipment is not purchased (``not_voidable``).
            PermanentError: the carrier rejected the refund.
        """
        if shipment.state is not ShipmentState.PURCHASED or shipment.id is None:
            raise ConflictError(
                f"only a purchased shipment can be voided (this one is {shipment.state.value})",
                location="shipment",
                code=ShipmentCode.NOT_VOIDABLE,
            )
        cancelling = self.account(shipment.account).cancelling()
        assert shipment.provider_shipment_id is not None
        try:
            status = cancelling.cancel(
                provider_shipment_id=shipment.provider_shipment_id,
                transaction_id=shipment.transaction_id,
            )
            if status is RefundStatus.REJECTED:
                raise PermanentError(f"the carrier rejected the void of shipment {shipment.key}")
        except PermanentError as exc:
            detail = {"reason": reason[:200], "error": str(exc)[:200]}
            self.store.note(shipment.id, "void_refused", actor=actor, detail=detail)
            raise
        return self.store.voided(
            shipment.id, refund_status=status.value, actor=actor, reason=reason
        )

    def track(self, shipment: Shipment) -> TrackingReport:
        """The latest tracking of a purchased shipment."""
        if shipment.tracking_number is None:
            raise InputError("the shipment has no tracking number yet", location="shipment")
        account = self.account(shipment.account)
        via = account.tracks_through
        tracking = (self.account(via) if via else account).tracking()
        return tracking.track(
            tracking_number=shipment.tracking_number,
            carrier=shipment.carrier or "",
            tracker_id=shipment.tracker_id,
        )

    def for_order(self, *, order_id: str, connector: str | None = None) -> list[Shipment]:
        """Every shipment of the order, oldest first."""
        order = self._order(order_id, connector, allow_cancelled=True)
        assert order.id is not None
        return self.store.for_order(order.id)

    def find(self, *, order_id: str, key: str, connector: str | None = None) -> Shipment:
        """One shipment of the order by its key."""
        for shipment in self.for_order(order_id=order_id, connector=connector):
            if shipment.key == key:
                return shipment
        raise NotFoundError(f"order {order_id!r} has no shipment {key!r}")

    def label(self, shipment: Shipment) -> tuple[bytes, LabelFormat]:
        """The stored label file of a shipment, decrypted."""
        stored = self.store.label(shipment.id) if shipment.id is not None else None
        if stored is None:
            raise NotFoundError(f"shipment {shipment.key} has no stored label")
        return self.vault.decrypt(stored.content_encrypted), LabelFormat(stored.label_format)

    def _admit(
        self,
        order: Order,
        carrier: CarrierAccount,
        quote: Quote | None,
        options: ShipmentOptions,
        *,
        actor: str,
        override: Override | None,
    ) -> None:
        """Judge the purchase against the decision (``OverrideGuard.admit``); no guard: none."""
        if self.guard is not None:
            self.guard.admit(
                order=order,
                carrier=carrier,
                quote=quote,
                options=options,
                override=override or Override(by=actor, roles=frozenset()),
            )

    def _order(
        self, order_id: str, connector: str | None, *, allow_cancelled: bool = False
    ) -> Order:
        with self.sessions() as session:
            order = find_order(session=session, order_id=order_id, connector=connector)
        if order.status is OrderStatus.CANCELLED and not allow_cancelled:
            raise ConflictError(
                f"order {order_id!r} is cancelled", location="order_id", code=ShipmentCode.CANCELLED
            )
        return order

"""What is true about an order, and what Banco proposes from the customer's messages.

An order holds FACTS (``OrderFacts``): items and quantity, price and currency, the deposit (its
amount, the day it was asked for, the day it came in), the balance (the price less a deposit
received), how she pays, where it ships, the deadline, and what was agreed (the quote: its amount
and the day it was sent, or else the day she accepted it). The maker sets them (``set_fact``) or confirms a PROPOSAL: what Banco read in a
customer's message (``orders.proposals``), kept with its sentence when the message is filed on
an open order (``propose``, called by ``collect.ingest``). Banco never applies a proposal by
itself; every change goes through ``pipeline.update_fields``, so the history keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from banco.inbox.clock import parse_iso
from banco.inbox.errors import WrongInput
from banco.inbox.i18n.catalogs import N_, _
from banco.inbox.i18n.money import parse_amount, stored_amount
from banco.inbox.orders.history import METHOD_WORDS
from banco.inbox.orders.pipeline import update_fields
from banco.inbox.orders.proposals import MOST_PIECES, read_facts
from banco.inbox.orders.status import change_status
from banco.inbox.shop import Shop
from banco.inbox.store import facts as store
from banco.inbox.store.database import Store
from banco.inbox.store.facts import Proposal
from banco.inbox.store.orders import CLOSED, find_order, order_row

#: what a proposal says, as the maker reads it
PROPOSED = {
    "accepted": N_("quote accepted"),
    "paid": N_("payment announced"),
    "method": N_("payment method"),
    "deadline": N_("a date (the deadline?)"),
    "quantity": N_("quantity"),
    "address": N_("shipping address"),
}
#: the facts the maker sets with ``banco orders set REF FACT VALUE``, and the column of each
SETTABLE = {
    "items": "items",
    "quantity": "quantity",
    "price": "price",
    "deposit": "deposit",
    "method": "payment_method",
    "address": "shipping_address",
    "quote": "quoted_price",
}
#: a value that clears a fact
CLEAR = "-"
#: the statuses before a quote is accepted: only there is "quote accepted" worth proposing
BEFORE_ACCEPTED = ("new", "awaiting_info", "quoted")


class FactError(WrongInput):
    """A fact cannot be set or a proposal decided (unknown fact, a bad value, decided already)."""


@dataclass(frozen=True)
class OrderFacts:
    """What the store holds about an order; None where nothing is known."""

    items: str | None
    quantity: int | None
    price: Decimal | None
    currency: str
    deposit: Decimal | None
    deposit_asked_on: str | None
    deposit_received_on: str | None
    payment: str
    payment_method: str | None
    shipping_address: str | None
    deadline: str | None
    quoted_price: Decimal | None
    quoted_on: str | None

    @property
    def deposit_received(self) -> bool:
        """A deposit is recorded as received: a day it came in, or the order marked paid."""
        return self.deposit_received_on is not None or self.payment in ("deposit_paid", "paid")

    @property
    def balance(self) -> Decimal | None:
        """What is left to pay: the price less the deposit received; None without a price."""
        if self.price is None:
            return None
        if self.payment == "paid":
            return Decimal("0.00")
        paid = self.deposit if self.deposit_received and self.deposit is not None else 0
        return max(self.price - paid, Decimal("0.00"))


def facts_of(order: Mapping[str, Any], currency: str) -> OrderFacts:
    """The facts of ``order`` (a row of ``orders``); ``currency`` is the shop's, for an order
    without one of its own."""

    def text(name: str) -> str | None:
        value = order.get(name)
        return str(value).strip() or None if value is not None else None

    def money(name: str) -> Decimal | None:
        amount = stored_amount(order.get(name))
        return amount if amount is not None and amount > 0 else None

    quantity = order.get("quantity")
    return OrderFacts(
        items=text("items"),
        quantity=int(quantity) if isinstance(quantity, int | float) and quantity > 0 else None,
        price=money("price"),
        currency=(text("currency") or currency).upper(),
        deposit=money("deposit"),
        deposit_asked_on=text("deposit_asked_on"),
        deposit_received_on=text("deposit_received_on"),
        payment=text("payment") or "none",
        payment_method=text("payment_method"),
        shipping_address=text("shipping_address"),
        deadline=text("deadline"),
        quoted_price=money("quoted_price"),
        quoted_on=text("quoted_on"),
    )


# Proposals ----------------------------------------------------------------------------------------
def propose(
    db: Store, order_id: int, message_id: int, text: str | None, sent_at: datetime, now: datetime
) -> int:
    """Keep what a customer's message on order ``order_id`` proposes; how many proposals are new.
    Dates are read against the day the message was written, in its writer's time (``sent_at``
    as its Date header gives it). Nothing for a closed order, and "quote accepted" only before
    a quote is accepted."""
    order = order_row(db, order_id)
    if order is None or order["status"] in CLOSED:
        return 0
    held = _held(order)
    found = [
        proposal
        for proposal in read_facts(text, sent_at)
        if (proposal.fact, proposal.value) not in held
        and (proposal.fact != "accepted" or order["status"] in BEFORE_ACCEPTED)
    ]
    if not found:
        return 0
    return store.add_proposals(db, order_id, message_id, found, now)


def _held(order: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The facts the order holds already, as a proposal would write them: no use proposing."""
    return {
        ("deadline", str(order["deadline"] or "")),
        ("quantity", str(order["quantity"] or "")),
        ("address", str(order["shipping_address"] or "")),
        ("method", str(order["payment_method"] or "")),
    }


def pending(shop: Shop, order_id: int) -> list[Proposal]:
    return store.pending_proposals(shop.store, order_id)


def confirm(shop: Shop, ref: str, proposal_id: int) -> Proposal:
    """The maker confirms a proposal of order ``ref``: its fact is set (a quote accepted books
    the order; a payment announced records the deposit received on the message's day)."""
    order, found = _pending_of(shop, ref, proposal_id)
    now = shop.clock.now()
    with shop.store.db.atomic():
        if not store.decide(shop.store, found.id, store.CONFIRMED, now):
            raise _decided()
        changes = _changes(shop, order, found)
        if changes:
            update_fields(shop.store, order["ref"], changes, now)
        if found.fact == "accepted" and order["status"] in BEFORE_ACCEPTED:
            change_status(shop, order["ref"], "booked")
    return found


def dismiss(shop: Shop, ref: str, proposal_id: int) -> Proposal:
    """The maker says a proposal of order ``ref`` is not so: it is not shown again."""
    _, found = _pending_of(shop, ref, proposal_id)
    if not store.decide(shop.store, found.id, store.DISMISSED, shop.clock.now()):
        raise _decided()
    return found


def _pending_of(shop: Shop, ref: str, proposal_id: int) -> tuple[dict[str, Any], Proposal]:
    order = find_order(shop.store, ref)
    found = store.proposal(shop.store, proposal_id)
    if found is None or found.order_id != order["id"]:
        raise FactError(
            _("{ref} has no proposal {number}; `banco orders facts {ref}` lists them").format(
                ref=order["ref"], number=proposal_id
            )
        )
    if found.state != store.PENDING:
        raise _decided()
    return order, found


def _decided() -> FactError:
    return FactError(_("this proposal was already confirmed or dismissed; nothing changed"))


def _changes(shop: Shop, order: dict[str, Any], found: Proposal) -> dict[str, Any]:
    """The fields a confirmed proposal sets."""
    facts = facts_of(order, shop.config.shop.currency)
    day = _local_day(shop, found.sent_at)
    amount = stored_amount(found.value) if found.value else None
    if found.fact == "accepted":
        agreed = amount or facts.price
        changes: dict[str, Any] = {"quoted_on": facts.quoted_on or day}
        if agreed is not None:
            changes.update(price=float(agreed), quoted_price=str(agreed))
        return changes
    if found.fact == "paid":
        whole = amount is not None and facts.price is not None and amount >= facts.price
        changes = {"payment": "paid" if whole else "deposit_paid", "deposit_received_on": day}
        if amount is not None and not whole:
            changes["deposit"] = str(amount)
        return changes
    if found.fact == "method":
        return {"payment_method": found.value}
    if found.fact == "deadline":
        return {"deadline": found.value}
    if found.fact == "quantity":
        return {"quantity": int(found.value)}
    if found.fact == "address":
        return {"shipping_address": found.value}
    return {}


def _local_day(shop: Shop, stored: str) -> str:
    return parse_iso(stored).astimezone(shop.config.shop.timezone).date().isoformat()


# Set by the maker ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Days:
    """The days that go with a fact: when a deposit was asked for and received, when a quote
    was sent."""

    asked: date | None = None
    received: date | None = None
    on: date | None = None


def set_fact(
    shop: Shop, ref: str, fact: str, text: str, lang: str, days: Days = Days()
) -> dict[str, Any]:
    """Set ``fact`` of order ``ref`` to ``text`` as the maker wrote it in ``lang`` (an amount as
    her language writes numbers; "-" clears it). Raises FactError (or AmountError) with a
    sentence that says what to write; nothing changes then. The order as it is now."""
    column = SETTABLE.get(fact)
    if column is None:
        raise FactError(
            _('there is no fact "{fact}"; use one of: {known}').format(
                fact=fact, known=", ".join(SETTABLE)
            )
        )
    order = find_order(shop.store, ref)
    cleared = text.strip() == CLEAR
    changes: dict[str, Any] = {column: None if cleared else _value(shop, fact, text, lang)}
    if fact == "deposit" and days.asked is not None:
        changes["deposit_asked_on"] = days.asked
    if fact == "deposit" and days.received is not None:
        changes["deposit_received_on"] = days.received
        if order["payment"] == "none":
            changes["payment"] = "deposit_paid"
    if fact == "quote":  # the day it was sent goes with the amount, and goes with it
        today = shop.clock.now().astimezone(shop.config.shop.timezone).date()
        changes["quoted_on"] = None if cleared else days.on or order["quoted_on"] or today
    return update_fields(shop.store, order["ref"], changes, shop.clock.now())


def _value(shop: Shop, fact: str, text: str, lang: str) -> Any:
    cleaned = " ".join(text.split())
    if fact in ("price", "deposit", "quote"):
        amount = parse_amount(cleaned, lang, shop.config.shop.currency)
        return float(amount) if fact == "price" else str(amount)
    if fact == "quantity":
        if not cleaned.isdigit() or not 0 < int(cleaned) < MOST_PIECES:
            raise FactError(
                _('"{text}" is not a number of pieces; write it as 12').format(text=cleaned[:40])
            )
        return int(cleaned)
    if not cleaned:
        raise FactError(_('write what to set, or "-" to clear it'))
    if fact == "method":  # "bonifico" in Italian is the bank transfer Banco knows
        known = {_(words).lower(): key for key, words in METHOD_WORDS.items()}
        known.update((key, key) for key in METHOD_WORDS)
        return known.get(cleaned.lower(), cleaned)
    return cleaned

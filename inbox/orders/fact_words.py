"""An order's facts and Banco's proposals said in the maker's language (``orders.facts``), for the
command and the page alike: amounts as her language writes them, days as the screen writes them
(``day``), a payment method in words."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from banco.inbox.i18n.catalogs import N_, current_language
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.i18n.money import format_money
from banco.inbox.orders.facts import PROPOSED, OrderFacts
from banco.inbox.orders.history import METHOD_WORDS
from banco.inbox.store.facts import Proposal

#: a fact the store does not hold
NOT_KNOWN = N_("not known")


def fact_lines(facts: OrderFacts, day: Callable[[str], str]) -> list[tuple[str, str]]:
    """Each fact as a label and its value ("" when not known)."""
    lang = current_language()

    def money(amount: Decimal | None) -> str:
        return format_money(amount, facts.currency, lang) if amount is not None else ""

    deposit = money(facts.deposit)
    if facts.deposit_received:
        deposit = (
            _("{amount}, received on {day}").format(
                amount=deposit or "?", day=day(facts.deposit_received_on)
            )
            if facts.deposit_received_on
            else _("{amount}, received").format(amount=deposit or "?")
        )
    elif facts.deposit_asked_on:
        deposit = _("{amount}, asked on {day}").format(
            amount=deposit or "?", day=day(facts.deposit_asked_on)
        )
    agreed = money(facts.quoted_price)
    if agreed and facts.quoted_on:
        agreed = _("{amount}, on {day}").format(amount=agreed, day=day(facts.quoted_on))
    return [
        (_("items"), facts.items or ""),
        (_("quantity"), str(facts.quantity or "")),
        (_("price"), money(facts.price)),
        (_("deposit"), deposit),
        (_("balance"), money(facts.balance)),
        (_("payment method"), method_words(facts.payment_method)),
        (_("shipping address"), facts.shipping_address or ""),
        (_("deadline"), day(facts.deadline) if facts.deadline else ""),
        (_("quote agreed"), agreed),
    ]


def method_words(method: str | None) -> str:
    if not method:
        return ""
    return _(METHOD_WORDS[method]) if method in METHOD_WORDS else method


def proposal_words(found: Proposal, currency: str, day: Callable[[str], str]) -> str:
    """ "quote accepted: 420 €", "a date (the deadline?): 20/12/26", in her language."""
    what = _(PROPOSED.get(found.fact, found.fact))
    value = found.value
    if found.fact in ("accepted", "paid") and value:
        value = format_money(Decimal(value), currency, current_language())
    elif found.fact == "deadline":
        value = day(value)
    elif found.fact == "method":
        value = method_words(value)
    return _("{fact}: {value}").format(fact=what, value=value) if value else what

"""No suggested reply claims a fact the store does not hold: every template, in every language,
over every combination of facts held (price, deadline, quantity, deposit asked or received,
payment method, address), and the template suggested for every status. A template that states a
fact (``NEEDS``) refuses to be filled without it; the text itself names no amount, no day and no
number the store does not hold, and "ask for details" asks only for what is missing. The demo's
suggestions come out true too."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from claims import DEPOSIT_RECEIVED, untrue
from conftest import NOW
from fixtures_web import demo_home  # noqa: F401 (fixture)

from banco.inbox.clock import FixedClock
from banco.inbox.orders.facts import confirm, facts_of, pending
from banco.inbox.replies.session import prepare_session, purpose_for, suggestion_for
from banco.inbox.replies.templates import (
    NEEDS,
    PURPOSES,
    MissingFact,
    render,
)
from banco.inbox.shop import Shop
from banco.inbox.store.orders import STATUSES

LANGS = ("en", "it", "fr")
TODAY = NOW.date()
#: what a customer's order may hold, each fact either held or not
CHOICES: dict[str, list[dict[str, Any]]] = {
    "price": [{}, {"price": 180.0}],
    "deadline": [{}, {"deadline": "2026-12-20"}],
    "quantity": [{}, {"quantity": 6}],
    "deposit": [
        {},
        {"deposit": "50.00", "deposit_asked_on": "2026-11-18"},
        {"deposit": "50.00", "deposit_received_on": "2026-11-19", "payment": "deposit_paid"},
        {"payment": "deposit_paid"},  # marked paid, its amount not known
    ],
    "method": [{}, {"payment_method": "transfer"}],
    "address": [{}, {"shipping_address": "Via Roma 5, 40100 Bologna"}],
}
COMBINATIONS = [
    {k: v for part in parts for k, v in part.items()}
    for parts in itertools.product(*CHOICES.values())
]
ANNA = {"id": None, "name": "Anna Rossi"}


@pytest.fixture
def shop(write_shop, open_shop) -> Shop:
    return open_shop(write_shop())


def order_with(held: dict[str, Any], status: str = "new") -> dict[str, Any]:
    return {
        "ref": "B-0042",
        "title": "Blue mugs",
        "status": status,
        "currency": "EUR",
        "payment": "none",
        **held,
    }


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("purpose", PURPOSES)
def test_no_template_claims_a_fact_the_store_does_not_hold(shop, purpose, lang) -> None:
    for held in COMBINATIONS:
        order = order_with(held)
        try:
            text = render(shop, purpose, lang, order, ANNA)
        except MissingFact:
            # it refuses exactly when a fact it states is not held
            needed = NEEDS[purpose]
            assert needed and not facts_of(order, "EUR").deposit_received, (purpose, held)
            continue
        assert untrue(text, order, lang, purpose) == [], (purpose, lang, held, text)


@pytest.mark.parametrize("status", STATUSES)
def test_the_suggestion_for_every_status_and_facts_is_true(shop, status) -> None:
    for held, proposed in itertools.product(COMBINATIONS, [(), ("accepted",)]):
        order = order_with(held, status)
        purpose = purpose_for(order, proposed)
        facts = facts_of(order, "EUR")
        # what a template says of the order's state, only when the store holds it
        if purpose == "deposit_received":
            assert status == "booked" and facts.deposit_received
        if purpose == "confirmed":
            assert status == "booked" and not facts.deposit_received
        if purpose in ("ready", "shipped", "thank_you"):
            assert status == purpose.replace("thank_you", "completed")
        if purpose == "in_progress":
            assert status in ("in_progress", "awaiting_client")
        for lang in LANGS:
            suggestion = suggestion_for(shop, purpose, lang, order, ANNA)
            assert suggestion.problems == () and suggestion.purpose == purpose
            text = suggestion.text
            assert untrue(text, order, lang, purpose) == [], (status, held, lang, text)


def test_a_template_picked_by_hand_that_states_a_missing_fact_is_not_filled(shop) -> None:
    booked = order_with({"price": 110.0}, "booked")
    suggestion = suggestion_for(shop, "deposit_received", "it", booked, ANNA)
    assert suggestion.purpose == "confirmed"
    assert DEPOSIT_RECEIVED["it"] not in suggestion.text and "110" in suggestion.text
    assert suggestion.problems and "banco orders set B-0042 deposit" in suggestion.problems[0]
    with pytest.raises(MissingFact):
        render(shop, "deposit_received", "en", booked, ANNA)


def test_the_amounts_said_are_the_ones_held(shop) -> None:
    booked = order_with(
        {"price": 420.0, "deposit": "100.00", "payment_method": "transfer"}, "booked"
    )
    fr = render(shop, "confirmed", "fr", booked, ANNA)
    assert "420\u00a0€" in fr and "acompte de 100\u00a0€ (virement)" in fr
    en = render(shop, "confirmed", "en", booked, ANNA)
    assert "at €420" in en and "deposit of €100 (bank transfer)" in en


# The demo ------------------------------------------------------------------------------------------
def test_the_demo_suggests_only_what_is_true(demo_home: Path, registry) -> None:  # noqa: F811
    shop = Shop.open(demo_home, clock=FixedClock(NOW), registry=registry)
    try:
        items = {item.contact["name"]: item for item in prepare_session(shop) if item.contact}
        for item in items.values():
            if item.order is not None:
                lang = item.suggestion.language
                assert untrue(item.suggestion.text, item.order, lang, item.suggestion.purpose) == []
        # Francesca's order is booked with nothing paid: no "I received the deposit"
        francesca = items["Francesca Moretti"]
        assert francesca.order is not None and francesca.order["status"] == "booked"
        assert francesca.suggestion.purpose == "confirmed"
        # Claire accepted the 420 € quote: Banco shows it with her sentence, asks her nothing
        claire = items["Claire Dubois"]
        assert claire.order is not None
        accepted = next(p for p in claire.proposals if p.fact == "accepted")
        assert accepted.sentence == "C'est parfait, on part là-dessus !"
        assert claire.suggestion.purpose == "acknowledge"
        assert "nombre de pièces" not in claire.suggestion.text
        # once the maker confirms it, the order is booked at the price agreed
        confirm(shop, claire.order["ref"], accepted.id)
        claire = next(i for i in prepare_session(shop) if i.key == claire.key)
        assert claire.order is not None and claire.order["status"] == "booked"
        assert claire.suggestion.purpose == "confirmed" and "420\u00a0€" in claire.suggestion.text
        assert facts_of(claire.order, "EUR").quoted_price == Decimal(420)
        assert all(p.fact != "accepted" for p in pending(shop, claire.order["id"]))
    finally:
        shop.close()

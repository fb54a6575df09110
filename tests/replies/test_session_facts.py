"""The reply session shows what Banco read in the order's messages, each with its sentence, and
one key confirms it ([f]) or dismisses it ([x]); the suggestion follows the facts at once."""

from __future__ import annotations

import json

import pytest
from listsource import ListConnector
from sessions import Script

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.orders.facts import facts_of, pending
from banco.inbox.shop import Shop

ITEMS = [
    {
        "id": "c1",
        "at": "2026-11-16T10:00:00+00:00",
        "from": "claire@example.com",
        "name": "Claire Dubois",
        "subject": "Assiettes",
        "text": "Bonjour, je voudrais un service de huit assiettes. Quel serait le prix ?",
    },
    {
        "id": "g1",
        "at": "2026-11-16T17:00:00+00:00",
        "from": "giulia@shop.example",
        "to": "claire@example.com",
        "name": "Giulia",
        "subject": "Re: Assiettes",
        "text": "Bonjour Claire, 420 € le service. Giulia",
    },
    {
        "id": "c2",
        "at": "2026-11-19T20:47:00+00:00",
        "from": "claire@example.com",
        "subject": "Re: Assiettes",
        "text": "C'est parfait, on part là-dessus !\n\nJ'ai fait le virement de 100 € ce matin.",
    },
]


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


@pytest.fixture
def shop(write_shop, open_shop) -> Shop:
    home = write_shop('[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n')
    (home / "items.json").write_text(json.dumps(ITEMS))
    opened = open_shop(home)
    for result in collect(opened):
        assert result.ok, result.error
    opened.store.db.execute("update orders set status = 'quoted', price = 420")
    return opened


def test_one_key_confirms_and_the_suggestion_follows(shop: Shop) -> None:
    script = Script(["f", "f", "x", "s"])
    script.run(shop)
    out = script.output
    assert "Banco read this in the messages; is it so?" in out
    assert "  - quote accepted\n      “C'est parfait, on part là-dessus !”" in out
    assert "[f] confirm   [x] dismiss   the first thing Banco read, above" in out
    # before: she may have accepted, so Banco only acknowledges; after: the order is confirmed
    assert "Suggested reply (acknowledge, in French):" in out
    assert "Confirmed: quote accepted." in out
    assert "Suggested reply (order confirmed, in French):" in out
    assert "Confirmed: payment announced: €100." in out
    assert "Dismissed: payment method: bank transfer." in out
    assert "Suggested reply (deposit received, in French):" in out
    order = shop.store.one("select * from orders")
    assert order is not None and order["status"] == "booked"
    facts = facts_of(order, "EUR")
    assert facts.deposit == 100 and facts.deposit_received and facts.quoted_price == 420
    assert [p.fact for p in pending(shop, order["id"])] == ["quantity"]


def test_nothing_to_confirm_is_said_plainly(shop: Shop) -> None:
    shop.store.db.execute("update fact_proposals set state = 'dismissed'")
    script = Script(["f", "s"])
    script.run(shop)
    assert "Banco read this" not in script.output
    assert "Banco read nothing to confirm for this order." in script.output

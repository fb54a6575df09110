"""The suggestions a page about one customer shows are read from that customer and the few who
may share a key with them (bench/views.py measures what that saves on a big shop); they are
exactly the shop's suggestions that name that customer or one of their orders."""

from __future__ import annotations

from pathlib import Path

import pytest
from customer_shop import customers_shop

from banco.inbox.customers.suggestions import suggestions, suggestions_about
from banco.inbox.store.search_index import catch_up


@pytest.mark.parametrize("searched", [False, True])
def test_the_suggestions_about_each_customer_are_the_shops_that_name_them(
    write_shop, tmp_path: Path, open_shop, searched: bool
) -> None:
    """Whether the people's search index has taken every customer (a search ran) or has still
    to (namesakes are then read among those it has to take)."""
    shop = customers_shop(write_shop, tmp_path, open_shop)
    if searched:
        catch_up(shop.store)
        assert not shop.store.scalar("select count(*) from people_stale")
    every = suggestions(shop.store)
    assert {s.kind for s in every} == {"customers", "orders"}  # the shop has both kinds
    customers = [row["id"] for row in shop.store.all("select id from contacts")]
    for contact in customers:
        orders = {
            row["id"]
            for row in shop.store.all("select id from orders where contact_id = ?", [contact])
        }
        named = [
            s
            for s in every
            if (s.kind == "customers" and contact in (s.first, s.second))
            or (s.kind == "orders" and orders & {s.first, s.second})
        ]
        about = suggestions_about(shop.store, {contact})
        assert [s for s in about if s in named] == named, contact
        assert all(s in every for s in about), contact  # nothing the shop would not suggest


def test_namesakes_share_whole_name_words(tmp_path: Path) -> None:
    """The names read as possible namesakes hold each word as a word: "Customer 1" reads neither
    "Customer 10" nor "Customer 21" (on a big shop, every name with a 1)."""
    from banco.connectors import Handle
    from banco.inbox.store.contacts import add_contact, add_handle
    from banco.inbox.store.customers import known_like
    from banco.inbox.store.database import Store

    store = Store(tmp_path)
    try:
        names = ("Customer 1", "Customer 10", "Customer 21", "customer 1", "Anna Customer 1")
        for n, name in enumerate(names):
            contact = add_contact(store, name, "2026-11-01T09:00:00+00:00")
            address = f"c{n}@example.com"
            add_handle(store, contact, Handle("email", address), address)
        found = known_like(store, [], [], ["customer", "1"])
        assert sorted(k.value for k in found) == ["Anna Customer 1", "Customer 1", "customer 1"]
    finally:
        store.close()


def test_mailboxes_and_phones_are_found_on_their_indexes(tmp_path: Path) -> None:
    """The addresses that reach a mailbox (a +tag, a Gmail name's dots, googlemail.com) and the
    phones ending alike, found on their indexes; never a mailbox whose name only starts alike."""
    from banco.connectors import Handle
    from banco.inbox.store.contacts import add_contact, add_handle
    from banco.inbox.store.customers import known_like
    from banco.inbox.store.database import Store

    store = Store(tmp_path)
    try:
        handles = [
            ("email", "anna@gmail.com"),
            ("email", "a.n.n.a+shop@googlemail.com"),
            ("email", "anna.b@gmail.com"),  # another mailbox: annab
            ("email", "anna1@gmail.com"),
            ("email", "bob@example.com"),
            ("email", "bob+etsy@example.com"),
            ("email", "bob@example.org"),
            ("email", "bobby@example.com"),
            ("phone", "+39 333 123 4567"),
            ("phone", "3331234567"),
            ("phone", "333 123 4568"),
        ]
        for n, (kind, value) in enumerate(handles):
            contact = add_contact(store, f"Customer {n}", "2026-11-01T09:00:00+00:00")
            add_handle(store, contact, Handle(kind, value), value)
        found = known_like(store, ["anna@gmail.com", "bob@example.com"], ["331234567"], [])
        assert sorted(k.value for k in found) == [
            "+393331234567",
            "3331234567",
            "a.n.n.a+shop@googlemail.com",
            "anna@gmail.com",
            "bob+etsy@example.com",
            "bob@example.com",
        ]
    finally:
        store.close()

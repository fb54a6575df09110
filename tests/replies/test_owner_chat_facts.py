"""In the maker's Telegram chat, the reply session shows what Banco read in the order's messages,
each with its sentence, and two buttons confirm or dismiss the first; the suggestion follows."""

from __future__ import annotations

from fixtures_telegram import account_toml
from owner_chat_shop import HEADER, OWNER, labels, to

from banco.inbox.orders.facts import facts_of, pending
from banco.inbox.routines import day as routines


def test_two_buttons_confirm_or_dismiss_what_banco_read(bot_api, write_shop, open_shop) -> None:
    shop = open_shop(write_shop(account_toml(bot_api), header=HEADER))
    ann = bot_api.user(7001, "Ann", "Smith", "ann_s")
    bot_api.message(ann, "Hello! How much would six blue mugs cost?")
    routines.collect(shop)
    shop.store.db.execute("update orders set status = 'quoted', price = 180")
    bot_api.message(ann, "Ok for 180, let's go ahead. I've paid the deposit of €50 by PayPal.")
    routines.collect(shop)
    order = shop.store.one("select * from orders")
    assert order is not None
    first, *rest = pending(shop, order["id"])
    assert first.fact == "accepted"

    routines.reply(shop)
    card = to(bot_api, OWNER)[-1]
    assert "Banco read this in the messages; is it so?" in card["text"]
    assert "- quote accepted: €180: «Ok for 180, let's go ahead.»" in card["text"]
    assert "Suggested reply (acknowledge)" in card["text"]
    assert f"fact:confirm:{first.id}" in labels(card) and f"fact:dismiss:{first.id}" in labels(card)

    giulia = bot_api.user(OWNER, "Giulia", "Rinaldi")
    bot_api.press(giulia, card, f"fact:confirm:{first.id}")
    routines.owner_poll(shop)
    said, shown = to(bot_api, OWNER)[-2:]
    assert said["text"] == "Confirmed: quote accepted: €180."
    assert "Suggested reply (order confirmed)" in shown["text"]
    order = shop.store.one("select * from orders")
    assert order is not None and order["status"] == "booked"
    # an old card's button does nothing twice
    bot_api.press(giulia, card, f"fact:confirm:{first.id}")
    routines.owner_poll(shop)
    assert to(bot_api, OWNER)[-1] == shown

    paid = pending(shop, order["id"])[0]
    assert paid.fact == "paid"
    bot_api.press(giulia, shown, f"fact:confirm:{paid.id}")
    routines.owner_poll(shop)
    said, shown = to(bot_api, OWNER)[-2:]
    assert said["text"] == "Confirmed: payment announced: €50."
    assert "Suggested reply (deposit received)" in shown["text"]
    facts = facts_of(shop.store.one("select * from orders") or {}, "EUR")
    assert facts.deposit == 50 and facts.deposit_received
    assert len(rest) == 2  # paid and its method, read in the same message

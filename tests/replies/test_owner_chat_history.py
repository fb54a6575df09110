"""In the maker's Telegram chat, an item shows what the customer's edits changed (a Telegram
message edited, before and after), and an "Undo" button takes back an order's last change with the
words and refusals of `banco orders undo`: under what a confirmed fact changed, and on the card of
an order whose last change undo can take back. An old button never undoes a second change.
Through the local Bot API server."""

from __future__ import annotations

from fixtures_telegram import account_toml
from owner_chat_shop import HEADER, OWNER, labels, to

from banco.inbox.orders.facts import pending
from banco.inbox.routines import day as routines


def undo_buttons(card: dict) -> list[str]:
    return [label for label in labels(card) if label.startswith("undo:")]


def test_an_edited_message_shows_what_changed(bot_api, write_shop, open_shop) -> None:
    shop = open_shop(write_shop(account_toml(bot_api), header=HEADER))
    ann = bot_api.user(7001, "Ann", "Smith", "ann_s")
    sent = bot_api.message(ann, "How much for 6 blue mugs by Christmas?")
    routines.collect(shop)
    bot_api.edit(sent, "How much for 8 blue mugs by Christmas?")
    routines.collect(shop)

    routines.reply(shop)
    card = to(bot_api, OWNER)[-1]
    shown = card["text"]
    assert "«How much for 8 blue mugs by Christmas?»\nEdited by the customer, " in shown
    edited = shown.split("Edited by the customer, ", 1)[1].splitlines()
    assert edited[1:3] == [
        "  before: How much for 6 blue mugs by Christmas?",
        "  after: How much for 8 blue mugs by Christmas?",
    ]

    # she needs no reply to it; Ann edits it again, then writes more: the edit is still shown
    giulia = bot_api.user(OWNER, "Giulia", "Rinaldi")
    bot_api.press(giulia, card, "noreply")
    routines.owner_poll(shop)
    bot_api.edit(sent, "How much for 10 blue mugs by Christmas?")
    bot_api.message(ann, "And could they be glazed inside?")
    routines.collect(shop)
    routines.reply(shop)
    shown = to(bot_api, OWNER)[-1]["text"]
    assert "«And could they be glazed inside?»" in shown
    earlier = shown.split("Edited earlier in the conversation:\n", 1)[1]
    assert earlier.startswith("«How much for 10 blue mugs by Christmas?»\nEdited by the customer")
    assert "  after: How much for 10 blue mugs by Christmas?" in earlier


def test_undo_takes_back_a_change_made_in_the_chat(bot_api, write_shop, open_shop, run) -> None:
    home = write_shop(account_toml(bot_api), header=HEADER)
    shop = open_shop(home)
    ann = bot_api.user(7001, "Ann", "Smith", "ann_s")
    bot_api.message(ann, "Hello! How much would six blue mugs cost?")
    routines.collect(shop)
    shop.store.db.execute("update orders set status = 'quoted', price = 180")
    bot_api.message(ann, "Ok for 180, let's go ahead.")
    routines.collect(shop)
    order = shop.store.one("select * from orders")
    assert order is not None
    [accepted] = pending(shop, order["id"])

    routines.reply(shop)
    card = to(bot_api, OWNER)[-1]
    assert undo_buttons(card) == []  # a new order: nothing to undo yet
    giulia = bot_api.user(OWNER, "Giulia", "Rinaldi")
    bot_api.press(giulia, card, f"fact:confirm:{accepted.id}")
    routines.owner_poll(shop)
    said, shown = to(bot_api, OWNER)[-2:]
    assert said["text"] == "Confirmed: quote accepted: €180."
    [undo] = undo_buttons(said)
    assert undo_buttons(shown) == [undo]  # the card offers the same change
    assert [b["text"] for row in said["buttons"]["inline_keyboard"] for b in row] == [
        "Undo the last change"
    ]
    assert shop.store.scalar("select status from orders") == "booked"

    bot_api.press(giulia, said, undo)
    routines.owner_poll(shop)
    said, again = to(bot_api, OWNER)[-2:]
    assert said["text"] == "Undone on B-0001: quote sent → booked"
    assert shop.store.scalar("select status from orders") == "quoted"
    assert "Suggested reply (quote)" in again["text"]  # the item, for its status now
    # the confirmation wrote what was agreed too: the card offers to undo that next
    agreed = shop.store.scalar("select id from order_events where kind = 'fields'")
    assert undo_buttons(again) == [f"undo:B-0001:{agreed}"] != [undo]

    # the card's button is old once the order changed elsewhere: it undoes nothing
    cli = ("--home", str(home), "orders")
    assert run(*cli, "status", "B-0001", "booked").exit_code == 0
    bot_api.press(giulia, again, f"undo:B-0001:{agreed}")
    routines.owner_poll(shop)
    assert to(bot_api, OWNER)[-1]["text"] == (
        "Nothing changed: the last change to B-0001 is another one now; look again."
    )
    assert shop.store.scalar("select status from orders") == "booked"
    assert shop.store.scalar("select undone_at from order_events where id = ?", [agreed]) is None
    # the command says what the chat said, and refuses in the words the chat uses
    assert run(*cli, "undo", "B-0001").output == "Undone on B-0001: quote sent → booked\n"
    assert run(*cli, "undo", "B-0001").exit_code == 0  # what was agreed, undone too
    refused = run(*cli, "undo", "B-0001")
    assert refused.exit_code != 0 and "B-0001 has no change to undo" in refused.output
    created = shop.store.scalar("select id from order_events where kind = 'created'")
    bot_api.press(giulia, again, f"undo:B-0001:{created}")
    routines.owner_poll(shop)
    assert to(bot_api, OWNER)[-1]["text"] == "Nothing changed: B-0001 has no change to undo."

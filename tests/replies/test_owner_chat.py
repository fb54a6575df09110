"""The reply session in the maker's own Telegram chat, through the local Bot API server."""

from __future__ import annotations

from fixtures_telegram import account_toml
from owner_chat_shop import OWNER, to

from banco.inbox.routines import day as routines

HEADER = f"""
[shop]
name = "Bottega"
owner = "Giulia"
addresses = ["giulia@shop.example"]
timezone = "Europe/Rome"
languages = ["it", "en"]
owner_chat = {OWNER}

[schedule]
reply = ["09:00", "17:00"]
"""


def test_the_maker_answers_from_her_telegram_chat(bot_api, write_shop, open_shop) -> None:
    shop = open_shop(write_shop(account_toml(bot_api), header=HEADER))
    ann = bot_api.user(7001, "Ann", "Smith", "ann_s")
    bob = bot_api.user(7002, "Bruno", "Verdi")
    bot_api.message(ann, "Hello! Could you make six blue mugs for Christmas?")
    bot_api.message(bob, "Buongiorno, vorrei un piatto con il nome della mia gatta.")
    routines.collect(shop)

    summary = routines.reply(shop)
    assert summary["told_owner"] and summary["waiting"] == 2
    opening, first = to(bot_api, OWNER)
    # her shop speaks Italian first: the bot speaks Italian to her
    assert opening["text"].startswith("2 messaggi in attesa da 2 clienti")
    assert "six blue mugs" in first["text"] and "Risposta suggerita" in first["text"]
    labels = [b["callback_data"] for row in first["buttons"]["inline_keyboard"] for b in row]
    assert (
        labels[0] == "send"
        and "tpl:quote" in labels
        and labels[-3:] == ["skip", "snooze", "noreply"]
    )

    # She picks another template, then sends it.
    giulia = bot_api.user(OWNER, "Giulia", "Rinaldi")
    bot_api.press(giulia, first, "tpl:quote")
    routines.owner_poll(shop)
    quote = to(bot_api, OWNER)[-1]
    assert "Risposta suggerita (preventivo)" in quote["text"]
    bot_api.press(giulia, quote, "send")
    routines.owner_poll(shop)
    [to_ann] = to(bot_api, 7001)
    assert to_ann["text"] in quote["text"]  # the quote template, as shown to her
    assert len(bot_api.answered) == 2  # each press acknowledged, so Telegram stops its spinner

    # The second customer: she types her own answer.
    note, shown = to(bot_api, OWNER)[-2:]
    assert note["text"] == "Inviata a Ann Smith via telegram." and "gatta" in shown["text"]
    bot_api.message(giulia, "Certo! Come si chiama la gatta?")
    routines.owner_poll(shop)
    [to_bruno] = to(bot_api, 7002)
    assert to_bruno["text"] == "Certo! Come si chiama la gatta?"
    assert "Era l'ultimo: 2 inviate, 0 rimandati." in to(bot_api, OWNER)[-1]["text"]
    assert shop.store.scalar("select count(*) from messages where waiting = 1") == 0
    # Her own chat with the bot never becomes an order or a customer.
    assert shop.store.scalar("select count(*) from orders") == 2
    assert shop.store.scalar("select count(*) from handles where value = ?", [str(OWNER)]) == 0
    polls = len(bot_api.calls_of("getUpdates"))
    routines.owner_poll(shop)  # the session is over: no more fetching every minute
    assert len(bot_api.calls_of("getUpdates")) == polls


def test_snooze_and_no_reply_from_the_chat(bot_api, write_shop, open_shop) -> None:
    shop = open_shop(write_shop(account_toml(bot_api), header=HEADER))
    bot_api.message(bot_api.user(7001, "Ann"), "Thanks for everything!")
    bot_api.message(bot_api.user(7002, "Bruno"), "Quanto costa un vaso?")
    routines.collect(shop)
    routines.reply(shop)
    giulia = bot_api.user(OWNER, "Giulia")
    bot_api.press(giulia, to(bot_api, OWNER)[-1], "noreply")
    routines.owner_poll(shop)
    bot_api.press(giulia, to(bot_api, OWNER)[-1], "snooze")
    routines.owner_poll(shop)
    last = to(bot_api, OWNER)[-1]["text"]
    assert "Rimandato a ven 17:00." in last and "1 rimandati" in last
    assert to(bot_api, 7001) == [] and to(bot_api, 7002) == []  # nothing went to a customer
    snoozed = shop.store.one("select waiting, snoozed_until from messages where sender = 'Bruno'")
    assert snoozed["waiting"] == 1 and snoozed["snoozed_until"].startswith("2026-11-20T16:00")


def test_no_owner_chat_no_telegram_session(bot_api, write_shop, open_shop) -> None:
    shop = open_shop(write_shop(account_toml(bot_api)))
    bot_api.message(bot_api.user(7001, "Ann"), "Hello")
    routines.collect(shop)
    assert routines.reply(shop)["told_owner"] is False
    assert bot_api.sent == []

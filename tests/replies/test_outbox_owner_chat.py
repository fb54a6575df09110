"""The outbox's states in the maker's Telegram chat with the bot, through the local Bot API server:
replies that may have been sent come first, with Send again / Mark sent / Cancel; an item says
when a reply to its order is already waiting; a reply can be left for tomorrow morning.

The customers write by email through the test connector (tests/listsource.py), which records what
it "sent"; the maker's chat is the Bot API server's."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from crashed import maybe_sent, outbox_status
from fixtures_telegram import BotApi, account_toml
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.replies.outbox import deliver
from banco.inbox.routines import day as routines
from banco.inbox.shop import Shop

OWNER = 4242
HEADER = f"""
[shop]
name = "Bottega"
owner = "Giulia"
addresses = ["giulia@shop.example"]
timezone = "Europe/Rome"
languages = ["en"]
owner_chat = {OWNER}
"""


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def mail(key: str, at: str, name: str, subject: str, text: str) -> dict[str, str]:
    sender = f"{name.lower()}@example.com"
    return {"id": key, "at": at, "from": sender, "name": name, "subject": subject, "text": text}


ANN = mail("a1", "2026-11-18T10:00:00+00:00", "Ann", "Six mugs", "Could you make six blue mugs?")
BOB = mail("b1", "2026-11-18T11:00:00+00:00", "Bob", "A vase", "How much is a tall vase?")
CARLA = mail(
    "c1", "2026-11-19T09:00:00+00:00", "Carla", "Plates", "Could you make four plates for Sunday?"
)
ANN_AGAIN = mail("a2", "2026-11-20T09:05:00+00:00", "Ann", "Re: Six mugs [B-0001]", "Green ones!")


def make(bot_api: BotApi, write_shop, open_shop, items, **mail_settings: object) -> Shop:
    """A shop with the bot (the maker's chat) and a mail account the customers write to."""
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in mail_settings.items())
    mail_account = f'\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n{extra}'
    home = write_shop(account_toml(bot_api) + mail_account, header=HEADER)
    (home / "items.json").write_text(json.dumps(items))
    shop: Shop = open_shop(home)
    routines.collect(shop)
    return shop


def to_owner(bot_api: BotApi) -> list[dict[str, Any]]:
    return [m for m in bot_api.sent if m["chat_id"] == OWNER]


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message.get("buttons", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def peer(shop: Shop) -> list[dict[str, Any]]:
    path = shop.home / "items.sent.json"
    return json.loads(path.read_text()) if path.exists() else []


def test_the_walk_through_starts_with_replies_that_may_have_been_sent(
    bot_api: BotApi, write_shop, open_shop
) -> None:
    shop = make(bot_api, write_shop, open_shop, [ANN, BOB, CARLA], knows_sent=False)
    ann = maybe_sent(shop, 1, "Yes, six blue mugs by Friday.")
    bob = maybe_sent(shop, 2, "A tall vase, yes.")
    assert routines.reply(shop)["told_owner"]
    opening, ann_card, bob_card, item = to_owner(bot_api)
    assert opening["text"].startswith("1 message waiting from 1 customer")
    assert ann_card["text"].startswith("May have been sent: your reply to Ann (B-0001), Fri 20 Nov")
    assert "«Yes, six blue mugs by Friday.»" in ann_card["text"]
    assert "never sends it again by itself" in ann_card["text"]
    assert buttons(ann_card) == [
        ("Send again", f"out:resend:{ann}"),
        ("Mark sent", f"out:mark_sent:{ann}"),
        ("Cancel", f"out:cancel:{ann}"),
    ]
    assert "Bob" in bob_card["text"] and "four plates for Sunday?" in item["text"]

    # Ann's reply is in her Sent folder; Bob's never arrived.
    giulia = bot_api.user(OWNER, "Giulia")
    bot_api.press(giulia, ann_card, f"out:mark_sent:{ann}")
    routines.owner_poll(shop)
    assert to_owner(bot_api)[-1]["text"] == "Marked sent: Banco will not send it again."
    bot_api.press(giulia, bob_card, f"out:resend:{bob}")
    routines.owner_poll(shop)
    assert to_owner(bot_api)[-1]["text"] == "Sent to Bob by email."
    assert (outbox_status(shop, ann), outbox_status(shop, bob)) == ("sent", "sent")
    assert [(s["to"], s["text"]) for s in peer(shop)] == [("bob@example.com", "A tall vase, yes.")]

    # Asked again (/start), the walk-through has nothing left to decide: Carla's message again.
    seen = len(to_owner(bot_api))
    bot_api.message(giulia, "/start")
    routines.owner_poll(shop)
    [again] = to_owner(bot_api)[seen:]
    assert "four plates for Sunday?" in again["text"]
    assert shop.store.scalar("select count(*) from outbox where reply_to_id = 3") == 0


def test_a_reply_that_may_have_gone_out_is_put_to_her_even_after_the_session(
    bot_api: BotApi, write_shop, open_shop
) -> None:
    shop = make(bot_api, write_shop, open_shop, [ANN], send_fail="no_answer", knows_sent=False)
    routines.reply(shop)
    giulia = bot_api.user(OWNER, "Giulia")
    bot_api.press(giulia, to_owner(bot_api)[-1], "send")
    routines.owner_poll(shop)
    card, note = to_owner(bot_api)[-2:]
    [outbox_id] = [r["id"] for r in shop.store.all("select id from outbox")]
    assert card["text"].startswith("May have been sent: your reply to Ann (B-0001)")
    assert "the server did not answer" in card["text"]
    assert ("Mark sent", f"out:mark_sent:{outbox_id}") in buttons(card)
    assert note["text"].startswith("That reply may have gone out: look, then decide")
    assert "That was the last one: 0 sent, 0 snoozed." in note["text"]
    assert deliver(shop) == []  # never sent again by itself

    # The session is over; her press arrives with the next collect and is acted on.
    bot_api.press(giulia, card, f"out:mark_sent:{outbox_id}")
    routines.collect(shop)
    assert to_owner(bot_api)[-1]["text"] == "Marked sent: Banco will not send it again."
    assert outbox_status(shop, outbox_id) == "sent" and peer(shop) == []  # nothing went out again


def test_tomorrow_morning_then_a_new_message_flags_the_waiting_reply(
    bot_api: BotApi, write_shop, open_shop, clock: FixedClock
) -> None:
    shop = make(bot_api, write_shop, open_shop, [ANN])
    routines.reply(shop)
    item = to_owner(bot_api)[-1]
    assert ("Send tomorrow 09:00", "later") in buttons(item)
    giulia = bot_api.user(OWNER, "Giulia")
    bot_api.press(giulia, item, "later")
    routines.owner_poll(shop)
    [row] = shop.store.all("select id, status, send_at, text from outbox")
    assert (row["status"], row["send_at"]) == ("queued", "2026-11-21T08:00:00+00:00")
    said = to_owner(bot_api)[-1]["text"]
    assert said.startswith(
        f"Scheduled for Ann on Sat 21 Nov 09:00. Until then `banco outbox cancel {row['id']}`"
    )
    assert peer(shop) == []

    # Ann writes again before it goes: the next walk-through shows the reply with her message.
    clock.at += timedelta(minutes=10)
    (shop.home / "items.json").write_text(json.dumps([ANN, ANN_AGAIN]))
    routines.collect(shop)
    routines.reply(shop)
    shown = to_owner(bot_api)[-1]
    assert "Green ones!" in shown["text"]
    assert (
        "You already wrote a reply to this order, scheduled for Sat 21 Nov 09:00, before this"
        " message came: read it before it goes; cancel it if it no longer fits." in shown["text"]
    )
    assert f"«{row['text'].strip()[:40]}" in shown["text"]
    cancel = ("Cancel the reply of Fri 20 Nov 10:00", f"out:cancel:{row['id']}")
    assert cancel in buttons(shown)
    bot_api.press(giulia, shown, cancel[1])
    routines.owner_poll(shop)
    assert to_owner(bot_api)[-1]["text"] == "Cancelled: that reply will not be sent."
    assert outbox_status(shop, row["id"]) == "cancelled"
    clock.at = clock.at.replace(day=21, hour=8)  # its time comes: nothing goes
    assert deliver(shop, due_only=True) == [] and peer(shop) == []


def test_with_nothing_waiting_a_reply_that_may_have_been_sent_is_still_put_to_her(
    bot_api: BotApi, write_shop, open_shop
) -> None:
    shop = make(bot_api, write_shop, open_shop, [ANN], knows_sent=False)
    ann = maybe_sent(shop, 1, "Yes, six blue mugs by Friday.")
    assert routines.reply(shop)["waiting"] == 0
    opening, card = to_owner(bot_api)
    assert opening["text"] == "No messages waiting. Replies to decide about:"
    assert buttons(card)[0] == ("Send again", f"out:resend:{ann}")

"""The Telegram connector, sending: replies through Banco's outbox to the local Bot API server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from crashed import crash_while_sending
from fixtures_telegram import ANNA, BOT_ID, collected, outbox_row

from banco.connectors import Attachment, Context, Handle, Outgoing, Rejected, TryLater
from banco.connectors.telegram import TelegramConnector
from banco.connectors.telegram.send import split_text, telegram_length
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import deliver, queue_reply

GROUP = {"id": -100555, "type": "supergroup", "title": "Mercatino di Natale"}


def connector(shop: Any, sleeps: list[float]) -> TelegramConnector:
    """The shop's Telegram connector, with a sleep that only notes how long it was asked to wait."""
    account = shop.config.account("tg")
    context = Context(home=shop.home, timezone=shop.config.shop.timezone)
    return TelegramConnector("tg", account.settings, context, sleep=sleeps.append)


def outgoing(text: str, **fields: Any) -> Outgoing:
    values: dict[str, Any] = {
        "outbox_id": 1, "to": Handle("telegram", "1001"), "subject": "", "text": text,
        "message_key": "banco.test@shop.example", "conversation": "chat:1001",
        "reply_to_external_id": "1001:1", **fields,
    }  # fmt: skip
    return Outgoing(**values)


# The ordinary path --------------------------------------------------------------------------------
def test_a_reply_queued_in_banco_reaches_the_chat(tg_shop, bot_api, run) -> None:
    shop, home = collected(tg_shop, bot_api, "Vorrei sei tazze blu", "Per il 15 dicembre")
    outbox_id = queue_reply(shop, 2, "Certo! Sei tazze blu entro il 15 dicembre.")
    [result] = deliver(shop)
    assert (result.status, result.error) == ("sent", "")
    [sent] = bot_api.sent
    assert sent == {
        "chat_id": 1001, "reply_to": 2, "business_connection_id": None, "message_id": 3,
        "text": "Certo! Sei tazze blu entro il 15 dicembre.",
    }  # fmt: skip

    row = outbox_row(shop, outbox_id)
    assert (row["status"], row["attempts"]) == ("sent", 1)
    reply = shop.store.one("select * from messages where id = ?", [row["message_id"]])
    assert (reply["direction"], reply["order_id"], reply["external_id"]) == ("out", 1, "1001:3")
    assert reply["conversation"] == "chat:1001"
    assert json.loads(reply["reply_keys"]) == [f"telegram:{BOT_ID}:1001:2"]
    assert shop.store.scalar("select count(*) from messages where waiting = 1") == 0
    assert shop.store.scalar("select count(distinct thread_id) from messages") == 1

    order = run("--home", str(home), "orders", "show", "B-0001")
    assert "You via telegram" in order.output
    assert "Certo! Sei tazze blu entro il 15 dicembre." in order.output
    assert deliver(shop) == []  # nothing goes twice


def test_a_business_reply_goes_through_the_business_connection(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    bot_api.message(ANNA, "Avete il blu?", kind="business_message", business_connection_id="bc-7")
    collect(shop, ["tg"])
    queue_reply(shop, 1, "Sì, blu cobalto.")
    [result] = deliver(shop)
    assert result.status == "sent"
    [sent] = bot_api.sent
    assert (sent["chat_id"], sent["business_connection_id"], sent["reply_to"]) == (1001, "bc-7", 1)
    reply = shop.store.one("select * from messages where direction = 'out'")
    assert reply["external_id"] == "biz:bc-7:1001:2"
    assert reply["conversation"] == "biz:bc-7:1001"


def test_a_reply_in_a_group_goes_to_the_group(tg_shop, bot_api) -> None:
    shop, _ = tg_shop(chats=["groups"])
    bot_api.message(ANNA, "Quanto costa il vaso?", chat=GROUP)
    collect(shop, ["tg"])
    queue_reply(shop, 1, "35 euro")
    [result] = deliver(shop)
    assert result.status == "sent"
    assert (bot_api.sent[0]["chat_id"], bot_api.sent[0]["reply_to"]) == (-100555, 1)


# Long replies -------------------------------------------------------------------------------------
def test_a_long_reply_is_split_between_paragraphs(tg_shop, bot_api) -> None:
    shop, _ = collected(tg_shop, bot_api, "Mi racconti come lavori?")
    paragraphs = [f"Paragrafo {n}. " + "argilla " * 370 for n in range(3)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    queue_reply(shop, 1, text)
    [result] = deliver(shop)
    assert result.status == "sent"
    parts = [s["text"] for s in bot_api.sent]
    assert parts == [p.strip() for p in paragraphs]  # each about 3000 characters: one per message
    assert [s["reply_to"] for s in bot_api.sent] == [1, None, None]  # only the first one quotes
    reply = shop.store.one("select * from messages where direction = 'out'")
    assert reply["text"] == text and reply["external_id"] == "1001:2"


def test_split_text_keeps_every_word_and_each_part_fits() -> None:
    assert split_text("Ciao") == ["Ciao"]
    assert split_text("  \n ") == []
    lines = "\n".join(
        f"riga {n} " + "x" * 90 for n in range(100)
    )  # ~10,000 characters, one paragraph
    parts = split_text(lines)
    assert len(parts) == 3 and all(telegram_length(p) <= 4096 for p in parts)
    assert "\n".join(parts) == lines  # cut at line ends only
    words = " ".join(["parola"] * 1500)  # one line of 10,499 characters
    parts = split_text(words)
    assert all(telegram_length(p) <= 4096 for p in parts) and " ".join(parts) == words
    solid = "a" * 9000
    assert split_text(solid) == ["a" * 4096, "a" * 4096, "a" * 808]
    emoji = "🏺" * 3000  # 2 UTF-16 units each, as Telegram counts
    parts = split_text(emoji)
    assert [len(p) for p in parts] == [2048, 952] and "".join(parts) == emoji


# Refusals ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("where", "error"),
    [
        ("blocked", "the customer has blocked the bot (or deleted their Telegram account), so"
                    " Telegram will not deliver this reply"),
        ("gone", "this Telegram chat no longer exists (or the bot was removed from it), so the reply"
                 " cannot be delivered"),
    ],
)  # fmt: skip
def test_a_refused_reply_fails_visibly_and_is_never_retried(
    tg_shop, bot_api, run, where, error
) -> None:
    shop, home = collected(tg_shop, bot_api, "Ciao")
    getattr(bot_api, where).add(1001)
    outbox_id = queue_reply(shop, 1, "Ecco il preventivo")
    [result] = deliver(shop)
    assert (result.status, result.error) == ("failed", error)
    assert deliver(shop) == []
    assert outbox_row(shop, outbox_id)["attempts"] == 1 and bot_api.sent == []
    assert error in run("--home", str(home), "outbox").output


def test_a_rate_limit_longer_than_banco_waits_keeps_the_reply_queued(tg_shop, bot_api) -> None:
    shop, _ = collected(tg_shop, bot_api, "Ciao")
    bot_api.fail("sendMessage", 429, retry_after=120)
    outbox_id = queue_reply(shop, 1, "Arrivo!")
    [result] = deliver(shop)
    assert result.status == "queued"
    assert outbox_row(shop, outbox_id)["error"] == (
        "will retry: Telegram asks Banco to wait 2 minutes before sending more; the reply stays"
        " in the outbox and goes with the next delivery"
    )
    [again] = deliver(shop)
    assert again.status == "sent" and len(bot_api.sent) == 1


def test_a_short_rate_limit_is_waited_out(tg_shop, bot_api) -> None:
    shop, _ = collected(tg_shop, bot_api, "Ciao")
    bot_api.fail("sendMessage", 429, retry_after=3, times=2)
    sleeps: list[float] = []
    sender = connector(shop, sleeps)
    try:
        receipt = sender.send(outgoing("Arrivo!"), lambda: None)
    finally:
        sender.close()
    assert sleeps == [3.0, 3.0]  # waited as asked, twice, then it went
    assert receipt.external_id == "1001:2" and receipt.record.direction == "out"
    assert [s["text"] for s in bot_api.sent] == ["Arrivo!"]


def test_the_wait_is_bounded(tg_shop, bot_api) -> None:
    shop, _ = collected(tg_shop, bot_api, "Ciao")
    bot_api.fail("sendMessage", 429, retry_after=20, times=2)
    sleeps: list[float] = []
    sender = connector(shop, sleeps)
    try:
        with pytest.raises(TryLater, match="wait 20 seconds"):
            sender.send(outgoing("Arrivo!"), lambda: None)
    finally:
        sender.close()
    assert sleeps == [20.0] and bot_api.sent == []  # 20 + 20 would pass the 30 seconds allowed


@pytest.mark.parametrize(
    ("status", "retry_after", "why"),
    [
        (429, 300, "then Telegram asked Banco to wait 5 minutes"),
        (403, None, "then Telegram answered: Forbidden: bot was blocked by the user"),
    ],
)
def test_a_long_reply_cut_short_is_a_visible_failure(
    tg_shop, bot_api, status, retry_after, why
) -> None:
    """Resending a reply whose first part already went would repeat it: the maker decides."""
    shop, _ = collected(tg_shop, bot_api, "Ciao")
    bot_api.fail("sendMessage", status, "Forbidden: bot was blocked by the user" if status == 403
                 else "", retry_after=retry_after, after=1)  # fmt: skip
    outbox_id = queue_reply(shop, 1, "primo " * 600 + "\n\n" + "secondo " * 400)
    [result] = deliver(shop)
    assert (result.status, result.error) == (
        "failed",
        f"only the first 1 of the 2 parts of this reply reached the chat ({why}); look at the"
        " chat, then send the rest yourself or resend the whole reply",
    )
    assert len(bot_api.sent) == 1 and deliver(shop) == []
    assert outbox_row(shop, outbox_id)["status"] == "failed"


def test_after_a_crash_banco_asks_the_maker(tg_shop, bot_api) -> None:
    """Telegram cannot say what a bot sent: a reply interrupted while sending is the maker's call."""
    shop, _ = collected(tg_shop, bot_api, "Ciao")
    outbox_id = queue_reply(shop, 1, "Arrivo!")
    crash_while_sending(shop, outbox_id)
    [result] = deliver(shop)
    assert result.status == "may_have_been_sent" and bot_api.sent == []


def test_a_reply_without_a_known_chat_is_refused(tg_shop, bot_api) -> None:
    shop, _ = collected(tg_shop, bot_api, "Ciao")
    sender = connector(shop, [])
    try:
        with pytest.raises(Rejected, match="does not know this customer's Telegram chat"):
            sender.send(
                outgoing("x", to=Handle("telegram_username", "anna_b"), conversation=None),
                lambda: None,
            )
    finally:
        sender.close()


# Files ----------------------------------------------------------------------------------------------
def test_attachments_go_as_photos_and_documents(tg_shop, bot_api) -> None:
    shop, _ = collected(tg_shop, bot_api, "Mi mandi il preventivo?")
    png = b"\x89PNG\r\n\x1a\n fake image"
    pdf = b"%PDF-1.4 preventivo"
    sender = connector(shop, [])
    try:
        receipt = sender.send(
            outgoing(
                "Ecco la foto e il preventivo.",
                attachments=[
                    Attachment("vaso.png", "image/png", len(png), png),
                    Attachment("preventivo.pdf", "application/pdf", len(pdf), pdf),
                ],
            ),
            lambda: None,
        )
    finally:
        sender.close()
    text, photo, document = bot_api.sent
    assert (text["text"], text["reply_to"]) == ("Ecco la foto e il preventivo.", 1)
    assert (photo["file_name"], photo["data"], photo["reply_to"]) == ("vaso.png", png, None)
    assert "photo" in photo
    assert (document["document"]["file_name"], document["data"]) == ("preventivo.pdf", pdf)
    assert [a.filename for a in receipt.record.attachments] == ["vaso.png", "preventivo.pdf"]
    assert [m["message_id"] for m in json.loads(receipt.record.raw)] == [2, 3, 4]

"""The digest reaches the maker: by email through aiosmtpd, in her Telegram chat, as a file."""

from __future__ import annotations

import email
import email.policy

from fixtures_telegram import account_toml

from banco.inbox.routines import day as routines


def test_the_digest_by_email_and_as_a_file(mailbox, imap_shop, smtp_server) -> None:
    mailbox.append(
        "INBOX",
        [
            b"From: Anna <anna@example.com>\r\nTo: giulia@shop.example\r\n"
            b"Subject: Sei tazze\r\nMessage-ID: <q1@example.com>\r\n"
            b"Date: Thu, 19 Nov 2026 10:00:00 +0100\r\n\r\nCiao, sei tazze blu?\r\n"
        ],
    )
    mailbox.append("Sent", [])
    shop, home = imap_shop(
        sent_folder="Sent", from_address="giulia@shop.example", **smtp_server.account()
    )
    assert routines.run(shop, "collect")
    assert routines.run(shop, "digest")
    [received] = smtp_server.received
    assert received.rcpt_tos == ["giulia@shop.example"]  # the maker's own address, from [shop]
    mail = email.message_from_bytes(received.data, policy=email.policy.default)
    assert mail["Subject"].startswith("Test shop: your day, 2026-11-20")
    assert (mail["Auto-Submitted"], mail["X-Banco"]) == ("auto-generated", "digest")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Messages waiting for your reply (1)" in text and "<h2>" in html
    assert (home / "digest.html").read_text().startswith("<!doctype html>")
    with mailbox.client() as client:  # the digest is not filed among her sent mail
        client.select_folder("Sent", readonly=True)
        assert client.search(["ALL"]) == []
    run = shop.store.one("select status from runs where routine = 'digest'")
    assert run["status"] == "ok"


def test_an_empty_day_sends_nothing(write_shop, open_shop, bot_api) -> None:
    header = '[shop]\nname = "Bottega"\nowner_chat = 4242\ntimezone = "Europe/Rome"\n'
    shop = open_shop(write_shop(account_toml(bot_api), header=header))
    assert routines.run(shop, "digest")
    assert bot_api.sent == []
    assert shop.store.one("select counts from runs where routine = 'digest'")["counts"] == (
        '{"skipped": "nothing to say today"}'
    )


def test_the_digest_in_the_makers_telegram_and_language(write_shop, open_shop, bot_api) -> None:
    header = (
        '[shop]\nname = "Bottega"\nowner_chat = 4242\ntimezone = "Europe/Rome"\n'
        'languages = ["it"]\n'
    )
    shop = open_shop(write_shop(account_toml(bot_api), header=header))
    bot_api.message(bot_api.user(7001, "Anna"), "Ciao! Fate anche teiere?")
    routines.run(shop, "collect")
    assert routines.run(shop, "digest")
    short, whole = [m for m in bot_api.sent if m["chat_id"] == 4242]
    assert short["text"].startswith("Bottega: la tua giornata")
    assert "Messaggi che aspettano una tua risposta (1)" in short["text"]
    assert whole["document"]["file_name"] == "digest.html" and whole["data"].startswith(
        b"<!doctype"
    )

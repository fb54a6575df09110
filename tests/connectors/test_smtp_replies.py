"""Replies through the outbox, sent over SMTP (aiosmtpd) and kept in the Sent folder (Dovecot)."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from crashed import crash_while_sending
from fixtures_imap import QUESTION, ImapShop, Mailbox, SmtpServer, mail, reply_shop

from banco.connectors.base import Sender
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import OutboxError, deliver, outgoing, queue_reply
from banco.inbox.shop import Shop


def parsed(data: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def sent_copies(mailbox: Mailbox, key: str) -> list[dict[bytes, Any]]:
    with mailbox.client() as client:
        client.select_folder("Sent", readonly=True)
        uids = client.search(["HEADER", "Message-ID", key])
        return list(client.fetch(uids, ["FLAGS", "BODY.PEEK[]"]).values())


def test_a_reply_threads_reaches_the_server_and_is_kept_in_sent(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server)
    outbox_id = queue_reply(shop, 1, "Sì, sei tazze blu entro venerdì.\nGiulia")
    [delivery] = deliver(shop)
    assert delivery.status == "sent", delivery.error
    [received] = smtp_server.received
    assert (received.mail_from, received.rcpt_tos) == ("giulia@shop.example", ["anna@example.com"])
    assert received.login == mailbox.name
    assert b"\n" not in received.data.replace(b"\r\n", b"")  # CRLF line endings only
    reply = parsed(received.data)
    key = shop.store.scalar("select message_key from outbox where id = ?", [outbox_id])
    assert reply["Message-ID"] == f"<{key}>" and key.endswith("@shop.example")
    assert reply["From"] == "Giulia Ceramiche <giulia@shop.example>"
    assert reply["To"] == "anna@example.com"
    assert reply["Subject"] == "Re: Sei tazze blu [B-0001]"
    assert reply["In-Reply-To"] == "<m2@example.com>"
    # every earlier message of the conversation, the one answered last
    references = reply["References"].split()
    assert sorted(references) == ["<m0@example.com>", "<m1@example.com>", "<m2@example.com>"]
    assert references[-1] == "<m2@example.com>"
    assert reply["Date"] is not None and reply["Auto-Submitted"] is None
    assert reply.get_content().replace("\r\n", "\n") == "Sì, sei tazze blu entro venerdì.\nGiulia\n"

    [copy] = sent_copies(mailbox, key)
    assert copy[b"BODY[]"] == received.data and b"\\Seen" in copy[b"FLAGS"]
    stored = shop.store.all("select direction, stream, waiting, order_id from messages order by id")
    assert stored == [
        {"direction": "in", "stream": "INBOX", "waiting": 0, "order_id": 1},
        {"direction": "out", "stream": "outbox", "waiting": 0, "order_id": 1},
    ]
    [again] = collect(shop)  # the copy in Sent is the reply already stored
    assert again.ok and again.counts.new == 0
    assert deliver(shop) == []


def test_a_reply_to_mail_without_a_message_id_carries_no_made_up_one(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server, mail(1, message_id=None))
    assert shop.store.scalar("select message_key from messages").endswith("@no-message-id.invalid")
    queue_reply(shop, 1, "Certo!")
    [delivery] = deliver(shop)
    assert delivery.status == "sent"
    reply = parsed(smtp_server.received[0].data)
    assert reply["In-Reply-To"] is None and reply["References"] is None
    assert reply["Subject"] == "Re: Ordine 1 [B-0001]"


def test_automatic_replies_say_so_and_never_answer_automatic_mail(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer
) -> None:
    out_of_office = QUESTION.replace(
        b"Message-ID: <m2", b"Auto-Submitted: auto-replied\r\nMessage-ID: <m3"
    )
    bounce = mail(4, sender="Mail Delivery System <MAILER-DAEMON@example.com>")
    newsletter = mail(5, sender="news@example.com").replace(
        b"\r\n\r\n", b"\r\nList-Id: <news.example.com>\r\n\r\n", 1
    )
    shop = reply_shop(
        imap_shop, mailbox, smtp_server, QUESTION, mail(6, sender="ben@example.com"),
        out_of_office, bounce, newsletter,
    )  # fmt: skip
    queue_reply(shop, 1, "Grazie! Ti rispondo entro stasera.", auto=True)
    [delivery] = deliver(shop)
    assert delivery.status == "sent"
    assert parsed(smtp_server.received[0].data)["Auto-Submitted"] == "auto-replied"
    with pytest.raises(OutboxError, match="already had an automatic message today"):
        queue_reply(shop, 1, "Grazie ancora!", auto=True)
    for automatic in (3, 4, 5):
        with pytest.raises(OutboxError, match="never answers an automatic message"):
            queue_reply(shop, automatic, "Grazie!", auto=True)
    queue_reply(shop, 2, "Grazie, Ben!", auto=True)  # another customer: allowed
    queue_reply(shop, 1, "Ecco il preventivo.")  # the maker's own reply: always allowed
    assert [d.status for d in deliver(shop)] == ["sent", "sent"]
    assert len(smtp_server.received) == 3


def test_no_automatic_reply_to_a_no_reply_address(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server, mail(1, sender="no-reply@shop.example.org"))
    with pytest.raises(OutboxError):
        queue_reply(shop, 1, "Grazie!", auto=True)


def test_after_a_crash_the_sent_folder_settles_what_it_proves_and_nothing_goes_twice(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server, QUESTION, mail(6, sender="ben@example.com"))
    went = queue_reply(shop, 1, "Hello")
    deliver(shop)
    crash_while_sending(shop, went)  # it went out, but Banco did not mark it
    lost = queue_reply(shop, 2, "Hello Ben")
    crash_while_sending(shop, lost)  # stopped while handing it over: did the server keep it?
    results = {d.outbox_id: d.status for d in deliver(shop)}
    # Missing from Sent proves nothing (Banco's copy is filed after the reply is recorded)
    assert results == {went: "sent", lost: "may_have_been_sent"}
    assert [r.rcpt_tos for r in smtp_server.received] == [["anna@example.com"]]
    assert deliver(shop) == [] and len(smtp_server.received) == 1


def test_the_copy_in_sent_is_kept_only_after_the_reply_is_handed_over(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer
) -> None:
    # Banco records the reply as sent in between: stopping before the copy is kept never makes
    # the reply look unsent (see test_outbox)
    shop = reply_shop(imap_shop, mailbox, smtp_server)
    outbox_id = queue_reply(shop, 1, "Hello")
    row = shop.store.one("select * from outbox where id = ?", [outbox_id])
    connector = shop.connector("mail")
    assert isinstance(connector, Sender)
    try:
        receipt = connector.send(outgoing(shop, row), lambda: None)
        assert len(smtp_server.received) == 1 and sent_copies(mailbox, row["message_key"]) == []
        assert receipt.keep_copy is not None
        receipt.keep_copy()
    finally:
        connector.close()
    [copy] = sent_copies(mailbox, row["message_key"])
    assert copy[b"BODY[]"] == smtp_server.received[0].data


@pytest.mark.parametrize("settings", [{"sent_folder": ""}, {"append_to_sent": False}])
def test_without_its_own_copy_in_sent_banco_asks_the_maker(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer, settings: dict[str, Any]
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server, **settings)
    outbox_id = queue_reply(shop, 1, "Hello")
    crash_while_sending(shop, outbox_id)
    [delivery] = deliver(shop)
    assert delivery.status == "may_have_been_sent" and smtp_server.received == []


@pytest.mark.parametrize(
    ("refusal", "status", "error"),
    [
        (
            "550 5.1.1 No such user",
            "failed",
            "The mail server refused the address anna@example.com: 5.1.1 No such user",
        ),
        (
            "451 4.3.0 Mailbox busy",
            "queued",
            "will retry: The mail server cannot take mail for anna@example.com just now (4.3.0"
            " Mailbox busy); Banco will try again.",
        ),
    ],
)
def test_a_refused_recipient(
    mailbox: Mailbox,
    imap_shop: ImapShop,
    smtp_server: SmtpServer,
    refusal: str,
    status: str,
    error: str,
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server)
    smtp_server.recorder.refuse["anna@example.com"] = refusal
    outbox_id = queue_reply(shop, 1, "Hello")
    [delivery] = deliver(shop)
    assert delivery.status == status
    row = shop.store.one("select status, error from outbox where id = ?", [outbox_id])
    assert row == {"status": status, "error": error}
    assert sent_copies(mailbox, "banco.") == []  # nothing went out, so no copy either


def test_a_wrong_sending_password_needs_the_maker_and_keeps_the_reply(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "wrong")
    shop = reply_shop(imap_shop, mailbox, smtp_server, smtp_password={"env": "SMTP_PASSWORD"})
    outbox_id = queue_reply(shop, 1, "Hello")
    [delivery] = deliver(shop)
    assert delivery.status == "queued"
    error = shop.store.scalar("select error from outbox where id = ?", [outbox_id])
    assert error.startswith("needs you: The mail server 127.0.0.1:")
    assert (
        "refused the login for sending replies (535 5.7.8 Authentication credentials invalid)"
        in error
    )
    monkeypatch.setenv("SMTP_PASSWORD", mailbox.user.password)
    [retried] = deliver(shop)
    assert retried.status == "sent" and len(smtp_server.received) == 1


def test_a_sending_server_that_is_down_means_retry(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server)
    smtp_server.stop()
    outbox_id = queue_reply(shop, 1, "Hello")
    [delivery] = deliver(shop)
    assert delivery.status == "queued"
    error = shop.store.scalar("select error from outbox where id = ?", [outbox_id])
    assert re.fullmatch(
        r"will retry: Banco could not reach the mail server 127\.0\.0\.1:\d+ \(connection"
        r" refused\); Banco will try again\.",
        error,
    )
    smtp_server.start()
    assert [d.status for d in deliver(shop)] == ["sent"]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_sending_over_tls(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_factory: Callable[..., SmtpServer], security: str
) -> None:
    server = smtp_factory(security)
    shop = reply_shop(imap_shop, mailbox, server)
    queue_reply(shop, 1, "Hello")
    assert [d.status for d in deliver(shop)] == ["sent"]
    assert server.received[0].login == mailbox.name


def test_sending_with_an_oauth2_token(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer
) -> None:
    token = {"command": f"printf %s {mailbox.user.password}"}
    shop = reply_shop(imap_shop, mailbox, smtp_server, password=None, oauth2_token=token)
    queue_reply(shop, 1, "Hello")
    assert [d.status for d in deliver(shop)] == ["sent"]
    assert smtp_server.received[0].login == mailbox.name


def test_check_says_whether_replies_can_be_sent(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer, run: Callable[..., Any]
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server)
    output = run("--home", str(shop.home), "check").output
    assert "replies cannot be sent" not in output
    smtp_server.stop()
    output = run("--home", str(shop.home), "check").output
    assert (
        "! replies cannot be sent yet: Banco could not reach the mail server 127.0.0.1:" in output
    )


def test_a_reply_kept_in_sent_is_not_reported_as_a_gap(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer, run: Callable[..., Any]
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server)
    queue_reply(shop, 1, "Hello")
    deliver(shop)
    collect(shop)
    assert "at the source" not in run("--home", str(shop.home), "digest").output


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("it", "riproverà: Il server di posta in questo momento non può accettare posta per"),
        ("fr", "réessaiera"),
    ],
)
def test_why_a_reply_waits_is_recorded_in_the_makers_language(
    mailbox: Mailbox,
    write_shop: Callable[..., Path],
    open_shop: Callable[[Path], Shop],
    smtp_server: SmtpServer,
    lang: str,
    said: str,
) -> None:
    from conftest import SHOP_HEADER

    mailbox.append("INBOX", [QUESTION])
    mailbox.append("Sent", [])
    account = mailbox.account(
        sent_folder="Sent", from_address="giulia@shop.example", **smtp_server.account()
    )
    header = SHOP_HEADER.replace('languages = ["en"]', f'languages = ["{lang}"]')
    shop = open_shop(write_shop(f'\n[[accounts]]\nname = "mail"\n{account}', header=header))
    [result] = collect(shop)
    assert result.ok, result.error
    smtp_server.recorder.refuse["anna@example.com"] = "451 4.3.0 Mailbox busy"
    outbox_id = queue_reply(shop, 1, "Ciao")

    [delivery] = deliver(shop)

    error = shop.store.scalar("select error from outbox where id = ?", [outbox_id])
    assert delivery.status == "queued" and error.startswith(said), error
    assert "4.3.0 Mailbox busy" in error  # the server's own words stay as it wrote them

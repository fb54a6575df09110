"""A bounce is filed on the order of the mail it returned, and the address it could not reach is
failing: the reply session, the customer's page and ``banco customers show`` say so and ask for
another way to reach her, and no reply is routed to it again. Real peers: a Maildir and a form
export (the quote filed before the form that names its customer), and Dovecot with aiosmtpd (a
quote Banco itself sent, bounced back into the IMAP inbox)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from customer_shop import START, bounce, contact_named, customers_shop
from fixtures_imap import Mailbox, SmtpServer
from sources import HEADERS

from banco.connectors.email.dsn import returned
from banco.inbox.collect.sync import collect
from banco.inbox.customers.merging import merge
from banco.inbox.replies.outbox import NobodyReads, deliver, queue_reply, route, warning_for
from banco.inbox.store.messages import message_with_ref


def order_of_message(shop, message_key: str) -> int | None:
    return shop.store.scalar("select order_id from messages where message_key = ?", [message_key])


def test_a_bounce_joins_the_order_of_the_mail_it_returned(
    write_shop, open_shop, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    bob = contact_named(shop, "bob@smith.example")
    bobs_order = shop.store.scalar("select id from orders where contact_id = ?", [bob])
    assert order_of_message(shop, "reply-bob@mail.example") == bobs_order
    assert order_of_message(shop, "bounce-bob@mx.shop.example") == bobs_order
    failing = shop.store.all("select value, bounce_id from failing_addresses order by value")
    assert [f["value"] for f in failing] == ["bob@smiht.example", "marta.bianchi@gmial.example"]
    # the mistyped address was never Bob's: his own stays the one answered, with no warning
    bobs_mail = shop.store.scalar(
        "select id from messages where message_key = 'bob-1@mail.example'"
    )
    assert warning_for(shop, bobs_mail) is None


def test_a_bounce_that_came_before_its_customer_joins_her_order_when_it_comes(
    write_shop, open_shop, run, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    marta = contact_named(shop, "marta.bianchi@gmial.example")
    order = shop.store.one("select id, ref from orders where contact_id = ?", [marta])
    assert order_of_message(shop, "bounce-marta@mx.shop.example") == order["id"]
    shown = run("--home", str(shop.home), "customers", "show", "Marta Bianchi").output
    assert (
        "  email: marta.bianchi@gmial.example  (mail to it bounced on 2026-11-06 10:00)\n" in shown
    )
    assert (
        "Ask this customer for another way to reach them: another address, a phone, Telegram.\n"
        in shown
    )
    assert (
        "Undelivered Mail Returned to Sender"
        in run("--home", str(shop.home), "orders", "show", order["ref"]).output
    )


def test_the_report_names_the_returned_mail_and_the_failed_address() -> None:
    from customer_shop import QUOTE

    said = returned(bounce("b", QUOTE, "Marta.Bianchi@gmial.example", 1))
    assert said.message_key == "quote-marta@mail.example"
    assert said.failed == ("marta.bianchi@gmial.example",)
    # a server that writes no report part: the quoted headers and the "<address>:" line
    plain = (
        b"From: MAILER-DAEMON@mx.example\r\nSubject: failure notice\r\n\r\n"
        b"<marta@gmial.example>:\r\nSorry, I couldn't find a mail exchanger.\r\n\r\n"
        b"--- Below this line is a copy of the message.\r\n\r\n"
        b"Message-ID: <quote-marta@mail.example>\r\nSubject: x\r\n"
    )
    assert returned(plain) == type(said)("quote-marta@mail.example", ("marta@gmial.example",))
    assert returned(b"\xff\xfe not mail at all") == type(said)(None, ())


def test_a_quote_sent_to_a_mistyped_address_bounces_and_banco_asks_for_another_way(
    mailbox: Mailbox,
    smtp_server: SmtpServer,
    write_shop,
    open_shop,
    tmp_path: Path,
) -> None:
    answers = tmp_path / "answers.csv"
    with answers.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerow(
            [
                START.strftime("%d/%m/%Y %H:%M:%S"),
                "Marta Bianchi",
                "marta.bianchi@gmial.example",
                "",
                "12 tazze blu",
                "12",
                "20/12/2026",
            ]
        )
    mailbox.append("INBOX", [])
    mailbox.append("Sent", [])
    account = mailbox.account(
        sent_folder="Sent", from_address="giulia@shop.example", **smtp_server.account()
    )
    home = write_shop(
        f'\n[[accounts]]\nname = "mail"\n{account}'
        f'\n[[accounts]]\nname = "form"\nkind = "csv"\npath = "{answers}"\n'
    )
    shop = open_shop(home)
    assert all(r.ok for r in collect(shop))
    form_answer = int(shop.store.scalar("select id from messages where account = 'form'"))
    assert warning_for(shop, form_answer) is None
    queue_reply(shop, form_answer, "Ciao Marta, 12 tazze blu costano 180 euro.")
    assert [d.status for d in deliver(shop)] == ["sent"]
    [sent] = smtp_server.received
    assert sent.rcpt_tos == ["marta.bianchi@gmial.example"]

    key = re.search(rb"^Message-ID: <([^>]+)>", sent.data, re.M | re.I)[1].decode()
    quote_headers = sent.data.split(b"\r\n\r\n", 1)[0].decode().replace("\r\n", "\n")
    report = bounce("dsn-1", _headers_only(quote_headers), "marta.bianchi@gmial.example", 1)
    mailbox.append("INBOX", [report])
    assert all(r.ok for r in collect(shop))

    order = shop.store.scalar("select order_id from messages where id = ?", [form_answer])
    assert order_of_message(shop, "dsn-1@mx.shop.example") == order
    assert order_of_message(shop, key) == order
    warning = warning_for(shop, form_answer)
    assert warning == (
        "Mail to marta.bianchi@gmial.example bounced on 3 November: the address is wrong. Ask the"
        " customer for another way to reach them (another address, a phone, Telegram)."
    )
    with pytest.raises(NobodyReads) as refused:
        queue_reply(shop, form_answer, "Ciao Marta, ci sei?")
    assert str(refused.value) == warning
    assert len(smtp_server.received) == 1  # nothing more went to the bad address

    # she writes from her real address; the maker says it is Marta: replies go there now
    mailbox.append("INBOX", [_mail("marta-2", "Marta Bianchi <marta.bianchi@gmail.example>")])
    assert all(r.ok for r in collect(shop))
    marta = shop.store.scalar("select contact_id from messages where id = ?", [form_answer])
    merge(shop.store, marta, contact_named(shop, "marta.bianchi@gmail.example"), shop.clock.now())
    message = message_with_ref(shop.store, form_answer)
    assert message is not None
    assert route(shop, message)[2].value == "marta.bianchi@gmail.example"
    assert warning_for(shop, form_answer) is None


def _headers_only(text: str):
    from email import message_from_string

    return message_from_string(text + "\n\n")


def _mail(key: str, sender: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: giulia@shop.example\r\nSubject: Tazze\r\n"
        f"Date: Tue, 03 Nov 2026 12:00:00 +0000\r\nMessage-ID: <{key}@mail.example>\r\n\r\n"
        "Ciao Giulia, scrivimi qui: l'altro indirizzo era sbagliato.\r\n"
    ).encode()

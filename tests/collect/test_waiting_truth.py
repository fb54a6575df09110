""" "Waiting" means the maker has not answered it: only a mail that answered a customer ends it.

Banco's own digest found in her inbox answers nobody; her mail to someone else that names an order
answers no customer; a reply answers what she could see when she wrote it.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fixtures_imap import Mailbox, SmtpServer, mail

from banco.connectors import Handle, Page, Person, Record
from banco.connectors.base import OWN_NOTE
from banco.connectors.email import parse_message
from banco.inbox.clock import FixedClock, iso
from banco.inbox.collect.ingest import Ingest
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import deliver, queue_reply
from banco.inbox.routines import day as routines
from banco.inbox.shop import Shop
from banco.inbox.store import queries
from banco.inbox.store.database import Store

ImapShop = Callable[..., tuple[Shop, Path]]

QUESTION = mail(1, subject="Sei tazze blu", body="Ciao Giulia, vorrei sei tazze blu.")


def collected(shop: Shop) -> None:
    [result] = collect(shop)
    assert result.ok, result.error


def waiting(store: Store) -> list[str]:
    rows = store.all("select message_key from messages where waiting = 1 order by id")
    return [row["message_key"] for row in rows]


# --- the digest, delivered into the inbox Banco reads ------------------------------------------
@pytest.mark.parametrize("from_address", ["giulia@shop.example", "studio@shop.example"])
def test_the_digest_in_her_inbox_is_kept_but_answers_nobody(
    mailbox: Mailbox,
    imap_shop: ImapShop,
    smtp_server: SmtpServer,
    run: Callable[..., Result],
    from_address: str,
) -> None:
    # "studio@" is not one of her [shop] addresses: Banco knows its mail by its own marks
    mailbox.append("INBOX", [QUESTION])
    mailbox.append("Sent", [])
    shop, home = imap_shop(sent_folder="Sent", from_address=from_address, **smtp_server.account())
    collected(shop)
    assert routines.run(shop, "digest")
    [digest] = smtp_server.received
    assert b"B-0001" in digest.data  # it names the order whose message waits
    mailbox.append("INBOX", [digest.data])  # delivered to her own address, as servers do
    collected(shop)

    assert waiting(shop.store) == ["m1@example.com"]
    note = shop.store.one("select * from messages where id = 2")
    assert note is not None and note["subject"].startswith("Test shop: your day")
    assert (note["direction"], note["auto"], note["waiting"]) == ("out", OWN_NOTE, 0)
    assert (note["order_id"], note["contact_id"], note["thread_id"]) == (None, None, None)
    assert shop.store.scalar("select count(*) from orders") == 1
    assert shop.store.scalar("select count(*) from contacts") == 1
    # not among her messages, nor found by a customer's name it mentions
    assert [m["id"] for m in queries.list_messages(shop.store)] == [1]
    found = queries.search(shop.store, "Anna")
    assert [r["id"] for r in found if r["type"] == "message"] == [1]
    listed = run("--home", str(home), "messages")
    assert listed.exit_code == 0 and "your day" not in listed.output


def test_a_digest_sent_before_banco_marked_its_mail_is_known_by_its_message_id() -> None:
    old = (
        b"From: Giulia <giulia@shop.example>\r\nTo: giulia@shop.example\r\n"
        b"Subject: Test shop: your day\r\nDate: Thu, 19 Nov 2026 08:30:00 +0100\r\n"
        b"Message-ID: <banco.digest.0123abcd@shop.example>\r\n"
        b"Auto-Submitted: auto-replied\r\n\r\nMessages waiting for your reply (1)\r\n"
        b"  B-0001  Anna Bianchi (email)\r\n"
    )
    record = parse_message(old, "INBOX/9")
    assert (record.direction, record.auto) == ("out", OWN_NOTE)


def test_only_banco_s_own_message_ids_count_as_its_mail() -> None:
    # a customer's mail program keeps neither Banco's header nor makes its Message-IDs
    copied = mail(3, message_id="anna.42@example.com").replace(
        b"\r\n\r\n", b"\r\nX-Banco: digest\r\n\r\n", 1
    )
    record = parse_message(copied, "INBOX/3")
    assert (record.direction, record.auto) == ("in", None)
    reply = mail(4, sender="Giulia <studio@shop.example>", message_id="banco.ab12@shop.example")
    record = parse_message(reply.replace(b"\r\n\r\n", b"\r\nX-Banco: reply\r\n\r\n", 1), "4")
    assert (record.direction, record.auto) == ("out", None)  # a reply Banco sent: hers


# --- her own mail, to a customer or to someone else ---------------------------------------------
def test_her_note_to_the_courier_naming_an_order_answers_no_customer(
    mailbox: Mailbox, imap_shop: ImapShop
) -> None:
    courier = (
        b"From: Giulia <giulia@shop.example>\r\nTo: Corriere <ritiri@corriere.example>\r\n"
        b"Subject: Ritiro B-0001\r\nDate: Tue, 17 Nov 2026 09:00:00 +0100\r\n"
        b"Message-ID: <c1@shop.example>\r\n\r\nPotete ritirare il pacco per B-0001 venerdi?\r\n"
    )
    mailbox.append("INBOX", [QUESTION])
    mailbox.append("Sent", [courier])
    shop, _ = imap_shop(sent_folder="Sent")
    collected(shop)
    assert waiting(shop.store) == ["m1@example.com"]
    note = shop.store.one("select direction, order_id, waiting from messages where id = 2")
    assert note == {"direction": "out", "order_id": None, "waiting": 0}
    # a copy to Anna (Cc) is written to her: it answers her
    mailbox.append(
        "Sent",
        [
            courier.replace(b"<c1@", b"<c2@").replace(
                b"Subject:", b"Cc: Anna Bianchi <anna@example.com>\r\nSubject:"
            )
        ],
    )
    collected(shop)
    assert waiting(shop.store) == []
    assert shop.store.scalar("select order_id from messages where message_key = 'c2@shop.example'")


T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
OWNER = {Handle("email", "me@shop.example")}
ANN = Person("Ann", [Handle("email", "ann@example.com")])


def incoming(n: int, hours: int, sender: Person = ANN, **fields: Any) -> Record:
    values: dict[str, Any] = {
        "subject": f"Mugs {n}",
        "text": f"Hello {n}, how much for a mug?",  # an inquiry: it opens an order (triage)
        "message_key": f"m{n}@example.com",
        **fields,
    }
    return Record(f"m{n}", "email", sent_at=T0 + timedelta(hours=hours), sender=sender, **values)


def mine(n: int, hours: int, to: Person = ANN, **fields: Any) -> Record:
    return Record(
        f"out{n}",
        "email",
        direction="out",
        sent_at=T0 + timedelta(hours=hours),
        sender=Person("Me", [Handle("email", "me@shop.example")]),
        recipients=[to],
        subject="Re: Mugs",
        text="Yes",
        message_key=f"out{n}@shop.example",
        **fields,
    )


def filed(store: Store, at_hours: int, *records: Record, **ingest: Any) -> None:
    """``records`` collected at T0 + ``at_hours``."""
    now = T0 + timedelta(hours=at_hours)
    Ingest(store, "mail", now, owner=OWNER, **ingest).save_page(Page("INBOX", 1, list(records)))


def test_her_mail_answers_the_customer_it_is_written_to_not_others_on_the_order(
    store: Store,
) -> None:
    filed(store, 1, incoming(1, 1))
    bob = Person("Bob", [Handle("email", "bob@example.com")])
    filed(store, 2, incoming(2, 2, bob, text="About Ann's order B-0001"))  # on Ann's order
    assert store.scalar("select count(distinct order_id) from messages") == 1
    filed(store, 3, mine(3, 3))
    assert waiting(store) == ["m2@example.com"]


def test_a_message_collected_after_her_mail_waits_unless_her_mail_replies_to_it(
    store: Store,
) -> None:
    filed(store, 1, incoming(1, 1))
    filed(store, 4, mine(4, 4, reply_keys=("m3@example.com", "m1@example.com")))
    # both written before her mail, collected after it: only the one she replied to is answered
    filed(store, 5, incoming(2, 2), incoming(3, 3, reply_keys=("m1@example.com",)))
    assert waiting(store) == ["m2@example.com"]


def test_a_reply_to_a_reused_message_id_answers_only_whom_it_is_written_to(
    store: Store,
) -> None:
    # a contact-form plugin sends every submission with the same Message-ID
    bob = Person("Bob", [Handle("email", "bob@example.com")])
    form = {"message_key": "form@shop.example"}
    filed(store, 1, incoming(1, 1, **form), incoming(2, 2, bob, **form))
    filed(store, 3, mine(3, 3, reply_keys=("form@shop.example",)))
    assert waiting(store) == ["form@shop.example"]
    assert store.scalar("select sender from messages where waiting = 1") == "Bob"


def test_a_reply_from_banco_answers_what_was_collected_when_she_wrote_it(store: Store) -> None:
    # She wrote a reply at 4 o'clock to leave at 8 (scheduled); Ann wrote twice in between.
    filed(store, 1, incoming(1, 1), incoming(2, 3))  # both on her screen when she wrote
    filed(store, 6, incoming(3, 5), incoming(4, 7))  # collected after she wrote
    reply = mine(8, 8, reply_keys=("m1@example.com",))
    filed(store, 8, reply, answers_collected_by=iso(T0 + timedelta(hours=4)))
    assert waiting(store) == ["m3@example.com", "m4@example.com"]


# --- Banco's reply, and a message written before it that arrives after it --------------------
def test_a_message_written_before_bancos_reply_but_collected_after_it_still_waits(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    mailbox.append("INBOX", [QUESTION])
    mailbox.append("Sent", [])
    shop, _ = imap_shop(
        sent_folder="Sent", from_address="giulia@shop.example", **smtp_server.account()
    )
    collected(shop)
    clock.at += timedelta(hours=1)
    queue_reply(shop, 1, "Sì, sei tazze blu entro venerdì.")
    [sent] = deliver(shop)
    assert sent.status == "sent", sent.error
    reply = email.message_from_bytes(smtp_server.received[0].data, policy=email.policy.default)
    written = email.utils.parsedate_to_datetime(str(reply["Date"])) - timedelta(minutes=5)
    urgent = mail(
        2,
        subject="Re: Sei tazze blu",
        in_reply_to="m1@example.com",
        body="Urgente: mi servono entro sabato!",
        date=email.utils.format_datetime(written),
    )
    mailbox.append("INBOX", [urgent])  # delayed on the way: it arrives after Banco's reply
    clock.at += timedelta(hours=1)
    collected(shop)
    assert waiting(shop.store) == ["m2@example.com"]

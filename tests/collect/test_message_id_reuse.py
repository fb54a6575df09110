"""Different mails that share a Message-ID are different messages; copies of one mail are one.

Contact-form plugins and shop systems may send every mail with one Message-ID: each such mail is
stored, threaded and counted on its own. A copy of a mail (the same one in a second folder,
delivered again, or in a folder whose UIDs were renumbered) is stored once and counted in every
folder that holds it, so `banco check` and the digest agree with the mailbox. Against a real
Dovecot (over IMAP, and its Maildir read by the maildir connector), and on real mails of CPython's
email test corpus that reuse Message-IDs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils
from click.testing import Result
from conftest import NOW
from fixtures_imap import Mailbox, SmtpServer, mail

from banco.connectors import Handle, Record, unreadable_record
from banco.connectors.email import parse_message
from banco.connectors.email.parse import RAW_TYPE
from banco.inbox.collect.ingest import Ingest, record_copy_key
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import deliver, queue_reply
from banco.inbox.shop import Shop
from banco.inbox.store.database import DB_NAME, Store
from banco.inbox.store.migrations import migrations

CORPUS = Path(__file__).parent.parent / "data" / "email" / "reused_message_id"
REUSED = "contact-form@shop.example"
Run = Callable[..., Result]


def submission(sender: str, body: str, date: str) -> bytes:
    """A mail from the shop's contact form, which sends every one with the same Message-ID."""
    subject = "Nuovo messaggio dal sito"
    return mail(0, sender=sender, subject=subject, message_id=REUSED, body=body, date=date)


ANNA = submission(
    "Anna Bianchi <anna@example.com>", "Vorrei sei tazze blu.", "Mon, 16 Nov 2026 10:00:00 +0100"
)
BEN = submission(
    "Ben Carter <ben@example.com>",
    "Wedding favours: how much for 80?",
    "Tue, 17 Nov 2026 09:30:00 +0100",
)


def delivered_again(data: bytes) -> bytes:
    """``data`` as a second delivery leaves it: one more Received header, the rest the same."""
    received = b"Received: from mx2.example.net by mx.shop.example; 17 Nov 2026 10:00:00 +0100\r\n"
    return received + data


def copy_first(mailbox: Mailbox, folder: str) -> None:
    """Copy INBOX's first message into ``folder`` as a mail program does (IMAP COPY)."""
    with mailbox.client() as client:
        client.create_folder(folder)
        client.select_folder("INBOX")
        client.copy(client.search()[:1], folder)


def account(write_shop: Callable[..., Path], lines: str) -> Path:
    """A shop folder whose one account "mail" has these banco.toml lines."""
    return write_shop(f'\n[[accounts]]\nname = "mail"\n{lines}')


def stored(shop: Shop) -> list[dict[str, Any]]:
    return shop.store.all(
        "select sender_handle, thread_id, order_id, contact_id from messages order by sent_at"
    )


def assert_counted(check: Result, *folders: tuple[str, int]) -> None:
    """``banco check`` finds every folder's messages in Banco, none "not yet collected"."""
    assert check.exit_code == 0, check.output
    for folder, count in folders:
        assert f"  {folder}: {count} at the source, {count} in Banco\n" in check.output
    assert "not yet collected" not in check.output


def assert_two_customers(shop: Shop) -> None:
    """Anna's and Ben's mails are each a message, in a conversation and an order of their own."""
    anna, ben = stored(shop)
    assert (anna["sender_handle"], ben["sender_handle"]) == ("anna@example.com", "ben@example.com")
    assert anna["thread_id"] != ben["thread_id"]
    assert anna["order_id"] != ben["order_id"] and None not in (anna["order_id"], ben["order_id"])
    assert shop.store.scalar("select count(*) from orders") == 2


# --- over IMAP ---------------------------------------------------------------------------------
def test_mails_sharing_a_message_id_are_each_kept_and_copies_are_counted(
    mailbox: Mailbox, write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop], run: Run
) -> None:
    mailbox.append("INBOX", [ANNA, BEN, delivered_again(BEN)])
    copy_first(mailbox, "Orders")  # Anna's, byte for byte
    home = account(write_shop, mailbox.account(folders=["INBOX", "Orders"]))

    collected = run("--home", str(home), "collect")
    assert "mail: 2 new, 0 updated, 2 new orders" in collected.output, collected.output
    assert_counted(run("--home", str(home), "check"), ("INBOX", 3), ("Orders", 1))
    assert "at the source" not in run("--home", str(home), "digest").output  # no gap
    assert "mail: 0 new" in run("--home", str(home), "collect").output

    with mailbox.client() as client:  # the maker's mail program rebuilt the folder: new UIDs
        client.delete_folder("Orders")
    mailbox.append("Orders", [ANNA])
    assert "mail: 0 new" in run("--home", str(home), "collect").output
    assert_counted(run("--home", str(home), "check"), ("INBOX", 3), ("Orders", 1))
    assert_two_customers(open_shop(home))


def test_a_reply_naming_a_reused_message_id_joins_the_mail_of_whom_it_is_addressed_to(
    mailbox: Mailbox,
    write_shop: Callable[..., Path],
    open_shop: Callable[[Path], Shop],
    smtp_server: SmtpServer,
) -> None:
    # Ben's mail is the first stored and the newest: neither makes the reply to Anna his.
    mailbox.append("INBOX", [BEN, ANNA])
    mailbox.append("Sent", [])
    keys = {"sent_folder": "Sent", "from_address": "giulia@shop.example", **smtp_server.account()}
    shop = open_shop(account(write_shop, mailbox.account(**keys)))
    collect(shop)
    anna = shop.store.one("select * from messages where sender_handle = 'anna@example.com'")
    assert anna is not None

    queue_reply(shop, anna["id"], "Certo, sei tazze blu.")
    [delivery] = deliver(shop)
    assert delivery.status == "sent", delivery.error
    assert f"In-Reply-To: <{REUSED}>".encode() in smtp_server.received[0].data
    reply = shop.store.one("select * from messages where direction = 'out'")
    assert reply is not None
    assert (reply["thread_id"], reply["order_id"]) == (anna["thread_id"], anna["order_id"])

    [again] = collect(shop)  # its copy in Sent is that reply, though it names a reused id
    assert again.ok and again.counts.new == 0
    assert shop.store.scalar("select count(*) from messages") == 3
    waiting = "select sender_handle from messages where waiting = 1"
    assert [row["sender_handle"] for row in shop.store.all(waiting)] == ["ben@example.com"]


# --- Maildir -----------------------------------------------------------------------------------
def test_maildir_keeps_mails_sharing_a_message_id_and_counts_copies_in_each_folder(
    mailbox: Mailbox, write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop], run: Run
) -> None:
    mailbox.append("INBOX", [ANNA, BEN, delivered_again(BEN)])
    copy_first(mailbox, "Orders")  # Dovecot links the file into .Orders under the same name
    mailbox.deliver("Archive", ANNA)  # a copy under a name of its own, as mbsync makes one
    folders = ["INBOX", "Orders", "Archive"]
    folders_toml = ", ".join(f'"{folder}"' for folder in folders)
    home = account(
        write_shop,
        f'kind = "maildir"\npath = "{mailbox.user.maildir}"\nfolders = [{folders_toml}]\n',
    )

    collected = run("--home", str(home), "collect")
    assert "mail: 2 new, 0 updated, 2 new orders" in collected.output, collected.output
    check = run("--home", str(home), "check")
    assert_counted(check, ("INBOX", 3), ("Orders", 1), ("Archive", 1))
    assert "mail: 0 new" in run("--home", str(home), "collect").output
    assert_two_customers(open_shop(home))


def test_real_mails_reusing_message_ids_are_kept_unless_they_are_copies(
    tmp_path: Path, write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop], run: Run
) -> None:
    # CPython's corpus: msg_01, 03 and 29 differ only in MIME headers (copies to the maker);
    # msg_14 has another text and msg_20 more recipients; msg_04 and 44 differ only in how
    # their two attachments are named in the headers.
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for sample in sorted(CORPUS.glob("msg_*.txt")):
        (maildir / "new" / sample.stem).write_bytes(sample.read_bytes())
    home = account(write_shop, f'kind = "maildir"\npath = "{maildir}"\n')

    assert "mail: 4 new" in run("--home", str(home), "collect").output
    assert_counted(run("--home", str(home), "check"), ("INBOX", 7))
    shop = open_shop(home)
    kept = shop.store.all("select external_id, thread_id from messages order by external_id")
    assert [row["external_id"] for row in kept] == ["msg_01", "msg_04", "msg_14", "msg_20"]
    assert len({row["thread_id"] for row in kept}) == 4  # none joins another's conversation


# --- in the store ------------------------------------------------------------------------------
WITHOUT_SENDER = b"To: giulia@shop.example\r\nSubject: Ordine\r\nMessage-ID: <%s>\r\n\r\n%s\r\n"
GIULIA = Handle("email", "giulia@shop.example")


def order_of(store: Store, external_id: str) -> int:
    return int(store.scalar("select order_id from messages where external_id = ?", [external_id]))


def test_a_customer_answering_a_reused_message_id_joins_her_own_mail(store: Store) -> None:
    # Anna answers the contact form's copy of her own mail; Ben's mail, with the same id, is the
    # newest one before her answer.
    ingest = Ingest(store, "mail", NOW, owner={GIULIA})
    answer = mail(
        9,
        sender="Anna Bianchi <anna@example.com>",
        in_reply_to=REUSED,
        body="Anche due piatti.",
        date="Tue, 17 Nov 2026 12:00:00 +0100",
    )
    records = [parse_message(data, f"INBOX/1/{n}") for n, data in enumerate([ANNA, BEN, answer])]
    ingest.save_records(records, "INBOX")
    assert (
        order_of(store, "INBOX/1/2") == order_of(store, "INBOX/1/0") != order_of(store, "INBOX/1/1")
    )


def test_a_reply_banco_sent_is_known_in_sent_though_the_server_changed_its_copy(
    store: Store,
) -> None:
    ingest = Ingest(store, "mail", NOW, owner={GIULIA})
    ingest.save_records(
        [parse_message(ANNA, "INBOX/1/1"), parse_message(BEN, "INBOX/1/2")], "INBOX"
    )
    sent = mail(
        0,
        sender="Giulia <giulia@shop.example>",
        to="anna@example.com",
        message_id="banco.5f1c@shop.example",
        in_reply_to=REUSED,
        body="Certo, sei tazze blu.",
        date="Fri, 20 Nov 2026 10:00:00 +0100",
    )
    ingest.save_records([parse_message(sent, "sent:banco.5f1c@shop.example", "out")], "outbox")
    # The mail server added its disclaimer to the copy it kept in Sent.
    kept = sent.replace(b"blu.\r\n", b"blu.\r\n-- \r\nSent with Example Mail\r\n")
    counts = ingest.save_records([parse_message(kept, "Sent/1/1", "out")], "Sent")
    assert (counts.new, counts.unchanged) == (0, 1)
    reply = store.one("select stream, order_id from messages where direction = 'out'")
    assert reply == {"stream": "Sent", "order_id": order_of(store, "INBOX/1/1")}


def test_unreadable_mails_sharing_a_message_id_are_told_apart_by_their_bytes(
    store: Store,
) -> None:
    # Mail the parser cannot read (the email parser now reads even a mail without a sender, so
    # the records are made unreadable the way every connector makes them).
    ingest = Ingest(store, "mail", NOW)

    def unreadable(body: bytes, external_id: str) -> Record:
        raw = WITHOUT_SENDER % (REUSED.encode(), body)
        return unreadable_record(external_id, "email", raw, RAW_TYPE, "damaged")

    first = unreadable(b"Sei tazze", "INBOX/1/1")
    other = unreadable(b"Otto piatti", "INBOX/1/2")
    same = unreadable(b"Sei tazze", "INBOX/2/1")
    counts = ingest.save_records([first, other, same], "INBOX")
    assert (counts.new, counts.unchanged) == (2, 1)


def test_a_store_from_before_copy_keys_still_knows_its_messages_in_a_renumbered_folder(
    tmp_path: Path,
) -> None:
    home = tmp_path / "shop"
    home.mkdir()
    old = sqlite_utils.Database(home / DB_NAME)
    migrations.apply(old, stop_before="m012_message_copies")
    anna = parse_message(ANNA, "INBOX/1/1")
    old["messages"].insert(stored_before_copy_keys(anna))
    old.close()

    store = Store(home)  # upgrades it
    try:
        row = store.one("select copy_key from messages")
        assert row is not None and row["copy_key"] == record_copy_key(anna)
        counts = Ingest(store, "mail", NOW).save_records(
            [parse_message(ANNA, "INBOX/2/1")], "INBOX"
        )
        assert (counts.new, counts.unchanged) == (0, 1)
    finally:
        store.close()


def stored_before_copy_keys(record: Any) -> dict[str, Any]:
    """A message row as filing wrote it before copy keys."""
    return {
        "account": "mail",
        "stream": "INBOX",
        "channel": "email",
        "external_id": record.external_id,
        "direction": "in",
        "sender_handle": record.sender.handles[0].value,
        "recipients": '["giulia@shop.example"]',
        "sent_at": record.sent_at.isoformat(timespec="seconds"),
        "collected_at": "2026-11-20T09:00:00+00:00",
        "subject": record.subject,
        "text": record.text,
        "status": record.status,
        "size": record.size,
        "message_key": record.message_key,
        "content_hash": record.fingerprint(),
        "raw": record.raw,
    }

"""Connectors take the date from the shop's clock, never from the machine.

The shop here stands in June 2021, years before the machine's date: a connector that asked the
machine would read another window and write another date. Of the connectors, only email uses a
date (the backfill window, a reply's Date and its copy in Sent); the source scan below keeps the
others from starting to ask the machine.
"""

from __future__ import annotations

import ast
import email
import email.policy
import email.utils
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures_imap import Mailbox, SmtpServer, mail

from banco.inbox.clock import FixedClock
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import deliver, queue_reply
from banco.inbox.shop import Shop

ImapShop = Callable[..., tuple[Shop, Path]]

SHOP_NOW = datetime(2021, 6, 1, 9, 0, tzinfo=UTC)
CONNECTORS = Path(__file__).resolve().parents[2] / "connectors"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(SHOP_NOW)


def test_the_backfill_window_ends_at_the_shops_today(mailbox: Mailbox, imap_shop: ImapShop) -> None:
    for n, age_days in enumerate([60, 10]):
        arrived = SHOP_NOW - timedelta(days=age_days)
        mailbox.deliver("INBOX", mail(n), mtime=arrived.timestamp())
    shop, _ = imap_shop(backfill_days=30)
    assert shop.connector("mail").check().counts == {"INBOX": 1}
    [result] = collect(shop)
    assert result.ok, result.error
    assert shop.store.all("select subject from messages") == [{"subject": "Ordine 1"}]


def test_a_reply_is_dated_and_kept_in_sent_at_the_shops_now(
    mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer
) -> None:
    mailbox.append("INBOX", [mail(1)])
    mailbox.append("Sent", [])
    shop, _ = imap_shop(
        sent_folder="Sent", from_address="giulia@shop.example", **smtp_server.account()
    )
    collect(shop)
    queue_reply(shop, 1, "Sì, sei tazze blu.\nGiulia")
    [delivery] = deliver(shop)
    assert delivery.status == "sent", delivery.error
    [received] = smtp_server.received
    reply = email.message_from_bytes(received.data, policy=email.policy.default)
    assert email.utils.parsedate_to_datetime(reply["Date"]) == SHOP_NOW
    assert str(reply["Date"]).endswith("+0200")  # the shop's time zone, Europe/Rome in June
    with mailbox.client() as client:
        client.normalise_times = False
        client.select_folder("Sent", readonly=True)
        [copy] = client.fetch(client.search(["ALL"]), ["INTERNALDATE"]).values()
    assert copy[b"INTERNALDATE"] == SHOP_NOW


#: The readings of the machine's clock that stay: the default clock of a Context (``SystemClock``),
#: and Maildir's deliveries in progress, found by comparing it with the times the file system wrote.
MACHINE_CLOCK_KEPT = {("base.py", "datetime.now"), ("maildir/files.py", "time.time_ns")}
MACHINE_DATES = {"datetime.now", "datetime.today", "datetime.utcnow", "date.today"}
MACHINE_TIMES = {"time.time", "time.time_ns", "time.localtime", "time.gmtime"}


def machine_clock_calls(path: Path) -> set[str]:
    """The calls in ``path`` that read the machine's date, such as ``datetime.now``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in ("datetime", "date", "time"):
                name = f"{owner.id}.{node.func.attr}"
                if name in MACHINE_DATES | MACHINE_TIMES:
                    found.add(name)
    return found


def test_no_connector_reads_the_date_from_the_machine() -> None:
    calls = {
        (str(path.relative_to(CONNECTORS)), call)
        for path in CONNECTORS.rglob("*.py")
        for call in machine_clock_calls(path)
    }
    assert calls == MACHINE_CLOCK_KEPT

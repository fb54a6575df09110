"""At most once to a customer, against the real peers: two `banco` processes at once, a `kill -9`
while the SMTP server holds the reply, an SMTP server and a Bot API server that answer after the
timeout, a server that never answers. Whatever is uncertain after the bytes left is "may have
been sent", and only the maker sends it again."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures_imap import Mailbox, SmtpServer, reply_shop
from fixtures_telegram import BotApi, collected, outbox_row

from banco.inbox.replies.outbox import deliver, queue_reply
from banco.inbox.shop import Shop

BANCO = [sys.executable, "-c", "from banco.inbox.cli.main import main; main()"]
ImapShop = Callable[..., tuple[Shop, Path]]


def banco(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BANCO, "--home", str(home), *args], capture_output=True, text=True, timeout=120
    )


def start(home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*BANCO, "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def status(home: Path, outbox_id: int) -> str:
    shop = Shop.open(home)
    try:
        return str(shop.store.scalar("select status from outbox where id = ?", [outbox_id]))
    finally:
        shop.close()


@pytest.fixture
def queued(
    imap_shop: ImapShop, mailbox: Mailbox, smtp_server: SmtpServer
) -> Callable[..., tuple[Path, int]]:
    """A shop with one reply queued to Anna (through ``smtp_server``), and Banco closed."""

    def make(**settings: Any) -> tuple[Path, int]:
        shop = reply_shop(imap_shop, mailbox, smtp_server, **settings)
        outbox_id = queue_reply(shop, 1, "Le tazze sono pronte.")
        home = shop.home
        shop.close()
        return home, outbox_id

    return make


def test_two_deliveries_at_once_send_a_reply_once(
    queued: Callable[..., tuple[Path, int]], smtp_server: SmtpServer
) -> None:
    """`banco outbox send` and the collect routine (as `banco run` does it) start together while
    the server takes its time answering: one holds the reply, the other leaves it alone."""
    home, outbox_id = queued()
    smtp_server.recorder.hold = True
    both = [start(home, "outbox", "send"), start(home, "routine", "collect")]
    assert smtp_server.recorder.arrived.wait(60), "no reply reached the server"
    while all(p.poll() is None for p in both):  # the other one finishes without sending
        time.sleep(0.01)
    smtp_server.recorder.release.set()
    said = [p.communicate(timeout=60)[0] for p in both]
    assert [p.returncode for p in both] == [0, 0], said
    assert len(smtp_server.received) == 1
    assert status(home, outbox_id) == "sent"
    assert banco(home, "outbox", "send").stdout.strip() == "Nothing to send."
    assert len(smtp_server.received) == 1


def test_killed_while_the_server_holds_the_reply_it_is_never_sent_again_by_itself(
    queued: Callable[..., tuple[Path, int]], smtp_server: SmtpServer
) -> None:
    home, outbox_id = queued()
    smtp_server.recorder.hold = True
    sending = start(home, "outbox", "send")
    assert smtp_server.recorder.arrived.wait(60), "no reply reached the server"
    sending.kill()  # kill -9: the server has the message, Banco has not marked it
    sending.wait()
    smtp_server.recorder.hold = False
    smtp_server.recorder.release.set()

    again = banco(home, "outbox", "send")
    assert f"Reply {outbox_id} may have been sent" in again.stdout
    assert "banco outbox resend" in again.stdout and "mark-sent" in again.stdout
    assert banco(home, "routine", "collect").returncode == 0
    assert banco(home, "outbox", "send").stdout.strip() == "Nothing to send."
    assert len(smtp_server.received) == 1
    listing = banco(home, "outbox").stdout
    assert (
        "may have been sent" in listing and "Banco stopped while handing this reply over" in listing
    )

    # The maker looked: it never arrived. She sends it again, and only then does it go.
    assert banco(home, "outbox", "resend", str(outbox_id)).returncode == 0
    assert "sent" in banco(home, "outbox", "send").stdout
    assert len(smtp_server.received) == 2 and status(home, outbox_id) == "sent"


def test_a_server_answering_after_the_timeout_leaves_the_reply_for_the_maker(
    queued: Callable[..., tuple[Path, int]], smtp_server: SmtpServer
) -> None:
    home, outbox_id = queued(timeout_seconds=1)
    smtp_server.recorder.hold = True  # keeps the message, answers after Banco stopped waiting
    shop = Shop.open(home)
    try:
        [delivery] = deliver(shop)
        assert delivery.status == "may_have_been_sent"
        assert "took too long to answer after the reply was handed to it" in delivery.error
    finally:
        shop.close()
    for _ in range(2):  # every later collect and delivery leaves it alone
        assert banco(home, "routine", "collect").returncode == 0
        assert banco(home, "outbox", "send").stdout.strip() == "Nothing to send."
    assert len(smtp_server.received) == 1
    # The maker saw it in her Sent folder (or the customer answered): she marks it sent.
    assert banco(home, "outbox", "mark-sent", str(outbox_id)).returncode == 0
    assert status(home, outbox_id) == "sent"
    shop = Shop.open(home)
    try:
        reply = shop.store.one("select * from messages where direction = 'out'")
        assert reply is not None and reply["text"] == "Le tazze sono pronte."
        assert shop.store.scalar("select count(*) from messages where waiting = 1") == 0
    finally:
        shop.close()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that takes connections and never says a word (not even the SMTP greeting)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


def test_a_server_that_never_answers_keeps_the_reply_queued_nothing_left(
    queued: Callable[..., tuple[Path, int]], silent_server: int
) -> None:
    home, outbox_id = queued(timeout_seconds=1, smtp_port=silent_server)
    said = banco(home, "outbox", "send").stdout
    assert f"Reply {outbox_id} kept in the outbox" in said and "took too long" in said
    assert status(home, outbox_id) == "queued"  # nothing left Banco: the next delivery retries


def test_telegram_answering_after_the_timeout_is_never_sent_twice(tg_shop, bot_api: BotApi) -> None:
    shop, _ = collected(tg_shop, bot_api, "Sono pronte le tazze?", timeout_seconds=1)
    outbox_id = queue_reply(shop, 1, "Sì, domani!")
    bot_api.hold = True  # the chat gets the reply; Telegram's answer comes too late
    [delivery] = deliver(shop)
    assert delivery.status == "may_have_been_sent" and "Telegram did not answer" in delivery.error
    bot_api.hold = False
    bot_api.release.set()
    assert deliver(shop) == [] and deliver(shop) == []
    assert [m["text"] for m in bot_api.sent] == ["Sì, domani!"]
    assert outbox_row(shop, outbox_id)["status"] == "may_have_been_sent"


def test_telegram_unreachable_before_anything_left_retries(tg_shop, bot_api: BotApi) -> None:
    """A connection that could not be made left nothing: the reply waits for the next delivery."""
    shop, _ = collected(tg_shop, bot_api, "Sono pronte le tazze?")
    outbox_id = queue_reply(shop, 1, "Sì, domani!")
    bot_api.close()  # Telegram is out of reach
    [delivery] = deliver(shop)
    assert delivery.status == "queued"
    assert outbox_row(shop, outbox_id)["status"] == "queued"

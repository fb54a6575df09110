"""The outbox's states on the web page, over plain HTTP against the running page (and one look in
a phone-sized browser): replies that may have been sent, with Send again, mark sent and Cancel; a
reply written before a new message came, flagged where the maker answers; Schedule beside Send;
every delivery said as what will really happen, a refusal with her text kept.

The customers write through the test connector (tests/listsource.py), which records what it
"sent" and can fail the way a channel does."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import html
import json
import os
import re
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from crashed import maybe_sent, outbox_status
from fixtures_web import (  # noqa: F401 (fixtures)
    Tab,
    browser,
    demo_home,
    open_shop_at,
    phone,
    screenshot,
    web_server,
)
from listsource import ListConnector
from playwright.sync_api import expect

from banco.connectors import Registry
from banco.inbox.clock import FixedClock, iso
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import deliver, queue_reply
from banco.inbox.shop import Shop
from banco.inbox.web import RunningServer

Serve = Callable[..., RunningServer]


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def mail(key: str, at: str, sender: str, name: str, subject: str, text: str) -> dict[str, str]:
    return {"id": key, "at": at, "from": sender, "name": name, "subject": subject, "text": text}


ANN = mail(
    "a1",
    "2026-11-18T10:00:00+00:00",
    "ann@example.com",
    "Ann",
    "Six mugs",
    "Could you make six blue mugs?",
)
BOB = mail(
    "b1",
    "2026-11-18T11:00:00+00:00",
    "bob@example.com",
    "Bob",
    "A vase",
    "How much is a tall vase?",
)
CARLA = mail(
    "c1",
    "2026-11-19T09:00:00+00:00",
    "carla@example.com",
    "Carla",
    "Plates",
    "How much for plates?",
)
ANN_AGAIN = mail(
    "a2", "2026-11-20T09:05:00+00:00", "ann@example.com", "Ann", "Re: Six mugs [B-0001]",
    "Actually, could they be green?",
)  # fmt: skip


def list_shop(write_shop, open_shop, items: list[dict[str, str]], **settings: object) -> Shop:
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
    home = write_shop(f'\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n{extra}')
    (home / "items.json").write_text(json.dumps(items))
    shop: Shop = open_shop(home)
    [result] = collect(shop)
    assert result.ok, result.error
    return shop


def peer(shop: Shop) -> list[dict[str, Any]]:
    """What the customers received."""
    path = shop.home / "items.sent.json"
    return json.loads(path.read_text()) if path.exists() else []


@pytest.fixture
def browse(web_server: Serve) -> Iterator[Callable[[Shop], httpx.Client]]:
    """An HTTP client on the page of a shop, as one browser session (its cookie, its token)."""
    clients: list[httpx.Client] = []

    def make(shop: Shop) -> httpx.Client:
        client = httpx.Client(base_url=web_server(shop.home).url, follow_redirects=True)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def post(client: httpx.Client, path: str, **form: str) -> httpx.Response:
    """Send a form of the page (with the page's token), then read the page it leads to."""
    page = client.get("/accounts").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert token
    answer = client.post(path, data={"csrf": token[1], **form})
    assert answer.status_code == 200, answer.text
    return answer


def flashes(page: httpx.Response) -> list[str]:
    found = re.findall(r'<p class="flash \w+" role="\w+">(.*?)</p>', page.text, re.S)
    return [html.unescape(text) for text in found]


def text_of(page: httpx.Response) -> str:
    """The page's words, as one line (tags dropped)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def draft_in(page: httpx.Response) -> str:
    found = re.search(r'<textarea id="reply-text"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert found
    return html.unescape(found[1])


# Replies that may have been sent ------------------------------------------------------------------
def test_the_session_shows_replies_that_may_have_been_sent_and_the_maker_decides(
    write_shop, open_shop, browse
) -> None:
    shop = list_shop(write_shop, open_shop, [ANN, BOB, CARLA], knows_sent=False)
    ann = maybe_sent(shop, 1, "Yes, six blue mugs by Friday.")
    bob = maybe_sent(shop, 2, "A tall vase, yes.")
    client = browse(shop)

    page = client.get("/session")
    words = text_of(page)
    assert "Replies that may have been sent (2)" in words
    assert "B-0001 to Ann by email, Fri 20 Nov 10:00: “Yes, six blue mugs by Friday.”" in words
    assert "never sends them again by itself" in words
    for outbox_id in (ann, bob):
        for action in ("resend", "mark-sent", "cancel"):
            form = re.search(rf'action="/outbox/{outbox_id}/{action}".*?</form>', page.text, re.S)
            assert form and 'name="next" value="/session"' in form[0], (outbox_id, action)
    assert "Carla" in text_of(page)  # the batch goes on below them

    # She saw Ann's reply in her Sent folder; Bob's never arrived.
    marked = post(client, f"/outbox/{ann}/mark-sent", next="/session")
    assert str(marked.url).endswith("/session")
    assert flashes(marked) == ["Marked sent: Banco will not send it again."]
    again = post(client, f"/outbox/{bob}/resend", next="/session")
    assert flashes(again) == ["Sent to Bob by email."]
    assert "Replies that may have been sent" not in text_of(again)
    assert (outbox_status(shop, ann), outbox_status(shop, bob)) == ("sent", "sent")
    assert [(s["to"], s["text"]) for s in peer(shop)] == [("bob@example.com", "A tall vase, yes.")]


@pytest.mark.parametrize(
    ("failure", "said", "state"),
    [
        ("", "Sent to Ann by email.", "sent"),
        (
            "try_later",
            "Not sent yet: the server is busy. It stays in the outbox; Banco tries again at the"
            " next collect.",
            "queued",
        ),
        (
            "rejected",
            "Email refused the reply to Ann: the customer blocked this chat. Nothing went out;"
            " send it again or cancel it on the Accounts page.",
            "failed",
        ),
        (
            "no_answer",
            "The reply to Ann may have gone out (the server did not answer). Look in the chat or"
            " your Sent folder, then choose Send again or It went out: mark sent; Banco never"
            " sends it again by itself.",
            "may_have_been_sent",
        ),
    ],
)
def test_every_delivery_is_said_as_what_will_really_happen(
    write_shop, open_shop, browse, failure: str, said: str, state: str
) -> None:
    shop = list_shop(write_shop, open_shop, [ANN], send_fail=failure, knows_sent=False)
    page = post(browse(shop), "/session/o1/send", text="Six blue mugs, yes!", lang="en")
    assert flashes(page) == [said]
    assert [r["status"] for r in shop.store.all("select status from outbox")] == [state]
    if state == "may_have_been_sent":  # and it is put to her at once, to decide
        assert "Replies that may have been sent (1)" in text_of(page)


def test_a_reply_another_banco_is_sending_is_said_so(write_shop, open_shop, browse) -> None:
    shop = list_shop(write_shop, open_shop, [ANN])
    outbox_id = queue_reply(shop, 1, "Six blue mugs, yes!")
    # Another Banco process (alive: this one's id) holds the reply and is sending it.
    shop.store.db.table("outbox").update(
        outbox_id,
        {
            "status": "claimed",
            "claimed_by": f"{socket.gethostname()}:{os.getpid()}:other",
            "lease_until": iso(shop.clock.now() + timedelta(minutes=15)),
        },
    )
    page = post(browse(shop), f"/outbox/{outbox_id}/resend", next="/accounts")
    assert flashes(page) == ["Another Banco window is sending it right now."]
    assert outbox_status(shop, outbox_id) == "claimed" and peer(shop) == []


# Scheduled replies, and a message that came after one was written ----------------------------------
PENDING_NOTICE = (
    "You already wrote a reply to this order, scheduled for Sat 21 Nov 09:00, before this message"
    " came: read it before it goes; cancel it if it no longer fits."
)


def test_a_scheduled_reply_then_a_new_message_is_flagged_and_can_be_cancelled(
    write_shop, open_shop, browse, clock: FixedClock
) -> None:
    shop = list_shop(write_shop, open_shop, [ANN])
    client = browse(shop)
    page = client.get("/session")
    assert 'name="send_at"' in page.text and ">Schedule</button>" in page.text
    scheduled = post(
        client, "/session/o1/send", text="Six blue mugs, yes!", schedule="1", send_at="tomorrow 9"
    )
    assert flashes(scheduled) == [
        "Scheduled for Sat 21 Nov 09:00; you can cancel it on the Accounts page until then."
    ]
    [row] = shop.store.all("select id, status, send_at from outbox")
    assert (row["status"], row["send_at"]) == ("queued", "2026-11-21T08:00:00+00:00")
    assert peer(shop) == [] and deliver(shop) == []  # not before its time
    assert "Nothing waiting" in text_of(scheduled)  # answered, as far as the session goes
    accounts = text_of(client.get("/accounts"))
    assert "scheduled for Sat 21 Nov 09:00" in accounts

    # Ten minutes later Ann writes again, before the reply has gone.
    clock.at += timedelta(minutes=10)
    (shop.home / "items.json").write_text(json.dumps([ANN, ANN_AGAIN]))
    collected = post(client, "/collect", next="/session")
    assert flashes(collected)[0].startswith("Collected: 1 new message")
    words = text_of(collected)
    assert "Actually, could they be green?" in words and PENDING_NOTICE in words
    assert "Six blue mugs, yes!" in words  # her reply, to read before it goes
    cancel = re.search(rf'action="/outbox/{row["id"]}/cancel".*?</form>', collected.text, re.S)
    assert cancel and 'name="next" value="/session?key=o1"' in cancel[0]
    order = client.get("/orders/B-0001")
    assert PENDING_NOTICE in text_of(order)
    assert f'action="/outbox/{row["id"]}/cancel"' in order.text

    cancelled = post(client, f"/outbox/{row['id']}/cancel", next="/orders/B-0001#reply")
    assert str(cancelled.url).endswith("/orders/B-0001#reply")
    assert flashes(cancelled) == ["Cancelled: that reply will not be sent."]
    assert PENDING_NOTICE not in text_of(cancelled)
    clock.at = clock.at.replace(day=21, hour=8)  # its time comes: nothing goes
    assert deliver(shop, due_only=True) == [] and peer(shop) == []


def test_a_time_written_beside_schedule_is_never_ignored(write_shop, open_shop, browse) -> None:
    """Enter in the time field presses the form's first button when scripts are off: the reply
    still waits for the time she wrote."""
    shop = list_shop(write_shop, open_shop, [ANN])
    client = browse(shop)
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/orders/B-0001").text)
    assert nonce
    page = post(
        client,
        "/orders/B-0001/reply",
        next="/orders/B-0001",
        reply_to="1",
        was_waiting="1",
        nonce=nonce[1],
        text="Green it is.",
        send_at="monday 17:30",
    )
    assert flashes(page) == [
        "Scheduled for Mon 23 Nov 17:30; you can cancel it on the Accounts page until then."
    ]
    assert peer(shop) == []


@pytest.mark.parametrize(
    ("when", "said"),
    [
        ("", "Write when the reply should go, such as tomorrow 09:00."),
        ("25:00", "25:00 is not a time of day; write a time such as 09:00 or 17:30."),
        ("someday", "Banco could not read that time; write a day and an hour, such as"),
    ],
)
def test_a_refused_reply_is_said_plainly_and_her_text_is_kept(
    write_shop, open_shop, browse, when: str, said: str
) -> None:
    shop = list_shop(write_shop, open_shop, [ANN])
    client = browse(shop)
    page = post(
        client, "/session/o1/send", text="My own words.", schedule="1", send_at=when, lang="en"
    )
    [error] = flashes(page)
    assert error.startswith(said) and 'role="alert"' in page.text
    assert draft_in(page) == "My own words."
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/orders/B-0001").text)
    assert nonce
    form = {"next": "/orders/B-0001", "reply_to": "1", "was_waiting": "1", "nonce": nonce[1]}
    page = post(
        client, "/orders/B-0001/reply", **form, text="Other words.", schedule="1", send_at=when
    )
    [error] = flashes(page)
    assert error.startswith(said) and draft_in(page) == "Other words."
    assert shop.store.all("select id from outbox") == [] and peer(shop) == []


def test_no_account_can_send_is_said_on_the_order_page_without_send(
    demo_home: Path, web_server: Serve, clock: FixedClock, registry: Registry
) -> None:
    """The demo's mailbox is a Maildir and its form only reads: nobody can take a reply to a mail
    order (an Etsy sale is answered on Etsy instead)."""
    shop = open_shop_at(demo_home, clock, registry)
    try:
        [order] = shop.store.all(
            "select ref from orders where account = 'shop-mail' and marketplace is null"
            " and status = 'new' order by id limit 1"
        )
    finally:
        shop.close()
    with httpx.Client(base_url=web_server(demo_home).url, follow_redirects=True) as client:
        page = client.get(f"/orders/{order['ref']}")
        assert "No account of yours can send this reply: shop-mail only reads" in text_of(page)
        assert ">Send</button>" not in page.text and ">Schedule</button>" not in page.text
        assert 'id="reply-text"' in page.text  # her words can still be written and copied
    shop = open_shop_at(demo_home, clock, registry)
    try:
        assert shop.store.all("select id from outbox") == []
    finally:
        shop.close()


def test_the_session_on_a_phone_with_replies_to_decide(
    write_shop, open_shop, web_server: Serve, phone: Tab, clock: FixedClock
) -> None:
    shop = list_shop(write_shop, open_shop, [ANN, BOB], knows_sent=False)
    bob = maybe_sent(shop, 2, "A tall vase, yes: 40 cm, in white, ready in two weeks.")
    queue_reply(shop, 1, "Six blue mugs, yes!", send_at=clock.at + timedelta(days=1))
    clock.at += timedelta(minutes=10)
    (shop.home / "items.json").write_text(json.dumps([ANN, BOB, ANN_AGAIN]))
    collect(shop)

    page = phone.go(web_server(shop.home).url + "/session")
    expect(page.locator(".notice.uncertain")).to_contain_text("to Bob by email")
    expect(page.locator(".notice.pending")).to_contain_text("scheduled for Sat 21 Nov 10:00")
    expect(page.get_by_label("Or send it later, at")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the session is {width}px wide on a phone"
    screenshot(phone, "session-outbox-phone")

    page.locator(".notice.uncertain").get_by_role("button", name="It went out: mark sent").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Marked sent: Banco will not send it again."
    )
    expect(page.locator(".notice.uncertain")).to_have_count(0)
    page.get_by_label("Or send it later, at").fill("monday 9:00")
    page.get_by_label("Or send it later, at").press(
        "Enter"
    )  # Schedule, not the form's first button
    expect(page.get_by_role("status").first).to_have_text(
        "Scheduled for Mon 23 Nov 09:00; you can cancel it on the Accounts page until then."
    )
    assert outbox_status(shop, bob) == "sent" and peer(shop) == []
    assert phone.errors == []

"""Replies written on the page reach the customer for real: by email through aiosmtpd (an IMAP
account with SMTP) and by Telegram through the local Bot API server, once and only once."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fixtures_imap import Mailbox, SmtpServer
from fixtures_telegram import BotApi
from fixtures_web import (  # noqa: F401 (fixtures)
    Tab,
    browser,
    demo_home,
    desktop,
    open_shop_at,
    phone,
    web_server,
)
from playwright.sync_api import Page, expect

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.collect.sync import collect
from banco.inbox.shop import Shop
from banco.inbox.web import RunningServer

QUESTION = (
    b"From: Anna Bianchi <anna@example.com>\r\n"
    b"To: giulia@shop.example\r\n"
    b"Subject: Sei tazze blu\r\n"
    b"Date: Wed, 18 Nov 2026 10:00:00 +0100\r\n"
    b"Message-ID: <q1@example.com>\r\n"
    b"\r\n"
    b"Ciao Giulia, vorrei sei tazze blu per Natale. Grazie!\r\n"
)
ANNA = {"id": 1001, "is_bot": False, "first_name": "Anna", "last_name": "Bianchi"}
Serve = Callable[..., RunningServer]


def stored(home: Path, clock: FixedClock, registry: Registry, sql: str) -> list[dict[str, Any]]:
    shop = open_shop_at(home, clock, registry)
    try:
        return shop.store.all(sql)
    finally:
        shop.close()


def collect_on_the_page(tab: Tab, server: RunningServer) -> Page:
    """Press Collect now, as the maker would. (The Telegram connector runs its own event loop,
    which cannot run in the test's thread while Playwright's does.)"""
    page = tab.go(server.url + "/accounts")
    page.get_by_role("button", name="Collect now").click()
    expect(page.get_by_role("status").first).to_have_text(
        re.compile(r"^Collected: \d new messages?, 1 new order")
    )
    return page


def test_a_reply_sent_from_the_session_reaches_the_smtp_server(
    mailbox: Mailbox,
    smtp_server: SmtpServer,
    imap_shop: Callable[..., tuple[Shop, Path]],
    web_server: Serve,
    desktop: Tab,
    clock: FixedClock,
    registry: Registry,
) -> None:
    mailbox.append("INBOX", [QUESTION])
    mailbox.append("Sent", [])
    shop, home = imap_shop(
        sent_folder="Sent",
        from_address="giulia@shop.example",
        from_name="Giulia Ceramiche",
        **smtp_server.account(),
    )
    [result] = collect(shop)
    assert result.ok, result.error
    server = web_server(home)

    page = desktop.go(server.url + "/session")
    expect(page.locator("#h-item")).to_contain_text("Anna Bianchi")
    expect(page.locator(".notice")).to_have_count(0)  # this account can send
    expect(page.locator("label[for=reply-text]")).to_contain_text(
        "goes by email to anna@example.com through mail"
    )
    page.get_by_label("Template").select_option("ask_details")
    page.get_by_role("button", name="Use this template").click()
    reply = page.get_by_label("Your reply (ask for details, in Italian)")
    expect(reply).to_have_value(re.compile("^Ciao Anna"))
    reply.fill("Ciao Anna, sì: sei tazze blu entro il 18 dicembre.\nGiulia")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status").first).to_have_text("Sent to Anna Bianchi by email.")
    expect(page.locator(".done")).to_have_text("Nothing waiting: every message has its answer.")

    [received] = smtp_server.received
    assert received.rcpt_tos == ["anna@example.com"]
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert message["Subject"] == "Re: Sei tazze blu [B-0001]"
    assert message["In-Reply-To"] == "<q1@example.com>"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "sei tazze blu entro il 18 dicembre" in body.get_content()
    [row] = stored(home, clock, registry, "select status from outbox")
    assert row["status"] == "sent"
    assert stored(home, clock, registry, "select waiting from messages where direction = 'in'") == [
        {"waiting": 0}
    ]
    assert desktop.errors == []


def test_a_reply_sent_from_the_session_on_a_phone_reaches_the_bot_api(
    tg_shop: Callable[..., tuple[Shop, Path]],
    bot_api: BotApi,
    web_server: Serve,
    phone: Tab,
) -> None:
    _, home = tg_shop()
    bot_api.message(ANNA, "Ciao! Vorrei sei tazze blu per Natale, è possibile?")
    server = web_server(home)

    page = collect_on_the_page(phone, server)
    page.get_by_role("link", name="Reply").click()
    expect(page.locator("#h-item")).to_contain_text("Anna Bianchi")
    page.get_by_label(re.compile("Your reply")).fill("Certo! Sei tazze blu per Natale.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status").first).to_have_text("Sent to Anna Bianchi by Telegram.")
    [sent] = bot_api.sent
    assert (sent["chat_id"], sent["text"]) == (1001, "Certo! Sei tazze blu per Natale.")
    assert phone.errors == []


def test_a_reply_from_the_order_page_goes_out_once(
    tg_shop: Callable[..., tuple[Shop, Path]],
    bot_api: BotApi,
    web_server: Serve,
    desktop: Tab,
    clock: FixedClock,
    registry: Registry,
) -> None:
    _, home = tg_shop()
    bot_api.message(ANNA, "Vorrei sei tazze blu")
    bot_api.message(ANNA, "Per il 15 dicembre")
    server = web_server(home)
    collect_on_the_page(desktop, server)

    # The order page is open in one tab while the session answers in another.
    stale = desktop.go(server.url + "/orders/B-0001")
    session = desktop.page.context.new_page()
    session.goto(server.url + "/session")
    session.get_by_label(re.compile("Your reply")).fill("Ciao Anna, ci sono!")
    session.get_by_role("button", name="Send").click()
    expect(session.get_by_role("status").first).to_have_text("Sent to Anna Bianchi by Telegram.")

    stale.get_by_label(re.compile("Your reply to")).fill("Ciao Anna, ti rispondo io.")
    stale.get_by_role("button", name="Send").click()
    expect(stale.get_by_role("alert")).to_contain_text("This message was answered meanwhile")
    expect(stale.get_by_label(re.compile("Your reply to"))).to_have_value(
        "Ciao Anna, ti rispondo io."
    )  # her text is kept
    assert [s["text"] for s in bot_api.sent] == ["Ciao Anna, ci sono!"]

    # Now a follow-up on purpose, and the same form sent twice (a double click, a reload).
    form = stale.locator("form[action='/orders/B-0001/reply']")
    stale.get_by_label(re.compile("Your reply to")).fill("Le tazze sono pronte!")
    fields = {
        name: form.locator(f"[name={name}]").input_value()
        for name in ("csrf", "next", "reply_to", "was_waiting", "nonce", "lang", "text")
    }
    stale.get_by_role("button", name="Send").click()
    expect(stale.get_by_role("status").first).to_have_text("Sent to Anna Bianchi by Telegram.")
    again = stale.request.post(server.url + "/orders/B-0001/reply", form=fields)
    assert again.ok and "This reply was already sent" in again.text()
    assert [s["text"] for s in bot_api.sent] == ["Ciao Anna, ci sono!", "Le tazze sono pronte!"]
    rows = stored(home, clock, registry, "select status from outbox order by id")
    assert [r["status"] for r in rows] == ["sent", "sent"]


def test_an_account_that_cannot_send_says_so_before_sending(
    demo_home: Path, web_server: Serve, desktop: Tab, clock: FixedClock, registry: Registry
) -> None:
    home = demo_home  # the demo's mailbox is a Maildir: Banco only reads it
    # a mail order waiting for her reply (an Etsy sale is answered on Etsy, never by mail)
    [order] = stored(
        home, clock, registry,
        "select o.id, c.name from orders o join contacts c on c.id = o.contact_id"
        " where o.account = 'shop-mail' and o.marketplace is null and exists"
        " (select 1 from messages m where m.order_id = o.id and m.waiting = 1)"
        " order by o.id limit 1",
    )  # fmt: skip
    server = web_server(home)
    page = desktop.go(server.url + f"/session?key=o{order['id']}")
    expect(page.locator("#h-item")).to_contain_text(order["name"])
    reason = "No account of yours can send this reply: shop-mail only reads"
    expect(page.locator(".template-picker + p.notice")).to_contain_text(reason)
    # Send is not offered: nothing would ever take the reply, so none is queued to wait forever.
    expect(page.get_by_role("button", name="Send", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Schedule")).to_have_count(0)
    expect(page.get_by_role("button", name="No reply needed")).to_be_visible()

    # A form sent anyway (a tab left open from before) is refused with that reason, her text kept.
    form = page.locator("form.session-form")
    fields = {n: form.locator(f"[name={n}]").input_value() for n in ("csrf", "lang", "suggested")}
    answer = page.request.post(
        server.url + f"/session/o{order['id']}/send", form={**fields, "text": "Ciao, grazie mille!"}
    )
    assert answer.ok and f'<p class="flash error" role="alert">{reason}' in answer.text()
    assert ">Ciao, grazie mille!</textarea>" in answer.text()
    assert stored(home, clock, registry, "select id from outbox") == []

"""The web page in a real browser against `banco serve` on the demo shop: every page loads on a
desktop and a phone without console errors, lines link where they say, the board moves orders (by
dragging, by keyboard, and without JavaScript), search and filters find messages, and an order's
tasks, fields and notes change the store."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fixtures_web import (  # noqa: F401 (fixtures)
    Tab,
    browser,
    demo_home,
    demo_server,
    desktop,
    new_tab,
    open_shop_at,
    phone,
    screenshot,
    web_server,
)
from playwright.sync_api import Browser, expect

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.web import RunningServer
from banco.inbox.web.calendar import home_network_address

PAGES = {
    "today": ("/", "your day"),
    "inbox": ("/inbox", "Inbox"),
    "search": ("/inbox?q=Biscuit", "Inbox"),
    "message": ("/messages/7", "Custom mugs with our dog's face?"),
    "unreadable-message": ("/messages/22", "(no subject)"),  # after the supplier's mail (triage)
    "board": ("/orders", "Orders"),
    "order-list": ("/orders?view=list&status=all", "Orders"),
    "order": ("/orders/B-0005", "Custom mugs with our dog's face?"),
    "reply-session": ("/session", "Reply session"),
    "plan": ("/plan", "Plan"),
    "accounts": ("/accounts", "Accounts"),
}

# the demo's rows found by what they are, whatever their numbers
UNREADABLE = "select id from messages where status = 'unreadable'"
QUOTED = "select ref from orders where status = 'quoted'"


def store(home: Path, clock: FixedClock, registry: Registry, sql: str, *params: object) -> list:
    shop = open_shop_at(home, clock, registry)
    try:
        return shop.store.all(sql, list(params))
    finally:
        shop.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_on_a_desktop_and_a_phone_without_errors(
    name: str, demo_server: RunningServer, desktop: Tab, phone: Tab
) -> None:
    path, heading = PAGES[name]
    for tab, device in ((desktop, "desktop"), (phone, "phone")):
        page = tab.go(demo_server.url + path)
        expect(page.locator("h1")).to_contain_text(heading)
        expect(page.locator("main#main")).to_be_visible()
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        # nothing wider than the screen: the page never scrolls sideways on a phone
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{name} is {width}px wide on a {device}"  # type: ignore[index]
        screenshot(tab, f"{name}-{device}")
        assert tab.errors == [], f"{name} on a {device}: {tab.errors}"
        assert tab.dialogs == []


def test_every_control_has_a_label(demo_server: RunningServer, desktop: Tab) -> None:
    for path, _ in PAGES.values():
        page = desktop.go(demo_server.url + path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
                .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                              && !(el.tagName === 'BUTTON' && el.textContent.trim()))
                .map(el => el.outerHTML.slice(0, 80))"""
        )
        assert unlabelled == [], f"{path}: {unlabelled}"


def test_today_lines_lead_to_what_they_are_about(
    demo_server: RunningServer, demo_home: Path, desktop: Tab, clock: FixedClock, registry: Registry
) -> None:
    # Francesca's order and the unreadable mail, whatever their numbers
    [francesca] = store(
        demo_home, clock, registry,
        "select o.ref from orders o join contacts c on c.id = o.contact_id"
        " where c.name = 'Francesca Moretti'",
    )  # fmt: skip
    [unreadable_mail] = store(demo_home, clock, registry, UNREADABLE)
    page = desktop.go(demo_server.url + "/")
    waiting = page.locator("section", has=page.locator("#h-waiting"))
    waiting.get_by_role("link", name=re.compile("Olivia Bennett")).click()
    expect(page.locator("h1")).to_have_text("Birthday mug for my mum")
    page.go_back()
    ref = francesca["ref"]
    page.get_by_role("link", name=re.compile(f"{ref} Francesca Moretti")).first.click()
    expect(page).to_have_url(re.compile(f"/orders/{ref}$"))
    page.go_back()
    unreadable = page.locator("section", has=page.locator("#h-unreadable"))
    with page.expect_download() as download:
        unreadable.get_by_role("link", name="Download the original").click()
    assert download.value.suggested_filename == f"message-{unreadable_mail['id']}.eml"
    page.get_by_role("link", name=re.compile("Start the reply session")).click()
    expect(page.locator("h1")).to_have_text("Reply session")


def test_a_card_dragged_to_another_column_changes_the_status_in_the_store(
    demo_server: RunningServer,
    demo_home: Path,
    desktop: Tab,
    clock: FixedClock,
    registry: Registry,
) -> None:
    # a new inquiry (Olivia's), whatever its number; the quotes already sent are counted first
    [olivia] = store(
        demo_home, clock, registry,
        "select o.ref from orders o join contacts c on c.id = o.contact_id"
        " where c.name = 'Olivia Bennett' and o.status = 'new'",
    )  # fmt: skip
    ref = olivia["ref"]
    page = desktop.go(demo_server.url + "/orders")
    quoted = page.locator('[data-drop="quoted"]')
    before = int(quoted.locator("[data-count]").inner_text())
    page.locator(f"#card-{ref}").drag_to(quoted)
    expect(quoted.locator(f"#card-{ref}")).to_be_visible()
    expect(quoted.locator("[data-count]")).to_have_text(str(before + 1))
    expect(page.locator("#board-news")).to_have_text(f"{ref} is now quote sent.")
    [row] = store(demo_home, clock, registry, f"select status from orders where ref = '{ref}'")
    assert row["status"] == "quoted"
    tasks = store(
        demo_home, clock, registry,
        "select t.title from tasks t join orders o on o.id = t.order_id"
        f" where o.ref = '{ref}' and t.stage = 'quoted'",
    )  # fmt: skip
    assert tasks, "moving an order makes its stage's tasks, as `banco orders status` does"
    page.reload()  # the move is in the store, not only on the page
    expect(quoted.locator(f"#card-{ref}")).to_be_visible()
    assert desktop.errors == []


def test_a_card_moved_with_the_keyboard(
    demo_server: RunningServer, demo_home: Path, desktop: Tab, clock: FixedClock, registry: Registry
) -> None:
    page = desktop.go(demo_server.url + "/orders")
    select = page.get_by_label("Move B-0010 to")
    select.focus()
    select.select_option("booked")
    page.keyboard.press("Tab")  # to the card's Move button
    page.keyboard.press("Enter")
    booked = page.locator('[data-drop="booked"]')
    expect(booked.locator("#card-B-0010")).to_be_visible()
    [row] = store(demo_home, clock, registry, "select status from orders where ref = 'B-0010'")
    assert row["status"] == "booked"


def test_the_board_works_without_javascript(
    demo_server: RunningServer,
    demo_home: Path,
    browser: Browser,  # noqa: F811
    clock: FixedClock,
    registry: Registry,
) -> None:
    tab = new_tab(browser, {"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        page = tab.go(demo_server.url + "/orders")
        page.get_by_label("Move B-0011 to").select_option("cancelled")
        page.locator("#card-B-0011").get_by_role("button", name="Move").click()
        expect(page.get_by_role("status").first).to_have_text("B-0011 is now cancelled.")
        expect(page.locator("#card-B-0011")).to_have_count(0)
        expect(page.locator('[data-drop="cancelled"] [data-count]')).to_have_text("1")
        [row] = store(demo_home, clock, registry, "select status from orders where ref = 'B-0011'")
        assert row["status"] == "cancelled"
    finally:
        tab.page.context.close()


def test_search_finds_a_message(demo_server: RunningServer, desktop: Tab) -> None:
    page = desktop.go(demo_server.url + "/inbox")
    page.get_by_label("Search every message and order").fill("Biscuit")
    page.get_by_label("Search every message and order").press("Enter")
    expect(page.locator("h2")).to_contain_text("Found for “Biscuit”")
    page.get_by_role(
        "link", name=re.compile("Emma Walsh: Custom mugs with our dog's face")
    ).first.click()
    expect(page.locator(".message-text")).to_contain_text("Biscuit")
    expect(page.get_by_role("img", name="Picture: Biscuit on the sofa.jpg")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Biscuit on the sofa.jpg (download)").click()
    assert download.value.suggested_filename == "Biscuit on the sofa.jpg"


def test_inbox_filters(
    demo_server: RunningServer, demo_home: Path, desktop: Tab, clock: FixedClock, registry: Registry
) -> None:
    quoted = {r["ref"] for r in store(demo_home, clock, registry, QUOTED)}
    [unreadable_mail] = store(demo_home, clock, registry, UNREADABLE)
    page = desktop.go(demo_server.url + "/inbox")
    page.get_by_text("Filters").click()
    page.get_by_label("Only waiting for my reply").check()
    page.get_by_label("Channel").select_option("email")
    page.get_by_role("button", name="Show").click()
    rows = page.locator(".rows .row")
    expect(rows).to_have_count(7)  # with the supplier's and the sister's conversations (triage)
    for text in rows.all_inner_texts():
        assert "waiting" in text and "email" in text
    page.goto(demo_server.url + "/inbox?status=quoted")
    expect(page.locator(".rows .row .ref").first).to_have_text(re.compile("|".join(quoted)))
    assert set(page.locator(".rows .row .ref").all_inner_texts()) <= quoted
    page.goto(demo_server.url + "/inbox?unreadable=1")
    expect(rows).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the original").click()
    assert download.value.suggested_filename == f"message-{unreadable_mail['id']}.eml"


def test_an_order_is_run_from_its_page(
    demo_server: RunningServer, demo_home: Path, desktop: Tab, clock: FixedClock, registry: Registry
) -> None:
    page = desktop.go(demo_server.url + "/orders/B-0008")
    expect(page.locator(".timeline .msg")).to_have_count(2)
    page.get_by_label("Deadline", exact=True).fill("2026-12-18")
    page.get_by_label("Hours of work", exact=True).fill("7.5")  # an English shop
    page.get_by_label("Price", exact=True).fill("420")
    page.get_by_label("Payment", exact=True).select_option("deposit_paid")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_have_text("B-0008 saved.")
    page.get_by_label("New task", exact=True).fill("Send glaze samples")
    page.get_by_role("button", name="Add task").click()
    page.get_by_role("button", name="Mark “Send glaze samples” as done").click()
    expect(page.locator(".tasks li.done")).to_contain_text("Send glaze samples")
    page.get_by_label("Add a note to the history").fill("Tom called: wants 60 cups")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".events")).to_contain_text("Tom called: wants 60 cups")
    page.get_by_label("Status of B-0008").select_option("booked")
    page.locator("#h-status + form").get_by_role("button", name="Move").click()
    expect(page.locator(".order-head .badge")).to_have_text("booked")

    [order] = store(demo_home, clock, registry, "select * from orders where ref = 'B-0008'")
    assert (order["deadline"], order["estimated_hours"], order["price"], order["payment"]) == (
        "2026-12-18", 7.5, 420.0, "deposit_paid",
    )  # fmt: skip
    assert order["status"] == "booked"
    done = store(
        demo_home, clock, registry,
        "select done_at from tasks where title = 'Send glaze samples' and order_id = ?", order["id"],
    )  # fmt: skip
    assert done[0]["done_at"] == "2026-11-20T09:00:00+00:00"
    assert desktop.errors == []


def test_a_wrong_value_is_said_plainly_and_nothing_changes(
    demo_server: RunningServer, demo_home: Path, desktop: Tab, clock: FixedClock, registry: Registry
) -> None:
    page = desktop.go(demo_server.url + "/orders/B-0003")
    page.get_by_label("Hours of work", exact=True).fill("lots")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text('"lots" is not a number of hours')
    [order] = store(demo_home, clock, registry, "select estimated_hours from orders where id = 3")
    assert order["estimated_hours"] == 6


def test_the_reply_session_skips_snoozes_and_closes_items(
    demo_server: RunningServer, demo_home: Path, desktop: Tab, clock: FixedClock, registry: Registry
) -> None:
    page = desktop.go(demo_server.url + "/session")
    expect(page.locator(".progress")).to_contain_text("1 of 12")  # and 2 conversations (triage)
    expect(page.locator("#h-item")).to_contain_text("Chiara Rossi")
    page.get_by_role("button", name="Skip").click()
    expect(page.get_by_role("status").first).to_have_text("Skipped: it stays waiting.")
    expect(page.locator("#h-item")).to_contain_text("Francesca Moretti")
    page.get_by_role("button", name="Snooze to the next session").click()
    expect(page.get_by_role("status").first).to_contain_text("Snoozed until")
    expect(page.locator("#h-item")).to_contain_text("Giorgio Lombardi")
    page.get_by_role("button", name="No reply needed").click()
    expect(page.get_by_role("status").first).to_have_text("Marked as needing no reply.")

    # a template in another language, then a price, without losing the way
    page.get_by_label("Template").select_option("quote")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Use this template").click()
    expect(page.get_by_label(re.compile("Your reply"))).to_have_value(re.compile("^Bonjour"))
    expect(page.locator(".progress")).to_contain_text("1 of 9")
    page.get_by_label("Price", exact=True).fill("240")
    page.get_by_role("button", name="Set price").click()
    expect(page.get_by_role("status").first).to_contain_text("price saved")

    # the three form orders met above, by their customers (Chiara's earlier order was by mail)
    rows = store(
        demo_home, clock, registry,
        "select c.name, m.waiting, m.snoozed_until, m.handled_how from messages m"
        " join orders o on o.id = m.order_id join contacts c on c.id = o.contact_id"
        " where c.name in ('Chiara Rossi', 'Francesca Moretti', 'Giorgio Lombardi')"
        " and o.account = 'order-form' and m.direction = 'in' order by m.id",
    )  # fmt: skip
    assert [
        (r["name"], r["waiting"], bool(r["snoozed_until"]), r["handled_how"]) for r in rows
    ] == [
        ("Chiara Rossi", 1, False, None),
        ("Francesca Moretti", 1, True, None),
        ("Giorgio Lombardi", 0, False, "no_reply"),
    ]
    assert desktop.errors == []


def test_the_plan_offers_its_calendar_file_never_a_loopback_subscription(
    demo_server: RunningServer, desktop: Tab
) -> None:
    page = desktop.go(demo_server.url + "/plan")
    at_risk = re.match(r"B-\d+", page.locator(".warn li").first.inner_text())
    assert at_risk is not None  # the demo's wedding favours cannot be ready in time
    # open on this computer only: no address a phone could not reach, the file to import
    expect(page.get_by_label("Calendar address")).to_have_count(0)
    expect(page.locator("#h-calendar + p")).to_contain_text("Your phone cannot reach this page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download plan.ics").click()
    text = Path(download.value.path()).read_text()
    assert text.startswith("BEGIN:VCALENDAR") and at_risk[0] in text


def test_on_the_home_network_the_plan_gives_an_address_a_phone_reaches(
    demo_home: Path, web_server: Callable[..., RunningServer]
) -> None:
    server = web_server(demo_home, host="0.0.0.0", password="terracotta-42")
    with httpx.Client(base_url=server.url.replace("0.0.0.0", "127.0.0.1")) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert csrf
        client.post("/login", data={"csrf": csrf[1], "password": "terracotta-42"})
        page = client.get("/plan").text
    [address] = re.findall(r'id="ics-link" readonly value="([^"]+)"', page)
    address = html.unescape(address)
    # opened here at 127.0.0.1, the page gives this computer's address on its network
    lan = home_network_address()
    assert lan is not None and f"http://{lan}:" in address and "?key=" in address
    answer = httpx.get(address)  # what a phone on the network does, without signing in
    assert answer.status_code == 200 and answer.text.startswith("BEGIN:VCALENDAR")


def test_accounts_say_what_failed_and_what_to_do(
    demo_server: RunningServer, demo_home: Path, desktop: Tab
) -> None:
    (demo_home / "form-responses.csv").rename(demo_home / "form-responses.old")
    page = desktop.go(demo_server.url + "/accounts")
    page.get_by_role("button", name="Collect now").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Collected: 0 new messages, 0 new orders. order-form did not work: see below."
    )
    account = page.locator("#account-order-form")
    expect(account.locator(".badge.state")).to_have_text("needs you")
    expect(account).to_contain_text("form-responses.csv")
    expect(account).to_contain_text("Fix what the error says")
    expect(page.locator("#account-shop-mail .badge.state")).to_have_text("working")
    screenshot(desktop, "accounts-failing-desktop")
    page.get_by_role("link", name="Today").click()
    expect(page.locator("#h-failing")).to_be_visible()
    page.locator("section", has=page.locator("#h-failing")).get_by_role("link").click()
    expect(page).to_have_url(re.compile("/accounts#account-order-form$"))


def test_a_broken_config_is_a_page_in_words(
    demo_server: RunningServer, demo_home: Path, desktop: Tab
) -> None:
    config = demo_home / "banco.toml"
    config.write_text(config.read_text().replace("[shop]", "[shop]\nnmae = 'x'"))
    page = desktop.page
    response = page.goto(demo_server.url + "/orders")
    assert response is not None and response.status == 500
    expect(page.locator("h1")).to_have_text("banco.toml needs fixing.")
    expect(page.locator("main")).to_contain_text('shop.nmae: unknown key; did you mean "name"?')
    assert "Traceback" not in page.content()


def test_a_shop_without_messages(
    write_shop: Callable[..., Path],
    web_server: Callable[..., RunningServer],
    desktop: Tab,
) -> None:
    server = web_server(write_shop())
    for path in ("/", "/inbox", "/orders", "/session", "/plan", "/accounts"):
        desktop.go(server.url + path)
    expect(desktop.page.locator("main")).to_contain_text("No accounts yet")
    desktop.go(server.url + "/session")
    expect(desktop.page.locator(".done")).to_have_text(
        "Nothing waiting: every message has its answer."
    )
    assert desktop.errors == []

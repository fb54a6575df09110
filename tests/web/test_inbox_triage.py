"""Triage in the web inbox: a message waiting on no order asks about its sender with one button,
on the list and on the message's page (order / not an order / never a customer / never anyone at
the domain), as the reply session does; the answer is remembered for the sender, not asked again,
and changed on the Senders page. CSRF-checked like every form. The real ``banco serve`` over
HTTP, and once in headless Chromium."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import json
import re

import httpx
import pytest
from fixtures_web import browser, desktop, visible_text, web_server  # noqa: F401 (fixtures)
from listsource import ListConnector
from playwright.sync_api import expect
from sessions import SLOTS

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.store.senders import DOMAIN, Answer, all_answers


def mail(key: str, sender: str, name: str, subject: str, text: str, hour: int) -> dict:
    return {
        "id": key,
        "at": f"2026-11-18T{hour:02}:00:00+00:00",
        "from": sender,
        "name": name,
        "subject": subject,
        "text": text,
    }


SUPPLIER = mail(
    "s1", "orders@clay-supplier.example", "Clay Supplier", "Shipment 4471",
    "Your four bags of stoneware clay left our warehouse today.", 9,
)  # fmt: skip
SISTER = mail(
    "f1", "marta@family.example", "Marta", "Saturday", "Dinner Saturday? Bring the wine.", 10
)
BOB = mail(
    "b1", "bob@studio.example", "Bob", "Hello from Bob",
    "Hi Giulia, it was lovely to meet you at the fair.", 11,
)  # fmt: skip


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


@pytest.fixture
def shop(write_shop, open_shop):
    home = write_shop(f'{SLOTS}\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n')
    (home / "items.json").write_text(json.dumps([SUPPLIER, SISTER, BOB]))
    shop = open_shop(home)
    collect(shop)
    return shop


def message_of(shop, sender: str) -> int:
    return int(shop.store.scalar("select id from messages where sender_handle = ?", [sender]))


def answers(shop) -> set[tuple[str, str, Answer]]:
    return {(a.kind, a.value, a.answer) for a in all_answers(shop.store)}


def csrf(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert found, html[:300]
    return found[1]


def test_the_inbox_asks_about_unknown_senders_and_remembers(shop, web_server) -> None:
    server = web_server(shop.home)
    supplier, sister, bob = (message_of(shop, m["from"]) for m in (SUPPLIER, SISTER, BOB))
    with httpx.Client(base_url=server.url) as client:
        listing = client.get("/inbox").text
        for message in (supplier, sister, bob):
            assert f'action="/messages/{message}/sender"' in listing
        text = visible_text(listing)
        assert text.count("Is this an order?") == 3
        assert "never anyone at @clay-supplier.example" in text
        token = csrf(listing)

        refused = client.post(f"/messages/{supplier}/sender", data={"choice": "4"})
        assert refused.status_code == 403 and answers(shop) == set()  # no token, nothing kept

        done = client.post(
            f"/messages/{supplier}/sender", data={"choice": "4", "csrf": token, "next": "/inbox"}
        )
        assert done.status_code == 303 and done.headers["location"] == "/inbox"
        listing = client.get("/inbox").text
        assert "Never a customer: their messages no longer wait for you." in listing
        assert f'action="/messages/{supplier}/sender"' not in listing
        assert f'action="/messages/{bob}/sender"' in listing

        # on the message's page: not an order; it stays waiting, and is not asked again
        page = client.get(f"/messages/{bob}").text
        assert "Is this an order?" in visible_text(page) and "the Senders page change it" in page
        done = client.post(f"/messages/{bob}/sender", data={"choice": "2", "csrf": token})
        assert done.headers["location"] == f"/messages/{bob}"
        page = visible_text(client.get(f"/messages/{bob}").text)
        assert "Not an order: it stays a conversation you can answer." in page
        assert "Is this an order?" not in page and "waiting for your reply" in page
        again = client.post(f"/messages/{bob}/sender", data={"choice": "1", "csrf": token})
        assert again.status_code == 303
        page = visible_text(client.get(f"/messages/{bob}").text)
        assert "This sender has an answer already; the Senders page changes it." in page
        assert ("email", "bob@studio.example", Answer.NOT_ORDER) in answers(shop)
        # changed where every answer is changed: the conversation becomes an order
        client.post(
            "/senders/set",
            data={"kind": "email", "value": "bob@studio.example", "answer": "order", "csrf": token},
        )
        assert "B-0001" in visible_text(client.get(f"/messages/{bob}").text)

        wrong = client.post(f"/messages/{sister}/sender", data={"choice": "9", "csrf": token})
        assert wrong.status_code == 303
        assert "Pick an answer." in visible_text(client.get("/inbox").text)
    assert answers(shop) == {
        (DOMAIN, "clay-supplier.example", Answer.NEVER),
        ("email", "bob@studio.example", Answer.ORDER),
    }


def test_one_button_in_the_browser_makes_an_order(shop, web_server, desktop) -> None:
    server = web_server(shop.home)
    page = desktop.go(server.url + "/inbox")
    row = page.locator("li.row", has_text="Marta")
    row.get_by_role("button", name="an order", exact=True).click()
    expect(page.get_by_role("status").first).to_have_text("Now an order: B-0001.")
    expect(page.locator("li.row", has_text="Marta").locator("a.ref")).to_have_text("B-0001")
    expect(page.locator("li.row", has_text="Marta").locator("form.triage")).to_have_count(0)
    assert ("email", "marta@family.example", Answer.ORDER) in answers(shop)
    assert desktop.errors == []

"""The order page's facts over plain HTTP against the running page (`banco serve` on the demo
shop): what is known, what Banco read in the customer's messages with its sentence and a Confirm
and a Dismiss button, a small form to set a fact; a wrong value or a decided proposal is one
plain line and changes nothing."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures_web import demo_home, demo_server, open_shop_at, web_server  # noqa: F401 (fixtures)

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.orders.facts import facts_of
from banco.inbox.web import RunningServer


@pytest.fixture
def client(demo_server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo_server.url, follow_redirects=True) as made:
        yield made


def order_of(home: Path, clock: FixedClock, registry: Registry, name: str) -> dict[str, Any]:
    shop = open_shop_at(home, clock, registry)
    try:
        order = shop.store.one(
            "select o.* from orders o join contacts c on c.id = o.contact_id where c.name = ?"
            " order by o.id limit 1",
            [name],
        )
        assert order is not None
        order["proposals"] = shop.store.all(
            "select id, fact, value, sentence, state from fact_proposals where order_id = ?",
            [order["id"]],
        )
        return order
    finally:
        shop.close()


def post(client: httpx.Client, path: str, **form: str) -> httpx.Response:
    """Send a form of the page with its token; the page it leads to."""
    page = client.get("/orders").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert token
    answer = client.post(path, data={"csrf": token[1], **form})
    assert answer.status_code == 200, answer.text
    return answer


def flashes(page: httpx.Response) -> list[str]:
    found = re.findall(r'<p class="flash \w+" role="\w+">(.*?)</p>', page.text, re.S)
    return [html.unescape(text) for text in found]


def facts_section(page: httpx.Response) -> str:
    section = re.search(r'<section id="facts".*?</section>', page.text, re.S)
    assert section
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section[0])).split())


def test_the_page_shows_what_banco_read_and_confirms_it(
    client: httpx.Client, demo_home: Path, clock: FixedClock, registry: Registry
) -> None:
    claire = order_of(demo_home, clock, registry, "Claire Dubois")
    ref = claire["ref"]
    before = client.get(f"/orders/{ref}")
    shown = facts_section(before)
    assert "What Banco knows" in shown and "deposit not known" in shown
    # she may have accepted: until the maker confirms it, the page only acknowledges
    assert '<option value="acknowledge" selected>' in before.text
    assert "quote accepted" in shown and "C'est parfait, on part là-dessus !" in shown
    accepted = next(p for p in claire["proposals"] if p["fact"] == "accepted")
    page = post(client, f"/orders/{ref}/proposals/{accepted['id']}/confirm", next=f"/orders/{ref}")
    assert flashes(page) == ["Confirmed: quote accepted."]
    now = order_of(demo_home, clock, registry, "Claire Dubois")
    assert now["status"] == "booked" and facts_of(now, "EUR").quoted_price == 420
    assert "C'est parfait" not in facts_section(page)
    assert '<option value="confirmed" selected>' in page.text
    # the same button again (a second tab): one plain line, nothing more changes
    again = post(client, f"/orders/{ref}/proposals/{accepted['id']}/confirm")
    assert flashes(again) == ["This proposal was already confirmed or dismissed; nothing changed."]
    # another order's proposal, or none at all, is not this order's
    for number in ("1", "9" * 25):
        other = post(client, f"/orders/{ref}/proposals/{number}/dismiss")
        assert any("has no proposal" in line for line in flashes(other)), flashes(other)


def test_dismiss_and_the_small_form(
    client: httpx.Client, demo_home: Path, clock: FixedClock, registry: Registry
) -> None:
    luca = order_of(demo_home, clock, registry, "Luca Ferri")
    ref = luca["ref"]
    address = next(p for p in luca["proposals"] if p["fact"] == "address")
    page = post(client, f"/orders/{ref}/proposals/{address['id']}/dismiss")
    assert flashes(page) == [
        "Dismissed: shipping address: Caffè Ferri, via Saragozza 112, 40123 Bologna."
    ]
    page = post(client, f"/orders/{ref}/facts", fact="deposit", value="300", day="2026-11-19")
    assert flashes(page) == [f"{ref} saved."]
    shown = facts_section(page)
    assert "deposit €300, received on" in shown and "balance €972" in shown
    held = facts_of(order_of(demo_home, clock, registry, "Luca Ferri"), "EUR")
    assert held.deposit == 300 and held.deposit_received_on == "2026-11-19"
    # a wrong value: one line, nothing changed
    for form, said in [
        ({"fact": "deposit", "value": "tre"}, '"tre" is not an amount; write it as 1,250.50.'),
        ({"fact": "colour", "value": "blu"}, "Pick the fact to set."),
        ({"fact": "quantity", "value": "0"}, '"0" is not a number of pieces; write it as 12.'),
        ({"fact": "deposit", "value": "5", "day": "31/02/2026"}, '"31/02/2026" is not a date;'),
    ]:
        refused = post(client, f"/orders/{ref}/facts", **form)
        assert len(flashes(refused)) == 1 and flashes(refused)[0].startswith(said), flashes(refused)
    assert facts_of(order_of(demo_home, clock, registry, "Luca Ferri"), "EUR") == held


def test_the_session_page_shows_them_and_confirms_in_place(
    client: httpx.Client, demo_home: Path, clock: FixedClock, registry: Registry
) -> None:
    claire = order_of(demo_home, clock, registry, "Claire Dubois")
    key = f"o{claire['id']}"
    page = client.get(f"/session?key={key}")
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    assert "Banco read this in the messages; is it so?" in shown
    assert "C'est parfait, on part là-dessus !" in shown
    accepted = next(p for p in claire["proposals"] if p["fact"] == "accepted")
    after = post(
        client,
        f"/orders/{claire['ref']}/proposals/{accepted['id']}/confirm",
        next=f"/session?key={key}",
    )
    assert str(after.url).endswith(f"/session?key={key}")
    assert flashes(after) == ["Confirmed: quote accepted."]
    assert "(order confirmed, in French)" in html.unescape(after.text)

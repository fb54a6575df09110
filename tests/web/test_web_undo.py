"""Undo on the order page: the button takes back the last change (a status, then a field), says
what it undid and strikes it through in the history, and says so in one line when nothing is
left to undo; without the page's CSRF token it changes nothing."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fixtures_web import (  # noqa: F401 (fixtures)
    Tab,
    browser,
    demo_home,
    demo_server,
    desktop,
    open_shop_at,
    web_server,
)
from playwright.sync_api import expect

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.web import RunningServer


def order_row(home: Path, clock: FixedClock, registry: Registry, ref: str) -> dict:
    shop = open_shop_at(home, clock, registry)
    try:
        row = shop.store.one("select status, price from orders where ref = ?", [ref])
        assert row is not None
        return row
    finally:
        shop.close()


def test_the_undo_button_takes_back_the_last_change(
    demo_server: RunningServer, demo_home: Path, desktop: Tab, clock: FixedClock, registry: Registry
) -> None:
    before = order_row(demo_home, clock, registry, "B-0008")
    page = desktop.go(demo_server.url + "/orders/B-0008")
    page.get_by_label("Price", exact=True).fill("420")
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Status of B-0008").select_option("booked")
    page.locator("#h-status + form").get_by_role("button", name="Move").click()
    expect(page.locator(".order-head .badge")).to_have_text("booked")

    undo = page.get_by_role("button", name="Undo the last change")
    undo.click()
    expect(page.get_by_role("status").first).to_have_text(re.compile(r"^Undone: .* → booked$"))
    expect(page.locator(".events del").first).to_contain_text("→ booked")
    undo.click()
    expect(page.get_by_role("status").first).to_have_text(re.compile(r"^Undone: price: .* → €420$"))
    assert order_row(demo_home, clock, registry, "B-0008") == before
    assert desktop.errors == []


def test_undo_without_the_token_changes_nothing(
    demo_server: RunningServer, demo_home: Path, clock: FixedClock, registry: Registry
) -> None:
    before = order_row(demo_home, clock, registry, "B-0009")["status"]
    with httpx.Client(base_url=demo_server.url, follow_redirects=False) as client:
        page = client.get("/orders/B-0009").text
        found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
        assert found
        client.post("/orders/B-0009/status", data={"status": "lost", "csrf": found[1]})
        refused = client.post("/orders/B-0009/undo", data={"csrf": "guess"})
        assert refused.status_code == 403
        assert order_row(demo_home, clock, registry, "B-0009")["status"] == "lost"
        done = client.post("/orders/B-0009/undo", data={"csrf": found[1]})
        assert done.status_code == 303
        assert order_row(demo_home, clock, registry, "B-0009")["status"] == before
        # undo walks back the demo's own changes, then refuses in one line on the order's page
        for _ in range(20):
            again = client.post(
                "/orders/B-0009/undo",
                data={"csrf": found[1], "next": "/orders/B-0009"},
                headers={"Referer": demo_server.url + "/orders/B-0009"},
            )
            assert again.status_code == 303
            shown = client.get(again.headers["location"]).text
            if "has no change to undo" in shown:
                break
        assert "B-0009 has no change to undo." in shown

"""The order board fits the screens a maker uses, in headless Chromium: at laptop width (1366x768)
the eight open columns sit side by side with no sideways scrolling, hidden or not (an empty column
folds to a labelled strip that opens when a card lands in it); at phone width (390x844) they stack
under a picker that leads to each. Every card's Move control is usable at both sizes, on the demo
shop and on a shop with orders in every status, in English, Italian and French (the longest
labels). Screenshots of each go to artifacts/screenshots."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures_web import (  # noqa: F401 (fixtures)
    PHONE,
    Tab,
    browser,
    demo_home,
    new_tab,
    open_shop_at,
    phone,
    screenshot,
    seed_demo,
    web_server,
)
from playwright.sync_api import Browser, Page, expect

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.orders.status import change_status
from banco.inbox.store.orders import STATUSES
from banco.inbox.web import RunningServer
from banco.inbox.web.board import OPEN

LAPTOP = {"width": 1366, "height": 768}
#: The demo's orders moved so that every status, open and closed, holds at least one.
EVERY_STATUS = {
    "B-0011": "awaiting_info",
    "B-0012": "awaiting_info",
    "B-0014": "in_progress",
    "B-0015": "awaiting_client",
    "B-0016": "ready",
    "B-0017": "shipped",
    "B-0002": "lost",
    "B-0004": "cancelled",
}
#: (shop, language): the demo as `banco demo` writes it, and every status in each language.
SHOPS = [("demo", "en"), ("every-status", "en"), ("every-status", "it"), ("every-status", "fr")]
FOLDED = 50  # px: wider than a folded column's strip, narrower than any open column

_SEEDED: dict[str, Path] = {}


@pytest.fixture
def shop_home(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    clock: FixedClock,
    registry: Registry,
) -> Path:
    """A copy of the shop named by the test's ``shop`` and ``lang`` parameters, seeded once per
    test process."""
    shop, lang = request.param
    key = f"{shop}-{lang}"
    if key not in _SEEDED:
        home = seed_demo(tmp_path_factory.mktemp(key) / "demo", clock, registry, lang)
        if shop == "every-status":
            opened = open_shop_at(home, clock, registry)
            try:
                for ref, status in EVERY_STATUS.items():
                    change_status(opened, ref, status)
            finally:
                opened.close()
        _SEEDED[key] = home
    return Path(shutil.copytree(_SEEDED[key], tmp_path / key))


def board(browser: Browser, url: str, viewport: dict[str, int], **options: object) -> Tab:
    tab = new_tab(browser, viewport, **options)
    tab.go(url + "/orders")
    return tab


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def on_screen(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the window as it is scrolled now."""
    b = box(page, selector)
    width, height = page.viewport_size["width"], page.viewport_size["height"]  # type: ignore[index]
    return (
        b["x"] >= 0
        and b["y"] >= 0
        and b["x"] + b["width"] <= width
        and b["y"] + b["height"] <= height
    )


def nothing_scrolls_sideways(page: Page) -> None:
    """No sideways scrolling: not the page's, and none hidden inside the board or a column. (A
    phone's browser widens its window to fit a page too wide for it, so the width is checked too.)"""
    assert page.evaluate("window.innerWidth") == page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    hidden = page.evaluate(
        """[...document.querySelectorAll('.board, .column, .card')]
           .filter(e => e.scrollWidth > e.clientWidth).map(e => e.id || e.dataset.drop)"""
    )
    assert hidden == []


def move_controls_usable(page: Page) -> None:
    """Each card's status picker and Move button lie inside the window's width and their card, and
    take a click (Playwright's actionability: shown, enabled, not covered)."""
    width = page.viewport_size["width"]  # type: ignore[index]
    cards = page.locator(".board .card")
    assert cards.count() > 0
    for i in range(cards.count()):
        card = cards.nth(i)
        outer = card.bounding_box()
        assert outer is not None
        for control in (card.locator("select[name=status]"), card.get_by_role("button")):
            control.click(trial=True)
            b = control.bounding_box()
            assert b is not None
            assert b["x"] >= 0 and b["x"] + b["width"] <= width
            assert outer["x"] <= b["x"] and b["x"] + b["width"] <= outer["x"] + outer["width"]
        picker = card.locator("select[name=status]").bounding_box()
        assert picker is not None and picker["width"] >= 64, "the status picker shows a word"


@pytest.mark.parametrize("shop_home", SHOPS, indirect=True, ids=["-".join(s) for s in SHOPS])
def test_on_a_laptop_every_column_is_on_the_screen(
    shop_home: Path, web_server: Callable[..., RunningServer], browser: Browser
) -> None:
    tab = board(browser, web_server(shop_home).url, LAPTOP)
    try:
        page = tab.page
        screenshot(tab, f"board-laptop-{shop_home.name}")
        nothing_scrolls_sideways(page)
        for status in OPEN:
            assert on_screen(page, f"#col-{status}"), status
        expect(page.locator(".board-picker")).to_be_hidden()
        move_controls_usable(page)
        assert tab.errors == []
    finally:
        tab.page.context.close()


@pytest.mark.parametrize("shop_home", SHOPS, indirect=True, ids=["-".join(s) for s in SHOPS])
def test_on_a_phone_the_picker_leads_to_every_column(
    shop_home: Path, web_server: Callable[..., RunningServer], browser: Browser
) -> None:
    tab = board(browser, web_server(shop_home).url, PHONE, is_mobile=True, has_touch=True)
    try:
        page = tab.page
        screenshot(tab, f"board-phone-{shop_home.name}")
        nothing_scrolls_sideways(page)
        for status in OPEN:
            page.evaluate("window.scrollTo(0, 0)")
            link = page.locator(f'.board-picker a[href="#col-{status}"]')
            assert on_screen(page, f'.board-picker a[href="#col-{status}"]'), status
            link.click()
            expect(page.locator(f"#col-{status}")).to_be_in_viewport()
            assert on_screen(page, f"#col-{status}"), status
        move_controls_usable(page)
        assert tab.errors == []
    finally:
        tab.page.context.close()


@pytest.mark.parametrize("shop_home", [("demo", "en")], indirect=True, ids=["demo"])
def test_an_empty_column_folds_and_opens_when_a_card_lands_in_it(
    shop_home: Path,
    web_server: Callable[..., RunningServer],
    browser: Browser,
    clock: FixedClock,
    registry: Registry,
) -> None:
    tab = board(browser, web_server(shop_home).url, LAPTOP)
    try:
        page = tab.page
        ready, in_progress = '[data-drop="ready"]', '[data-drop="in_progress"]'
        assert box(page, ready)["width"] < FOLDED, "the demo has nothing ready: a strip"
        assert box(page, in_progress)["width"] > FOLDED
        # the top card of the first column, dropped on the strip's label: both on the screen
        card = page.locator('[data-drop="new"] .card').first
        ref = card.get_attribute("data-ref")
        card.drag_to(page.locator("#col-ready"))
        expect(page.locator(f"{ready} #card-{ref}")).to_be_visible()
        assert box(page, ready)["width"] > FOLDED
        # the last card of a column moved away with its picker: that column folds
        page.get_by_label("Move B-0003 to").select_option("ready")
        page.locator("#card-B-0003").get_by_role("button", name="Move").click()
        expect(page.locator(f"{ready} #card-B-0003")).to_be_visible()
        assert box(page, in_progress)["width"] < FOLDED
        nothing_scrolls_sideways(page)
        for status in OPEN:
            assert on_screen(page, f"#col-{status}"), status
        screenshot(tab, "board-laptop-after-moves")
        shop = open_shop_at(shop_home, clock, registry)
        try:
            moved = shop.store.all("select ref from orders where status = 'ready'")
        finally:
            shop.close()
        assert {r["ref"] for r in moved} == {"B-0003", ref}
        assert tab.errors == []
    finally:
        tab.page.context.close()


@pytest.mark.parametrize("shop_home", [("demo", "en")], indirect=True, ids=["demo"])
def test_a_card_moved_on_a_phone_is_counted_in_the_picker(
    shop_home: Path, web_server: Callable[..., RunningServer], phone: Tab
) -> None:
    page = phone.go(web_server(shop_home).url + "/orders")
    new, ready = page.locator('[data-count-of="new"]'), page.locator('[data-count-of="ready"]')
    expect(new).to_have_text("7")  # the demo's new orders (its Etsy sale came booked and paid)
    expect(ready).to_have_text("0")
    ref = page.locator('[data-drop="new"] .card').first.get_attribute("data-ref")
    page.get_by_label(f"Move {ref} to").select_option("ready")
    page.locator(f"#card-{ref}").get_by_role("button", name="Move").click()
    expect(page.locator(f'[data-drop="ready"] #card-{ref}')).to_be_visible()
    expect(ready).to_have_text("1")
    expect(new).to_have_text("6")
    page.locator('.board-picker a[href="#col-ready"]').click()
    expect(page.locator(f"#card-{ref}")).to_be_in_viewport()
    assert phone.errors == []


@pytest.mark.parametrize("shop_home", [("demo", "en")], indirect=True, ids=["demo"])
def test_on_a_phone_without_javascript_the_picker_and_move_work(
    shop_home: Path, web_server: Callable[..., RunningServer], browser: Browser
) -> None:
    tab = board(browser, web_server(shop_home).url, PHONE, java_script_enabled=False)
    try:
        page = tab.page
        page.locator('.board-picker a[href="#col-booked"]').click()
        expect(page.locator("#col-booked")).to_be_in_viewport()
        page.get_by_label("Move B-0006 to").select_option("in_progress")
        page.locator("#card-B-0006").get_by_role("button", name="Move").click()
        expect(page.get_by_role("status").first).to_have_text("B-0006 is now in progress.")
        expect(page.locator('[data-drop="in_progress"] #card-B-0006')).to_be_attached()
        expect(page.locator('[data-count-of="in_progress"]')).to_have_text("2")
    finally:
        tab.page.context.close()


@pytest.mark.parametrize("shop_home", [("every-status", "en")], indirect=True)
def test_each_cards_move_list_has_its_own_status_chosen(
    shop_home: Path, browser: Browser, web_server: Callable[..., RunningServer]
) -> None:
    """Each status's list of statuses is made once for the board; each card's list still
    holds every status, its own chosen."""
    tab = board(browser, web_server(shop_home).url, LAPTOP)
    try:
        cards = tab.page.locator(".board .card")
        assert cards.count() > len(OPEN)
        for n in range(cards.count()):
            card = cards.nth(n)
            status = card.get_attribute("data-status")
            select = card.locator("select[name=status]")
            assert select.input_value() == status
            assert select.locator("option").count() == len(STATUSES)
        assert tab.errors == []
    finally:
        tab.page.context.close()

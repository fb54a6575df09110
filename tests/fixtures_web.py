"""The web page's real peers: a seeded shop, ``banco serve`` on a free loopback port, a browser.

* ``demo_home``: the demo shop (``banco demo``'s Bottega Giulia), written and collected at the
  tests' fixed clock, with its history applied (quotes, bookings, estimates, finished orders).
* ``web_server``: starts the page for a shop folder in a thread (a real uvicorn server on a free
  port, the same code ``banco serve`` runs) and stops it after the test; ``demo_server`` is the
  demo shop served on 127.0.0.1.
* ``browser``: Debian's chromium driven by Playwright (its own browser download does not work
  here), one per test module: Playwright's sync API keeps an event loop running in the test
  thread while it is open, which other modules' tests (python-telegram-bot's ``asyncio.run``)
  cannot share. ``desktop`` and ``phone`` are fresh tabs (1280x900 and 390x844) that record
  console errors, dialogs and requests, so a test can assert there were none.
* ``screenshot(tab, name)`` saves a full-page picture into ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from banco.connectors import Registry, load_registry
from banco.inbox.clock import FixedClock
from banco.inbox.collect.sync import collect
from banco.inbox.demo import write_demo_shop
from banco.inbox.demo.history import apply_history, remember_answers
from banco.inbox.routines.day import status as status_routine
from banco.inbox.shop import Shop
from banco.inbox.web import RunningServer, start

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def seed_demo(home: Path, clock: FixedClock, registry: Registry, lang: str = "en") -> Path:
    """Write the demo shop into ``home`` and collect it, as ``banco demo`` does, for a maker who
    speaks ``lang`` (English for the page's tests that read its words)."""
    write_demo_shop(home, clock.now(), lang)
    shop = Shop.open(home, clock=clock, registry=registry)
    try:
        remember_answers(shop)  # her earlier answers about senders (triage)
        for result in collect(shop):
            assert result.ok, result.error
        apply_history(shop)
        status_routine(shop)  # stage tasks and the past client worth a note
    finally:
        shop.close()
    return home


_TEMPLATE: list[Path] = []


@pytest.fixture
def demo_home(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A copy of the demo shop, seeded once per test process at the tests' fixed clock."""
    if not _TEMPLATE:
        home = tmp_path_factory.mktemp("demo-template") / "demo"
        _TEMPLATE.append(seed_demo(home, FixedClock(NOW), load_registry()))
    return Path(shutil.copytree(_TEMPLATE[0], tmp_path / "demo"))


@pytest.fixture
def web_server(clock: FixedClock, registry: Registry) -> Iterator[Callable[..., RunningServer]]:
    """``web_server(home, host="127.0.0.1", password=None, **options)``: the page, running, on a
    free port (``options``: ``start``'s, such as ``tls`` or ``trusted_proxies``)."""
    started: list[RunningServer] = []

    def serve(
        home: Path, host: str = "127.0.0.1", password: str | None = None, **options: Any
    ) -> RunningServer:
        server = start(
            home, host=host, port=0, clock=clock, registry=registry, password=password, **options
        )
        started.append(server)
        return server

    yield serve
    for server in started:
        server.stop()


@pytest.fixture
def demo_server(demo_home: Path, web_server: Callable[..., RunningServer]) -> RunningServer:
    return web_server(demo_home)


def open_shop_at(home: Path, clock: FixedClock, registry: Registry) -> Shop:
    """A second look at the store the page writes to (each test closes it)."""
    return Shop.open(home, clock=clock, registry=registry)


# The browser --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Tab:
    """A page in a fresh browser context, with what went wrong in it."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def go(self, url: str) -> Page:
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        return self.page


def new_tab(browser: Browser, viewport: dict[str, int], **options: object) -> Tab:
    context = browser.new_context(viewport=viewport, **options)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    tab = Tab(context.new_page())

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.errors.append(message.text)

    def on_dialog(dialog: Dialog) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.page.on("console", on_console)
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.page.on("dialog", on_dialog)
    tab.page.on("request", lambda request: tab.requests.append(request.url))
    return tab


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Tab]:
    tab = new_tab(browser, DESKTOP)
    yield tab
    tab.page.context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Tab]:
    tab = new_tab(browser, PHONE, is_mobile=True, has_touch=True)
    yield tab
    tab.page.context.close()


def screenshot(tab: Tab, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower()).strip('-')}.png"
    tab.page.screenshot(path=str(path), full_page=True)
    return path


@contextmanager
def server_stopped(server: RunningServer) -> Iterator[None]:
    try:
        yield
    finally:
        server.stop()


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


class _Text(HTMLParser):
    """The text a reader sees: text nodes and the attributes read aloud or shown."""

    SHOWN = ("title", "alt", "placeholder", "aria-label", "data-label", "data-busy")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")
        self.parts += [value or "" for name, value in attrs if name in self.SHOWN]

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

"""The page's search takes any text: a quote is one plain line, FTS5's syntax is words, the
matching words are highlighted, and a hostile message's text is shown as text, never as markup."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fixtures_web import (  # noqa: F401 (fixtures)
    Tab,
    browser,
    demo_home,
    desktop,
    open_shop_at,
    web_server,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from banco.connectors import Handle, Page, Person, Record, Registry
from banco.inbox.clock import FixedClock
from banco.inbox.collect.ingest import Ingest
from banco.inbox.web import RunningServer

NO_WORDS = "There is no word to look for in that: type a word, a name or a reference."
HOSTILE = (
    'Vorrei sei tazzone <img src=x onerror="alert(1)"> </p><script>alert(2)</script>'
    " \x02<b>tazzone</b>\x03 & <mark>finto</mark>"
)


@pytest.fixture
def hostile_server(
    demo_home: Path,
    clock: FixedClock,
    registry: Registry,
    web_server: Callable[..., RunningServer],
) -> RunningServer:
    """The demo shop, plus a customer whose mail tries to write markup into the page."""
    shop = open_shop_at(demo_home, clock, registry)
    try:
        record = Record(
            external_id="hostile-1",
            channel="email",
            sent_at=datetime(2026, 11, 19, 9, 0, tzinfo=UTC),
            sender=Person('<i>Mallory</i>"', [Handle("email", "mallory@evil.example")]),
            subject="<h1>Tazzone</h1>",
            text=HOSTILE,
            message_key="hostile-1@evil.example",
        )
        Ingest(shop.store, "mail", clock.now()).save_page(Page("INBOX", 1, [record]))
    finally:
        shop.close()
    return web_server(demo_home)


@pytest.fixture
def client(hostile_server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hostile_server.url, follow_redirects=False) as made:
        yield made


def results_part(page: str) -> str:
    """The page below its search form: what was found."""
    return page[page.index("</form>") : page.index("</main>")]


@pytest.mark.parametrize("text", ['"', '""', "*", "(", "🙂", "\x00"])
def test_a_quote_or_punctuation_is_one_plain_line(client: httpx.Client, text: str) -> None:
    page = client.get("/inbox", params={"q": text})
    assert page.status_code == 200
    assert NO_WORDS in page.text and "Found for" not in page.text


@pytest.mark.parametrize("text", ['tazze"', 'a"b', "AND OR NOT", "NEAR(tazze blu)", "x:tazze"])
def test_fts5_syntax_is_searched_as_words(client: httpx.Client, text: str) -> None:
    page = client.get("/inbox", params={"q": text})
    assert page.status_code == 200 and "Found for" in page.text


def test_matching_words_are_highlighted(client: httpx.Client) -> None:
    page = client.get("/inbox", params={"q": "tasse"})
    assert re.search(r"<mark>[Tt]asses?</mark>", page.text)


def test_a_hostile_message_is_shown_as_text(client: httpx.Client) -> None:
    main = results_part(client.get("/inbox", params={"q": "tazzone"}).text)
    assert "<mark>tazzone</mark>" in main  # the word found, marked by Banco
    assert "&lt;img src=x" in main and "&lt;script&gt;" in main and "&lt;h1&gt;" in main
    assert "&lt;i&gt;Mallory&lt;/i&gt;" in main
    for raw in ("<img", "<script", "<h1", "<i>", "<b>", "<mark>finto", "\x02", "\x03"):
        assert raw not in main, raw


def test_a_customers_address_finds_her_order(client: httpx.Client) -> None:
    main = results_part(client.get("/inbox", params={"q": "mallory@evil.example"}).text)
    assert 'href="/orders/' in main and 'href="/messages/' in main


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.text(min_size=1),
        st.lists(st.sampled_from(['"', "*", "AND", "NEAR(", ")", "tazze", "🙂", "\x00", "é"])).map(
            "".join
        ),
        st.text(alphabet="ab \"*()'<>&", min_size=1, max_size=10).map(
            lambda t: (t * 1_000)[:10_000]  # 10k characters
        ),
    )
)
def test_any_text_gives_results_or_one_plain_line(client: httpx.Client, text: str) -> None:
    page = client.get("/inbox", params={"q": text})
    assert page.status_code == 200, page.text
    assert ("Found for" in page.text) != (NO_WORDS in page.text) or not text.strip()


def test_the_page_highlights_and_says_a_quote_plainly(
    hostile_server: RunningServer, desktop: Tab
) -> None:
    page = desktop.go(hostile_server.url + "/inbox")
    box = page.get_by_label("Search every message and order")
    box.fill('"')
    box.press("Enter")
    expect(page.get_by_text(NO_WORDS)).to_be_visible()
    box = page.get_by_label("Search every message and order")
    box.fill("tazzone")
    box.press("Enter")
    expect(page.locator("mark", has_text="tazzone").first).to_be_visible()
    expect(page.locator(".snippet").first).to_contain_text(
        '<img src=x onerror="alert(1)"> </p><script>'
    )
    assert page.evaluate("() => document.querySelectorAll('main script, main img').length") == 0

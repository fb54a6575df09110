"""Long lists on the page come in pages, over plain HTTP: the inbox and the orders list 50 rows a
page with the whole count and links to the next page (no script needed), each board column its
first cards with a link to the rest, the today page capped like the digest. Every row is on
exactly one page: nothing lost, nothing repeated."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from busy_shop import BUSY, busy_maildir
from fixtures_web import web_server  # noqa: F401 (fixtures)

from banco.inbox.routines.digest import SECTION_ROWS
from banco.inbox.web import RunningServer
from banco.inbox.web.paging import COLUMN_CARDS, PAGE_ROWS


@pytest.fixture
def client(
    tmp_path: Path, write_shop, run, web_server: Callable[..., RunningServer]
) -> Iterator[httpx.Client]:
    home = write_shop(f'\n[[accounts]]\nname = "mail"\n{busy_maildir(tmp_path / "Maildir")}')
    assert run("--home", str(home), "collect").exit_code == 0
    with httpx.Client(base_url=web_server(home).url) as made:
        yield made


def page(client: httpx.Client, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    return answer.text


def every_page(client: httpx.Client, url: str, row: str) -> list[list[str]]:
    """The rows (``row``'s first group) of each page of the list at ``url``, following the
    page's own link to the next one."""
    pages: list[list[str]] = []
    while url:
        text = page(client, url)
        pages.append(re.findall(row, text))
        following = re.search(r'<a href="([^"]+)" rel="next"', text)
        url = html.unescape(following[1]) if following else ""
    return pages


def test_the_inbox_pages_hold_every_message_once(client: httpx.Client) -> None:
    first = page(client, "/inbox")
    assert f"{BUSY} messages, newest first." in first
    assert f"Page 1 of {-(-BUSY // PAGE_ROWS)}" in first
    pages = every_page(client, "/inbox", r'<a href="/messages/(\d+)">')
    assert [len(p) for p in pages] == [PAGE_ROWS, PAGE_ROWS, BUSY - 2 * PAGE_ROWS]
    ids = [int(i) for p in pages for i in p]
    assert len(set(ids)) == BUSY and ids == sorted(ids, reverse=True)  # newest first


def test_the_inbox_pages_keep_their_filters(client: httpx.Client) -> None:
    url = "/inbox?waiting=1&status=new"
    assert f"{BUSY} messages, newest first." in page(client, url)
    pages = every_page(client, url, r'<a href="/messages/(\d+)">')
    assert sum(len(p) for p in pages) == BUSY
    assert "0 messages" in page(client, "/inbox?status=completed")


def test_the_orders_list_pages_hold_every_order_once(client: httpx.Client) -> None:
    assert f"{BUSY} orders, newest first." in page(client, "/orders?view=list")
    pages = every_page(client, "/orders?view=list&status=new", r'<a href="/orders/(B-\d+)">')
    refs = [ref for p in pages for ref in p]
    assert [len(p) for p in pages] == [PAGE_ROWS, PAGE_ROWS, BUSY - 2 * PAGE_ROWS]
    assert len(set(refs)) == BUSY and refs[0] == f"B-{BUSY:04}"


def test_a_board_column_shows_its_first_cards_and_leads_to_the_rest(
    client: httpx.Client,
) -> None:
    board = page(client, "/orders")
    column = board[
        board.index('id="col-new"') : board.index("</section>", board.index('id="col-new"'))
    ]
    assert f'<span class="count" data-count>{BUSY}</span>' in column
    cards = re.findall(r'id="card-(B-\d+)"', column)
    assert cards == [f"B-{n:04}" for n in range(1, COLUMN_CARDS + 1)]  # the longest there first
    more = re.search(r'<a href="([^"]+)">and (\d+) more</a>', column)
    # the new orders without the past conversations (those have a list of their own)
    assert more and html.unescape(more[1]) == "/orders?view=list&status=new&past=0"
    assert int(more[2]) == BUSY - COLUMN_CARDS
    assert f"{BUSY} orders, newest first." in page(client, html.unescape(more[1]))


def test_the_today_page_is_capped_like_the_digest(client: httpx.Client) -> None:
    today = page(client, "/")
    start = today.index('id="h-waiting"')
    section = today[start : today.index("</section>", start)]
    assert f"Messages waiting for your reply ({BUSY})" in section
    assert section.count("<li>") == SECTION_ROWS
    assert f'<a href="/inbox?waiting=1">and {BUSY - SECTION_ROWS} more</a>' in section
    assert today.index('id="h-waiting"') < today.index('id="h-new"')


def test_search_results_come_in_pages_with_their_whole_count(client: httpx.Client) -> None:
    first = page(client, "/inbox?q=tazze")
    found = int(re.search(r"Found for “tazze” \((\d+)\)", html.unescape(first))[1])
    assert found >= BUSY  # every message names tazze, and so may their orders
    pages = every_page(client, "/inbox?q=tazze", r'<a href="/(messages/\d+|orders/B-\d+)">')
    results = [r for p in pages for r in p]
    assert all(len(p) == PAGE_ROWS for p in pages[:-1]) and 0 < len(pages[-1]) <= PAGE_ROWS
    assert len(results) == len(set(results)) == found  # each result on exactly one page

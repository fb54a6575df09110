"""Reading ahead keeps the order, passes errors on, and stops when the consumer stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fixtures_imap import Mailbox, mail

from banco.connectors.errors import TryLater
from banco.connectors.imap.prefetch import read_ahead


def numbers(n: int, fail_at: int | None = None, seen: list[int] | None = None) -> Iterator[int]:
    for k in range(n):
        if k == fail_at:
            raise TryLater("the connection dropped")
        if seen is not None:
            seen.append(k)
        yield k


def test_items_come_in_order() -> None:
    assert list(read_ahead(numbers(100), 2, lambda: None)) == list(range(100))
    assert list(read_ahead(numbers(5), 0, lambda: None)) == list(range(5))


def test_an_error_in_the_source_is_raised_after_the_items_before_it() -> None:
    got: list[int] = []
    with pytest.raises(TryLater, match="the connection dropped"):
        for item in read_ahead(numbers(10, fail_at=6), 1, lambda: None):
            got.append(item)
    assert got == [0, 1, 2, 3, 4, 5]


def test_a_consumer_that_stops_early_stops_the_source() -> None:
    seen: list[int] = []
    items = read_ahead(numbers(1_000, seen=seen), 1, lambda: None)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()  # type: ignore[attr-defined]
    assert not [t for t in threading.enumerate() if t.name == "banco-imap-read-ahead"]
    assert len(seen) < 10


def test_a_fetch_abandoned_after_one_page_leaves_nothing_running(mailbox: Mailbox) -> None:
    mailbox.append("INBOX", [mail(k) for k in range(30)])
    connector = mailbox.connector(page_size=5)
    connector.PREFETCH_PAGES = 2
    pages = connector.fetch({})
    first = next(pages)
    assert len(first.records) == 5
    pages.close()  # type: ignore[attr-defined]
    connector.close()
    assert not [t for t in threading.enumerate() if t.name == "banco-imap-read-ahead"]
    again = mailbox.connector(page_size=5)
    resumed = [r for page in again.fetch({"INBOX": first.cursor}) for r in page.records]
    again.close()
    assert len(resumed) == 25

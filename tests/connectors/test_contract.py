"""The contract every registered connector must keep (built-in or add-on).

For each kind in the ``banco.connectors`` entry-point group there must be a source fixture
``source_<kind>`` here or in a conftest: an object with ``account()`` (its TOML keys),
``add(n)`` and ``total``. A connector without one fails this test: a new connector ships with its
contract harness.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from sources import CsvSource, MaildirSource

from banco.inbox.collect.sync import collect

KINDS = sorted(ep.name for ep in entry_points(group="banco.connectors"))


@pytest.fixture
def source_maildir(tmp_path: Path) -> MaildirSource:
    return MaildirSource(tmp_path / "Maildir", 23)


@pytest.fixture
def source_csv(tmp_path: Path) -> CsvSource:
    return CsvSource(tmp_path / "answers.csv", 23)


@pytest.fixture(params=KINDS)
def shop_and_source(request, write_shop, open_shop):
    kind = request.param
    try:
        source = request.getfixturevalue(f"source_{kind}")
    except pytest.FixtureLookupError:
        pytest.fail(f"connector kind {kind!r} has no contract harness: add a source_{kind} fixture")
    home = write_shop(f'\n[[accounts]]\nname = "acct"\n{source.account()}')
    shop = open_shop(home)
    connector = shop.connector("acct")
    connector.PAGE_SIZE = 5  # small pages, so that there are many cursors to resume from
    return shop, source


def fetch_all(shop, cursors):
    connector = shop.connector("acct")
    connector.PAGE_SIZE = 5
    try:
        return list(connector.fetch(cursors))
    finally:
        connector.close()


def test_pages_come_in_order_and_cursors_only_move_forward(shop_and_source) -> None:
    shop, source = shop_and_source
    pages = fetch_all(shop, {})
    ids = [r.external_id for p in pages for r in p.records]
    assert len(ids) == len(set(ids)) == source.total
    assert len(pages) > 1
    # Resuming from the cursor after page i yields exactly what came after it.
    cursors: dict = {}
    for i, page in enumerate(pages):
        cursors = {**cursors, page.stream: page.cursor}
        later = {r.external_id for p in pages[i + 1 :] for r in p.records}
        again = {r.external_id for p in fetch_all(shop, cursors) for r in p.records}
        assert again == later, f"resuming after page {i} gave a different set of records"


def test_refetching_from_any_saved_cursor_adds_no_duplicate(shop_and_source) -> None:
    shop, source = shop_and_source
    pages = fetch_all(shop, {})
    [result] = collect(shop)
    assert result.ok, result.error
    assert shop.store.scalar("select count(*) from messages") == source.total
    counted = {
        t: shop.store.scalar(f"select count(*) from {t}") for t in ("orders", "contacts", "threads")
    }
    for page in [None, *pages]:
        shop.store.db.execute("delete from sync_state")
        if page is not None:
            shop.store.db.table("sync_state").insert(
                {"account": "acct", "stream": page.stream, "cursor": json.dumps(page.cursor)}
            )
        [again] = collect(shop)
        assert again.ok and again.counts.new == 0
    assert shop.store.scalar("select count(*) from messages") == source.total
    assert {t: shop.store.scalar(f"select count(*) from {t}") for t in counted} == counted


def test_new_records_after_a_collect_are_picked_up_once(shop_and_source) -> None:
    shop, source = shop_and_source
    collect(shop)
    source.add(7)
    [result] = collect(shop)
    assert result.counts.new == 7
    [nothing] = collect(shop)
    assert nothing.counts.new == 0
    assert shop.store.scalar("select count(*) from messages") == source.total

"""Merges and splits in any order lose nothing: every message, order, conversation and handle
stays, each with a customer who is listed; and a split of a handle right after the merge that
brought it gives back exactly what was there before (hypothesis over random sequences)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from customer_shop import customers_shop, who_holds_what
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banco.inbox.clock import FixedClock
from banco.inbox.customers import merging
from banco.inbox.shop import Shop
from banco.inbox.store import customers as store_customers

#: (merge?, which customer, which other customer or handle), as indexes into what is there
STEPS = st.lists(
    st.tuples(st.booleans(), st.integers(0, 20), st.integers(0, 20), st.booleans()), max_size=8
)


@pytest.fixture
def template(write_shop, open_shop, tmp_path: Path) -> Path:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    return Path(shop.home)


def active(shop: Shop) -> list[int]:
    return [r["id"] for r in store_customers.list_customers(shop.store, limit=None)]


def held_by_listed_customers(shop: Shop) -> None:
    listed = set(active(shop))
    for table, rows in who_holds_what(shop).items():
        for row_id, contact in rows:
            assert contact is None or contact in listed, (table, row_id, contact)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_no_merge_or_split_loses_anything(
    template: Path, tmp_path_factory: pytest.TempPathFactory, clock: FixedClock, registry, steps
) -> None:
    home = Path(shutil.copytree(template, tmp_path_factory.mktemp("shop") / "shop"))
    shop = Shop.open(home, clock=clock, registry=registry)
    try:
        start = who_holds_what(shop)
        counts = {table: len(rows) for table, rows in start.items()}
        for merge_step, first, second, undo_at_once in steps:
            customers = active(shop)
            a = customers[first % len(customers)]
            if merge_step:
                b = customers[second % len(customers)]
                if a == b:
                    continue
                before = who_holds_what(shop)
                moved = [h.value for h in store_customers.handles_of(shop.store, b)]
                merging.merge(shop.store, a, b, clock.now())
                if undo_at_once:  # split right back: exactly as before
                    merging.split(shop.store, a, moved[0], clock.now())
                    assert who_holds_what(shop) == before
            else:
                handles = store_customers.handles_of(shop.store, a)
                if len(handles) > 1:
                    merging.split(shop.store, a, handles[second % len(handles)].value, clock.now())
            assert {t: len(r) for t, r in who_holds_what(shop).items()} == counts
            held_by_listed_customers(shop)
    finally:
        shop.close()

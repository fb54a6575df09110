"""The status check runs a few statements for all the open orders together, never a few for each:
on a shop of 500 open orders it asks the store no more than on a shop of 50 (counted with a
sqlite3 trace callback, as tests/store/test_query_plans.py does). How fast it is on a big shop is
measured in ``bench/views.py``, never here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from listsource import ListConnector
from statements import counted
from test_status import at, reply_from_maker, shop_with

from banco.connectors import Registry
from banco.inbox.orders.status import change_status, check_orders, count_orders
from banco.inbox.shop import Shop

#: what the check may run whatever the number of orders (it runs 6 today)
MOST = 10


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def shop_of(orders: int, write_shop: Callable[..., object], open_shop: Callable[..., Shop]) -> Shop:
    """``orders`` customers who each wrote once; every third answered and quoted, every fifth
    booked with a task overdue."""
    items = [
        {
            "id": f"i{k}",
            "at": at(10 + k % 7),
            "from": f"c{k}@example.com",
            "subject": "Mugs",
            "text": "How much would it cost?",
        }
        for k in range(orders)
    ]
    shop = shop_with(write_shop, open_shop, items)
    for k in range(1, orders + 1, 3):
        reply_from_maker(shop, k, days_ago=8)
        change_status(shop, f"B-{k:04d}", "quoted")
    for k in range(2, orders + 1, 5):
        change_status(shop, f"B-{k:04d}", "booked")
    shop.store.db.execute("update tasks set due = ? where stage = 'booked'", [at(3)[:10]])
    return shop


@pytest.mark.parametrize("orders", [50, 500])
def test_the_status_check_runs_a_bounded_number_of_statements(
    orders: int, write_shop, open_shop
) -> None:
    shop = shop_of(orders, write_shop, open_shop)
    shop.store.db.execute("delete from tasks where stage = 'new'")  # the check makes them again
    for _run in ("making the missing stage tasks", "with every task made"):
        with counted(shop.store.conn) as ran:
            states = check_orders(shop, shop.clock.now() + timedelta(days=1))
        assert len(states) == orders
        assert len(ran) <= MOST, "\n".join(ran)
    by_ref = {s.ref: s for s in states}
    quoted, booked, new = by_ref["B-0001"], by_ref["B-0002"], by_ref["B-0003"]
    assert (quoted.waiting_on, quoted.since, quoted.stale_quote) == ("customer", at(8), True)
    assert booked.next_task == "Confirm the deposit" and len(booked.overdue_tasks) == 2
    assert (new.waiting_on, new.next_task) == ("us", "Answer the inquiry")
    assert sum(s.next_task == "Answer the inquiry" for s in states) == sum(
        s.status == "new" for s in states
    )


def test_a_view_checks_only_the_orders_it_shows(write_shop, open_shop) -> None:
    """The digest's "you wait for" shows the first few orders waiting on their customer, the
    longest waiting first, and counts the rest: only those few are read."""
    shop = shop_of(50, write_shop, open_shop)
    now = shop.clock.now() + timedelta(days=1)
    with counted(shop.store.conn) as ran:
        found = check_orders(shop, now, waiting_on="customer", limit=5)
    every = [s for s in check_orders(shop, now) if s.waiting_on == "customer"]
    # 17 with no message waiting; of those, the 3 booked with her message last wait on her work
    assert len(every) == count_orders(shop, waiting_on="customer") == 14
    assert found == sorted(every, key=lambda s: (s.since, s.ref))[:5]
    # the orders' reads are asked about those 5 only
    asked = [json.loads(ids) for ids in re.findall(r"'(\[[\d, ]*\])'", "\n".join(ran))]
    assert asked and all(len(ids) == 5 for ids in asked)
    assert count_orders(shop) == 50
    assert [s.waiting_on for s in check_orders(shop, now, limit=3)] == ["us"] * 3

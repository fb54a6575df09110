"""The plan asks the store the same few statements on a shop of 600 planned orders as on one of
60, and holds only what it shows: the days of the weeks shown, the first warnings and orders with
no estimate with how many there are (counted with a sqlite3 trace callback, as
tests/orders/test_status_statements.py does). How fast it is on a big shop is measured in
``bench/views.py``, never here; that it shows what laying out every order shows, in
test_plan_bounded.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW
from statements import counted

from banco.inbox.clock import iso
from banco.inbox.routines.plan import PER_LIST, build_plan
from banco.inbox.shop import Shop

#: what the plan may run whatever the number of orders (it runs 4 today)
MOST = 6


@pytest.mark.parametrize("orders", [60, 600])
def test_the_plan_runs_a_bounded_number_of_statements(
    orders: int, write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(write_shop())
    today = NOW.date()
    for n in range(1, orders + 1):
        # every third overdue, every fifth with no estimate: far more work than two weeks hold
        due = today + timedelta(days=n % 30 - (10 if n % 3 == 0 else 0))
        shop.store.insert(
            "orders",
            {
                "ref": f"B-{n:04d}",
                "title": f"Mugs {n}",
                "status": ("booked", "in_progress", "awaiting_client")[n % 3],
                "deadline": due.isoformat(),
                "estimated_hours": None if n % 5 == 0 else 3,
                "created_at": iso(NOW),
                "updated_at": iso(NOW),
            },
        )
    config = shop.config

    with counted(shop.store.conn) as ran:
        plan = build_plan(shop.store, config.plan, config.shop.timezone, NOW)

    assert len(ran) <= MOST, "\n".join(ran)
    assert len(plan.days) == 14  # the two weeks shown; the work goes on for months
    assert plan.later(14)[1] is not None
    assert len(plan.warnings) == len(plan.unestimated) == PER_LIST
    assert plan.warnings_count > PER_LIST and plan.unestimated_count == orders // 5


def test_the_digest_counts_every_warning_of_the_plan(
    write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop]
) -> None:
    """The plan holds its first warnings; the digest says how many there are and where the rest
    are ("and 30 more: banco plan")."""
    from banco.inbox.routines.digest import render_text
    from banco.inbox.routines.digest_delivery import daily_digest

    shop = open_shop(write_shop())
    for n in range(1, 41):  # forty orders whose deadline passed
        shop.store.insert(
            "orders",
            {
                "ref": f"B-{n:04d}",
                "title": f"Mugs {n}",
                "status": "booked",
                "deadline": (NOW.date() - timedelta(days=n)).isoformat(),
                "estimated_hours": 2,
                "created_at": iso(NOW),
                "updated_at": iso(NOW),
            },
        )
    digest = daily_digest(shop)
    assert (len(digest.plan_warnings), digest.plan_warnings_count) == (PER_LIST, 40)
    assert "and 30 more: banco plan" in render_text(digest, "en", NOW.date())

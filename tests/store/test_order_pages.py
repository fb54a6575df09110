"""A page of orders (a board column, a page of the list) costs what the page holds, whatever
the number of orders in its status: the page's orders are found on an index in order and only
theirs are counted (messages, waiting ones). Cost is SQLite's own count of the steps it runs
(its progress handler, called at every step), which no machine's speed changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from banco.inbox.store import queries
from banco.inbox.store.database import Store


def _steps_of_a_page(home: Path, orders: int, **chosen: object) -> int:
    store = Store(home)
    try:
        conn = store.conn
        with store.writing():
            for n in range(1, orders + 1):
                conn.execute(
                    "insert into orders (ref, title, status, created_at, updated_at)"
                    " values (?, 'Mugs', 'booked', '2026-11-01', '2026-11-01')",
                    [f"B-{n:05d}"],
                )
                for k in range(3):
                    conn.execute(
                        "insert into messages (account, channel, external_id, direction,"
                        " collected_at, order_id, waiting) values ('mail', 'email', ?, 'in',"
                        " '2026-11-01', ?, ?)",
                        [f"{n}-{k}", n, k % 2],
                    )
        steps = [0]

        def step() -> int:
            steps[0] += 1
            return 0

        conn.set_progress_handler(step, 1)
        page = queries.list_orders(store, limit=20, **chosen)
        conn.set_progress_handler(None, 1)
        assert [o["ref"] for o in page][:2] == ["B-00001", "B-00002"]
        assert page[0]["messages"] == 3 and page[0]["waiting"] == 1
        return steps[0]
    finally:
        store.close()


@pytest.mark.parametrize("chosen", [{"status": "booked"}, {}])
def test_a_page_of_orders_costs_the_same_whatever_the_orders_of_its_status(
    tmp_path: Path, chosen: dict[str, object]
) -> None:
    few = _steps_of_a_page(tmp_path / "few", 40, **chosen)
    many = _steps_of_a_page(tmp_path / "many", 800, **chosen)
    assert many <= few * 1.1, (few, many)

"""No view reads a big table through: every command and page a maker opens often is run on the
demo shop while a trace callback collects each statement its store runs, and the plan of each
(``EXPLAIN QUERY PLAN``) may SEARCH messages, threads and order events by an index, never SCAN
them (a partial index holds only the few rows it is made for: it may be read through; so may an
index walked in order to the end of one page, and a whole table's count, SQLite's count of its
smallest index's pages). A
statement that names the order, thread or contact it wants must search by it: one that searches
every waiting message for the one order it asks about (run once per order shown) reads the whole
backfill once per order; nor may one search messages by ``waiting`` alone past a page's end
(every waiting message of a backfill). A view whose cost grows with the whole shop, not with what it shows,
fails here; how fast each view is on a big shop is measured in ``bench/views.py``, never here."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from fixtures_web import demo_home, web_server  # noqa: F401 (fixtures)

from banco.inbox.store.database import Store
from banco.inbox.web import RunningServer

#: the tables that grow with the years of a shop
BIG = ("messages", "threads", "order_events")
COMMANDS = [
    ["orders"],
    ["orders", "--all"],
    ["status"],
    ["digest"],
    ["messages", "--waiting"],
    ["messages", "--order", "B-0003"],
    ["search", "tazze"],
    ["tasks"],
    ["plan"],
]
PAGES = [
    "/",
    "/inbox",
    "/orders",
    "/orders?view=list",
    "/session",
    "/orders/B-0003",
    "/plan",
    "/accounts",
]
#: the columns that pick out a few rows of a big table
KEYS = ("order_id", "thread_id", "contact_id")
#: a statement that stops after a page of rows
PAGE = re.compile(r"\blimit [1-9]\d*( offset \d+)?\s*$", re.I)
#: a count of a whole table, which SQLite answers from the size of its smallest index's pages
#: (the plan says SCAN ... USING COVERING INDEX) without reading a row
WHOLE_COUNT = re.compile(rf"\(select count\(\*\) from ({'|'.join(BIG)})( \w+)?\)", re.I)
#: statements with no plan to read: transactions, settings, the schema
NO_PLAN = re.compile(r"\s*(--|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|CREATE|DROP)", re.I)


def full_scans(home: Path, ran: list[str]) -> list[str]:
    """Each statement of ``ran`` whose plan reads a big table through, or searches it by another
    column than the key it names, with that plan step."""
    store = Store(home)
    try:
        partial = {
            row["name"]
            for row in store.all("select name, sql from sqlite_master where type = 'index'")
            if " where " in (row["sql"] or "").lower()
        }
        found = []
        for sql in dict.fromkeys(s for s in ran if not NO_PLAN.match(s)):
            names = _names_of_big_tables(sql)
            plan = [step[3] for step in store.db.execute(f"EXPLAIN QUERY PLAN {sql}")]
            # an index walked in the order asked, to the end of one page, reads only that page
            paged = PAGE.search(sql) and not any("FOR ORDER BY" in step for step in plan)
            for step in plan:
                scan = re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", step)
                read_through = scan and scan[1] in names and scan[2] not in partial
                counted = scan and "COVERING" in step and WHOLE_COUNT.search(sql)
                astray = _astray(step, sql) or (_every_waiting(step, sql) and not paged)
                if read_through and not (scan[2] and (paged or counted)) or astray:
                    found.append(f"{step}\n    in: {sql}")
        return found
    finally:
        store.close()


def _astray(step: str, sql: str) -> bool:
    """Whether a SEARCH of a big table ignores the order, thread or contact the statement names
    (``where order_id = 7 and waiting = 1`` searched by ``waiting`` alone)."""
    search = re.match(r"SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \((.*)\)", step)
    if search is None or search[1] not in _names_of_big_tables(sql):
        return False
    named = set(re.findall(rf"\b({'|'.join(KEYS)})\s*=\s*\d", sql))  # one of them, by value
    used = set(re.findall(r"(\w+)\s*[=<>]", search[2]))
    return bool(named) and not named & used


def _every_waiting(step: str, sql: str) -> bool:
    """Whether a SEARCH of messages is by ``waiting`` alone: it reads every message waiting for
    the maker (a first backfill's 100,000) unless it stops at the end of a page."""
    search = re.match(r"SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \((.*)\)", step)
    if search is None or search[1] not in _names_of_big_tables(sql) - {"threads", "order_events"}:
        return False
    return set(re.findall(r"(\w+)\s*[=<>]", search[2])) == {"waiting"}


def _names_of_big_tables(sql: str) -> set[str]:
    """The big tables a statement reads and the names it gives them."""
    names = set(BIG)
    for _table, alias in re.findall(rf"\b({'|'.join(BIG)})\s+(?:as\s+)?(\w+)", sql, re.I):
        names.add(alias)
    return names


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_command_reads_a_big_table_through(
    demo_home: Path,  # noqa: F811 (fixture)
    statements: list[str],
    run: Callable[..., Result],
    args: list[str],
) -> None:
    result = run("--home", str(demo_home), *args)
    assert result.exit_code == 0, result.output
    assert statements, "the trace saw no statement"
    assert full_scans(demo_home, statements) == []


@pytest.mark.parametrize("path", PAGES)
def test_no_page_reads_a_big_table_through(
    demo_home: Path,  # noqa: F811 (fixture)
    statements: list[str],
    web_server: Callable[..., RunningServer],  # noqa: F811 (fixture)
    path: str,
) -> None:
    server = web_server(demo_home)
    statements.clear()  # the store opened at start: its migrations are no view
    response = httpx.get(server.url + path)
    assert response.status_code == 200, response.text
    assert statements, "the trace saw no statement"
    assert full_scans(demo_home, statements) == []


def test_the_deadlines_shown_walk_their_index(tmp_path: Path) -> None:
    """The digest's and the plan's deadlines, earliest first, a page of them and their count:
    read along the open orders' deadline index, never by sorting every order."""
    from banco.inbox.store import orders

    store = Store(tmp_path)
    try:
        ran: list[str] = []
        store.conn.set_trace_callback(ran.append)
        orders.open_with_deadline(store, "2026-12-01", limit=10)
        orders.open_with_deadline(store, "2026-12-08", since="2026-12-01", limit=10)
        orders.count_with_deadline(store, "2026-12-08", since="2026-12-01")
        store.conn.set_trace_callback(None)
        plans = [
            " ".join(row[3] for row in store.conn.execute(f"explain query plan {sql}"))
            for sql in ran
        ]
        assert len(plans) == 3
        assert all("idx_orders_open_deadline" in plan for plan in plans), plans
        assert not any("TEMP B-TREE" in plan for plan in plans), plans
    finally:
        store.close()


def _plans_of(store: Store, views: Callable[[], object]) -> list[str]:
    """The query plan of each statement ``views`` runs."""
    ran: list[str] = []
    store.conn.set_trace_callback(ran.append)
    try:
        views()
    finally:
        store.conn.set_trace_callback(None)
    return [
        " ".join(row[3] for row in store.conn.execute(f"explain query plan {sql}"))
        for sql in ran
        if not NO_PLAN.match(sql)
    ]


def test_the_customers_she_waits_for_walk_the_last_words(tmp_path: Path) -> None:
    """The digest's "customers you wait for" and the orders waiting on her work, longest waiting
    first: walked along the index of last words and stopped at the page's end, and counted on
    that index alone, never by sorting or reading every open order."""
    from banco.inbox.orders.status import RULES
    from banco.inbox.store.waits import count_open_orders, open_orders_waiting

    store = Store(tmp_path)
    try:
        plans = _plans_of(
            store,
            lambda: [
                (
                    open_orders_waiting(store, RULES, waiting_on=kind, limit=10),
                    count_open_orders(store, RULES, waiting_on=kind),
                )
                for kind in ("customer", "work")
            ],
        )
        assert len(plans) == 4
        assert all("idx_orders_last_word" in plan for plan in plans), plans
        assert not any("TEMP B-TREE" in plan for plan in plans), plans
        assert all("COVERING INDEX idx_orders_last_word" in plan for plan in plans[1::2]), plans
    finally:
        store.close()


def test_the_new_orders_walk_their_index(tmp_path: Path) -> None:
    """The digest's new orders, their count and what first collects imported read the orders
    created since the last digest from their index, not every order."""
    from banco.inbox.store import orders
    from banco.inbox.store.backfill import imported_since

    store = Store(tmp_path)
    try:
        plans = _plans_of(
            store,
            lambda: (
                orders.created_since(store, "2026-12-01T08:00:00+00:00", 10),
                orders.count_created_since(store, "2026-12-01T08:00:00+00:00"),
                imported_since(store, "2026-12-01T08:00:00+00:00"),
            ),
        )
        assert len(plans) == 3
        assert all("idx_orders_created" in plan for plan in plans), plans
    finally:
        store.close()


def test_the_plan_reads_the_planned_work_from_its_index(tmp_path: Path) -> None:
    """The plan adds up every planned order's work for its warnings' count: their deadlines and
    estimates come from their index alone, in the plan's order, with nothing sorted."""
    from banco.inbox.store import orders

    store = Store(tmp_path)
    try:
        plans = _plans_of(
            store,
            lambda: (
                orders.planned_work(
                    store,
                    {"2026-12-01": 0, "2026-12-02": 360},
                    today="2026-12-01",
                    until=0,
                    limit=10,
                ),
                orders.unestimated(store, 10),
            ),
        )
        walk, unestimated = plans[0], plans[-1]
        assert walk == "SCAN orders USING COVERING INDEX idx_orders_planned", plans
        assert "COVERING INDEX idx_orders_planned" in unestimated, plans
    finally:
        store.close()

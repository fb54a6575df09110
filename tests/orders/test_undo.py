"""Undo: `banco orders undo REF` takes back the last change to an order (a status with its stage
tasks, fields, a task ticked off), says what it undid in her words, walks back one change at a
time, refuses with one line when there is nothing it can undo, and two processes undoing at once
never take back the same change twice."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from pathlib import Path

from banco.inbox.orders.pipeline import create_order, tick_task, update_fields
from banco.inbox.orders.status import change_status, check_orders
from banco.inbox.shop import Shop
from banco.inbox.store.orders import find_order

BANCO = [sys.executable, "-c", "from banco.inbox.cli.main import main; main()"]


def one_order(write_shop, open_shop) -> Shop:
    shop: Shop = open_shop(write_shop())
    create_order(shop.store, "B", shop.clock.now(), contact_id=None, title="Mugs", account="a")
    return shop


def open_titles(shop: Shop) -> list[str]:
    return [
        r["title"]
        for r in shop.store.all(
            "select title from tasks where done_at is null and dropped_at is null order by id"
        )
    ]


def test_undo_walks_back_status_fields_and_ticks(write_shop, open_shop, run) -> None:
    shop = one_order(write_shop, open_shop)
    home = str(shop.home)
    check_orders(shop, shop.clock.now())  # the status check makes the inquiry's task
    change_status(shop, "B-0001", "booked")
    update_fields(shop.store, "B-0001", {"price": 420.0}, shop.clock.now())
    [deposit] = [
        t for t in shop.store.all("select id, title from tasks") if "deposit" in t["title"]
    ]
    tick_task(shop.store, deposit["id"], shop.clock.now())
    run("--home", home, "orders", "note", "B-0001", "Blue glaze")  # a note is no change to undo

    said = run("--home", home, "orders", "undo", "B-0001")
    assert (
        said.exit_code == 0 and said.output == "Undone on B-0001: task done: Confirm the deposit\n"
    )
    assert "Confirm the deposit" in open_titles(shop)
    said = run("--home", home, "orders", "undo", "B-0001")
    assert said.output == "Undone on B-0001: price: — → €420\n"
    assert find_order(shop.store, "B-0001")["price"] is None
    said = run("--home", home, "orders", "undo", "b-1")
    assert said.output == "Undone on B-0001: new inquiry → booked\n"
    assert find_order(shop.store, "B-0001")["status"] == "new"
    # the stage's tasks follow: booked's drop away, the inquiry's is open again
    assert open_titles(shop) == ["Answer the inquiry"]

    refused = run("--home", home, "orders", "undo", "B-0001")
    assert (refused.exit_code, refused.output) == (1, "Error: B-0001 has no change to undo\n")
    history = run("--home", home, "orders", "show", "B-0001").output
    assert "undone: new inquiry → booked" in history and "undone: price: — → €420" in history


def test_undo_of_a_closing_move_reopens_and_back_keeps_its_day(
    write_shop, open_shop, run, clock
) -> None:
    from datetime import timedelta

    shop = one_order(write_shop, open_shop)
    change_status(shop, "B-0001", "completed")
    closed = find_order(shop.store, "B-0001")["closed_at"]
    clock.at += timedelta(days=3)
    change_status(shop, "B-0001", "lost")
    assert run("--home", str(shop.home), "orders", "undo", "B-0001").exit_code == 0
    order = find_order(shop.store, "B-0001")
    assert (order["status"], order["closed_at"]) == ("completed", closed)


def test_a_linked_sender_is_refused_in_one_line(write_shop, open_shop, run) -> None:
    from banco.inbox.store.events import add_event

    shop = one_order(write_shop, open_shop)
    add_event(
        shop.store, 1, shop.clock.now(), "sender_linked", data={"sender": "a", "customer": "b"}
    )
    refused = run("--home", str(shop.home), "orders", "undo", "B-0001")
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: the last change to B-0001 cannot be undone here; change it back by hand\n"
    )


def test_an_unknown_order_is_one_line(write_shop, run) -> None:
    refused = run("--home", str(write_shop()), "orders", "undo", "B-0099")
    assert (refused.exit_code, refused.output) == (
        1,
        'Error: no order "B-0099"; `banco orders` lists them\n',
    )


#: `banco orders undo` in a process of its own, told by the test when to go on: it says
#: "locking" as its undo asks for the store's write lock, "read" once it has read the change it
#: will take back, and then waits for a line on its input before it takes it back.
STEPPED_UNDO = """
import sys
import threading
from banco.inbox.orders import undo
from banco.inbox.store.database import Store

read, writing = undo.last_change, Store.writing

def last_change(store, order_id):
    change = read(store, order_id)
    print("read", flush=True)
    sys.stdin.readline()
    return change

def locking(self):
    print("locking", flush=True)
    return writing(self)

undo.last_change, Store.writing = last_change, locking
from banco.inbox.cli.main import main
main()
"""


def undo_twice_at_once(home: Path) -> list[str]:
    """Two undos at once, at the worst moment: one has read the change it would take back and
    holds on; the other has read one too, or waits for the store's lock. Then both go on. The
    last line each said, sorted."""
    both = [
        subprocess.Popen(
            [sys.executable, "-c", STEPPED_UNDO, "--home", str(home), "orders", "undo", "B-0001"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    lines: queue.Queue[tuple[int, str]] = queue.Queue()

    def listen(index: int, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put((index, line.strip()))
        lines.put((index, ""))  # its end

    said: list[list[str]] = [[], []]
    for index, process in enumerate(both):
        threading.Thread(target=listen, args=(index, process), daemon=True).start()
    while not (all(said) and "read" in said[0] + said[1]):
        index, line = lines.get(timeout=120)
        said[index].append(line)
    for process in both:  # both go on: the one holding on first
        assert process.stdin is not None
        process.stdin.write("\n")
        process.stdin.close()
    for process in both:
        process.wait(timeout=120)
    while any(words[-1] for words in said):  # every line up to each one's end
        index, line = lines.get(timeout=120)
        said[index].append(line)
    return sorted([w for w in words if w not in ("", "read", "locking")][-1] for words in said)


def test_two_processes_undoing_at_once_take_back_two_changes(write_shop, open_shop) -> None:
    shop = one_order(write_shop, open_shop)
    change_status(shop, "B-0001", "quoted")
    change_status(shop, "B-0001", "booked")
    home = shop.home
    shop.close()
    assert undo_twice_at_once(home) == [
        "Undone on B-0001: new inquiry → quote sent",
        "Undone on B-0001: quote sent → booked",
    ]
    again = Shop.open(home)
    try:
        assert find_order(again.store, "B-0001")["status"] == "new"
        assert again.store.scalar("select count(*) from order_events where kind = 'undo'") == 2
    finally:
        again.close()


def test_one_change_two_undos_one_refuses(write_shop, open_shop) -> None:
    shop = one_order(write_shop, open_shop)
    change_status(shop, "B-0001", "quoted")
    home = shop.home
    shop.close()
    assert undo_twice_at_once(home) == [
        "Error: B-0001 has no change to undo",
        "Undone on B-0001: new inquiry → quote sent",
    ]

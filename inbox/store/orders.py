"""Orders in the store: the statuses an order moves through, finding one by its reference or its
link's token, and what filing a message reads and writes of an order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from banco.config.sentence import Sentence
from banco.inbox.errors import WrongInput
from banco.inbox.store.database import Store

STATUSES = (
    "new",
    "awaiting_info",
    "quoted",
    "booked",
    "in_progress",
    "awaiting_client",
    "ready",
    "shipped",
    "completed",
    "lost",
    "cancelled",
)
CLOSED = ("completed", "lost", "cancelled")
PAYMENTS = ("none", "deposit_paid", "paid", "refunded")
#: SQLite's integers are 64-bit: no row (order, message, task, reply) has a larger id, and
#: asking for one raises OverflowError
LARGEST_ID = 2**63 - 1


class OrderError(WrongInput):
    """An order command cannot be done (unknown reference, unknown status, bad value)."""


def find_order(store: Store, ref: str) -> dict[str, Any]:
    """The order a maker means by ``B-0042``, ``b-42`` or ``42``."""
    match = re.fullmatch(r"\s*(?:[A-Za-z]{1,3}-)?0*(\d+)\s*", ref)
    number = int(match[1]) if match else None
    held = number is not None and number <= LARGEST_ID
    row = store.one("select * from orders where id = ?", [number]) if held else None
    if row is None:
        raise OrderError(Sentence('no order "{ref}"; `banco orders` lists them', ref=ref))
    return row


def order_row(store: Store, order_id: int) -> dict[str, Any] | None:
    """Every column of order ``order_id``."""
    return store.one("select * from orders where id = ?", [order_id])


@dataclass(slots=True)
class OrderCustomer:
    """An order and its customer."""

    id: int
    contact_id: int | None


def order_customer(store: Store, order_id: int) -> OrderCustomer | None:
    row = store.db.conn.execute(
        "select id, contact_id from orders where id = ?", [order_id]
    ).fetchone()
    return OrderCustomer(*row) if row is not None else None


def order_by_token(store: Store, token: str) -> OrderCustomer | None:
    """The order whose link for the customer carries ``token``."""
    row = store.db.conn.execute(
        "select id, contact_id from orders where token = ?", [token]
    ).fetchone()
    return OrderCustomer(*row) if row is not None else None


def is_open(store: Store, order_id: int) -> bool:
    return store.scalar("select status from orders where id = ?", [order_id]) not in CLOSED


def open_order_of(store: Store, contact_id: int) -> int | None:
    """The customer's open order written in last."""
    marks = ",".join("?" * len(CLOSED))
    found = store.scalar(
        f"select id from orders where contact_id = ? and status not in ({marks})"
        " order by updated_at desc, id desc limit 1",
        [contact_id, *CLOSED],
    )
    return int(found) if found is not None else None


def touch_order(store: Store, order_id: int, at: str) -> None:
    store.db.conn.execute("update orders set updated_at = ? where id = ?", [at, order_id])


def update_order(store: Store, order_id: int, values: dict[str, Any]) -> None:
    store.db.table("orders").update(order_id, values)


def add_order(store: Store, values: dict[str, Any]) -> int:
    """Write a new order; its id."""
    return store.insert("orders", values)


def set_ref(store: Store, order_id: int, ref: str) -> None:
    store.db.execute("update orders set ref = ? where id = ?", [ref, order_id])


def open_orders(store: Store, *, none_waiting: bool = False) -> list[dict[str, Any]]:
    """Every column of the orders still open, and their customer's name as ``contact``: the day's
    work. A past conversation a first collect imported is in it once she moves it or the
    customer writes again (``collect.backfill``). With ``none_waiting``, only the orders with no
    message waiting for the maker (those whose next move may be the customer's)."""
    closed = ",".join("?" * len(CLOSED))
    quiet = (
        " and not exists (select 1 from messages m where m.order_id = o.id and m.waiting = 1)"
        if none_waiting
        else ""
    )
    return store.all(
        "select o.*, c.name as contact from orders o left join contacts c on c.id = o.contact_id"
        f" where o.status not in ({closed})"
        f" and not (o.status = 'new' and o.history is 'past'){quiet} order by o.id",
        list(CLOSED),
    )


class OrderRef(TypedDict):
    id: int
    ref: str


def first_order_of(store: Store, name: str) -> OrderRef | None:
    """The first order of the customer called ``name``."""
    row = store.one(
        "select o.id, o.ref from orders o join contacts c on c.id = o.contact_id"
        " where c.name = ? order by o.id limit 1",
        [name],
    )
    return cast(OrderRef | None, row)


def close_at_last_message(store: Store, order_id: int) -> None:
    """The order was finished when its conversation ended."""
    store.db.conn.execute(
        "update orders set closed_at = (select max(sent_at) from messages"
        " where order_id = orders.id) where id = ?",
        [order_id],
    )


def created_since(store: Store, since: str) -> list[dict[str, Any]]:
    """Orders created since ``since`` (stored time), with their customer's name: the digest's new
    orders. Those a first collect opened are history, never new (``collect.backfill``)."""
    return store.all(
        "select o.ref, o.title, o.status, o.deadline, c.name as contact from orders o"
        " left join contacts c on c.id = o.contact_id where o.created_at >= ?"
        " and o.history is null order by o.id",
        [since],
    )


def open_with_deadline(store: Store, due_by: str | None = None) -> list[dict[str, Any]]:
    """Open orders with a deadline (up to ``due_by``, a date, when given), earliest first, with
    their customer's name (empty when none)."""
    marks = ",".join("?" * len(CLOSED))
    until = " and o.deadline <= ?" if due_by is not None else ""
    return store.all(
        "select o.ref, o.title, o.deadline, o.status, coalesce(c.name, '') as contact"
        " from orders o left join contacts c on c.id = o.contact_id"
        f" where o.deadline is not null and o.status not in ({marks}){until}"
        " order by o.deadline, o.id",
        [*CLOSED, *([due_by] if due_by is not None else [])],
    )


def in_statuses(store: Store, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    """Orders in ``statuses`` with what the plan needs, oldest first."""
    marks = ",".join("?" * len(statuses))
    return store.all(
        "select o.id, o.ref, o.title, o.status, o.deadline, o.estimated_hours,"
        " coalesce(c.name, '') as contact from orders o"
        f" left join contacts c on c.id = o.contact_id where o.status in ({marks})"
        " order by o.id",
        list(statuses),
    )

"""Orders in the store: the statuses an order moves through, finding one by its reference or its
link's token, and what filing a message reads and writes of an order."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
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
    row = store.conn.execute(
        "select id, contact_id from orders where id = ?", [order_id]
    ).fetchone()
    return OrderCustomer(*row) if row is not None else None


def order_by_token(store: Store, token: str) -> OrderCustomer | None:
    """The order whose link for the customer carries ``token``."""
    row = store.conn.execute(
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
    store.conn.execute("update orders set updated_at = ? where id = ?", [at, order_id])


def update_order(store: Store, order_id: int, values: dict[str, Any]) -> None:
    store.db.table("orders").update(order_id, values)


def add_order(store: Store, values: dict[str, Any]) -> int:
    """Write a new order; its id."""
    return store.insert("orders", values)


def set_ref(store: Store, order_id: int, ref: str) -> None:
    store.db.execute("update orders set ref = ? where id = ?", [ref, order_id])


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
    store.conn.execute(
        "update orders set closed_at = (select max(sent_at) from messages"
        " where order_id = orders.id) where id = ?",
        [order_id],
    )


def created_since(store: Store, since: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Orders created since ``since`` (stored time), with their customer's name, the first
    ``limit`` (all when ``None``): the digest's new orders. Those a first collect opened are
    history, never new (``collect.backfill``)."""
    return store.all(
        # SQLite would rather walk every order by id for the first ten, from the oldest
        "select o.ref, o.title, o.status, o.deadline, c.name as contact"
        " from orders o indexed by idx_orders_created"
        f" left join contacts c on c.id = o.contact_id where {_CREATED_SINCE}"
        " order by o.id limit ?",
        [since, -1 if limit is None else limit],
    )


def count_created_since(store: Store, since: str) -> int:
    """How many orders ``created_since`` would give."""
    return int(store.scalar(f"select count(*) from orders o where {_CREATED_SINCE}", [since]))


_CREATED_SINCE = "o.created_at >= ? and o.history is null"


def open_with_deadline(
    store: Store, due_by: str | None = None, *, since: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Open orders with a deadline (from ``since`` and up to ``due_by``, dates, when given),
    earliest first, the first ``limit`` (all when ``None``), with their customer's name (empty
    when none)."""
    where, params = _deadline_range(due_by, since)
    return store.all(
        "select o.ref, o.title, o.deadline, o.status, coalesce(c.name, '') as contact"
        f" from orders o left join contacts c on c.id = o.contact_id where {where}"
        " order by o.deadline, o.id limit ?",
        [*params, -1 if limit is None else limit],
    )


def count_with_deadline(
    store: Store, due_by: str | None = None, *, since: str | None = None
) -> int:
    """How many open orders ``open_with_deadline`` would give."""
    where, params = _deadline_range(due_by, since)
    return int(store.scalar(f"select count(*) from orders o where {where}", params))


#: an open order with a deadline, written as the partial index ``idx_orders_open_deadline``
#: (m026) is, so that SQLite walks that index in deadline order and stops at the page's end
_OPEN_WITH_DEADLINE = "o.deadline is not null and o.status not in ({})".format(
    ", ".join(f"'{status}'" for status in CLOSED)
)


def _deadline_range(due_by: str | None, since: str | None) -> tuple[str, list[Any]]:
    where, params = _OPEN_WITH_DEADLINE, []
    for bound, value in ((">=", since), ("<=", due_by)):
        if value is not None:
            where += f" and o.deadline {bound} ?"
            params.append(value)
    return where, params


@dataclass(slots=True)
class PlannedWork:
    """What the plan shows of the planned orders' work, laid end to end earliest deadline first
    (no deadline last, oldest first), each order's estimate in whole minutes."""

    #: the orders whose work starts before the ``until``-th minute, in that order: ref, title,
    #: contact, minutes, done (the minutes of work up to the end of this order's)
    laid: list[dict[str, Any]]
    #: the first orders with a deadline that is past or that their work ends after, by deadline
    #: then reference: ref, title, deadline, minutes (those of its work after the deadline)
    late: list[dict[str, Any]]
    late_count: int
    #: the minutes of all the planned work (once more than the plan holds, those up to there)
    minutes: int


#: The orders whose work the plan lays out, written out as their index (m027) names them
PLANNED = ("booked", "in_progress", "awaiting_client")
#: without statistics SQLite would rather take the planned orders by their status index and
#: sort them; this index holds them in the plan's order with all the plan reads of them
_PLANNED = "orders indexed by idx_orders_planned where status in ({})".format(
    ", ".join(f"'{status}'" for status in PLANNED)
)


def planned_work(
    store: Store, fits: Mapping[str, int], *, today: str, until: int, limit: int | None
) -> PlannedWork:
    """The planned orders' work laid end to end over ``fits`` (for each day ahead from ``today``,
    a date, the minutes of work that fit up to its end): the orders laid before the ``until``-th
    minute, and the first ``limit`` (all when ``None``) of those late.

    Every planned order's deadline and estimate are read, in the plan's order, from their index
    alone (the warnings' count and the work's total need them all); only the orders shown are
    read whole. An order is late when its deadline has passed, or when the work up to the end
    of its own is more than fits by its deadline (nothing before the first day, every minute of
    the plan after the last). Once the work before an order is more than all the plan holds,
    and the late orders shown are found, the rest are counted on the index: each of them with a
    deadline is late, if it has an estimate or its deadline has passed (``minutes`` is then the
    work up to there, already more than the plan holds)."""
    days = sorted(fits)
    fit_by = [fits[day] for day in days]
    holds = fit_by[-1] if fit_by else 0
    laid: list[tuple[int, str | None, int, int]] = []  # id, deadline, minutes, done
    late: list[tuple[str, int, int]] = []  # deadline, id, minutes late
    done = late_count = day = 0  # days[:day] are those up to the order's deadline
    rows = store.conn.execute(
        f"select id, deadline, estimated_hours from {_PLANNED} order by coalesce(deadline, '~'), id"
    )
    for order_id, deadline, hours in rows:
        if done > holds and limit is not None and len(late) >= limit and deadline != late[-1][0]:
            late_count += _late_from(store, deadline, order_id, today)
            break
        minutes = max(1, round(hours * 60)) if hours is not None and hours > 0 else 0
        done += minutes
        if minutes and done - minutes < until:
            laid.append((order_id, deadline, minutes, done))
        if deadline is None:
            continue
        while day < len(days) and days[day] <= deadline:  # deadlines come in order
            day += 1
        fit = fit_by[day - 1] if day else 0
        if deadline < today or (minutes and done > fit):
            late_count += 1
            # deadlines come in order: past the ``limit``-th, only its equals may still be shown
            if limit is None or len(late) < limit or deadline == late[-1][0]:
                late.append((deadline, order_id, max(0, min(minutes, done - fit))))
    shown = _shown(store, [row[0] for row in laid] + [row[1] for row in late])
    work = PlannedWork([], [], late_count, done)
    for order_id, deadline, minutes, ended in laid:
        order = shown[order_id]
        work.laid.append({**order, "deadline": deadline, "minutes": minutes, "done": ended})
    for deadline, order_id, minutes in late:
        order = shown[order_id]
        work.late.append(
            {"ref": order["ref"], "title": order["title"], "deadline": deadline, "minutes": minutes}
        )
    work.late.sort(key=lambda row: (row["deadline"], row["ref"]))
    del work.late[len(work.late) if limit is None else limit :]
    return work


def _late_from(store: Store, deadline: str | None, order_id: int, today: str) -> int:
    """How many planned orders, from this one on in the plan's order, are late once the work
    before them is more than the plan holds: those with a deadline and an estimate, or with a
    deadline passed."""
    return int(
        store.scalar(
            f"select count(*) from {_PLANNED} and (coalesce(deadline, '~'), id) >= (?, ?)"
            " and deadline is not null and (estimated_hours > 0 or deadline < ?)",
            [deadline or "~", order_id, today],
        )
    )


def _shown(store: Store, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The reference, title and customer's name of the orders ``ids``, by id."""
    rows = store.all(
        "select o.id, o.ref, o.title, coalesce(c.name, '') as contact from orders o"
        " left join contacts c on c.id = o.contact_id"
        " where o.id in (select value from json_each(?))",
        [json.dumps(ids)],
    )
    return {row.pop("id"): row for row in rows}


def unestimated(store: Store, limit: int | None) -> tuple[list[dict[str, Any]], int]:
    """The first ``limit`` planned orders with no estimate (all when ``None``), oldest first,
    with their customer's name; and how many there are."""
    rows = store.all(
        "select o.id, o.ref, o.title, o.status, o.deadline, o.estimated_hours,"
        " coalesce(c.name, '') as contact, n.count from (select id, count(*) over () as count"
        f" from {_PLANNED} and not coalesce(estimated_hours, 0) > 0 order by id limit ?) n"
        " join orders o on o.id = n.id left join contacts c on c.id = o.contact_id order by o.id",
        [-1 if limit is None else limit],
    )
    count = rows[0]["count"] if rows else 0
    for row in rows:
        del row["count"]
    return rows, count


def first_deadlines_by_day(
    store: Store, since: str, until: str, per_day: int
) -> list[dict[str, Any]]:
    """The first ``per_day`` open orders due on each day from ``since`` to ``until`` (dates), as
    ``open_with_deadline`` gives them, each with ``count``: how many are due that day. The days
    are counted on the deadlines' index alone, and each day's first orders walked on it."""
    where, params = _deadline_range(until, since)
    return store.all(
        "select o.ref, o.title, o.deadline, o.status, coalesce(c.name, '') as contact, d.count"
        " from (select o.deadline, count(*) as count from orders o"
        f" where {where} group by o.deadline) d join orders o on o.id in (select o.id from"
        f" orders o where o.deadline = d.deadline and {_OPEN_WITH_DEADLINE} order by o.id limit ?)"
        " left join contacts c on c.id = o.contact_id order by o.deadline, o.id",
        [*params, per_day],
    )

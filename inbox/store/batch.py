"""The reply session's batch read a few items at a time, whatever the number of waiting messages.

An item is an order with messages waiting for the maker (``o<order id>``), or one waiting message
of no order or from someone not yet linked to the order's customer (``m<message id>``). Items come
in the order of their oldest waiting message: an order's is kept on the order
(``orders.waiting_since``, m026), a loose message's is its own, and both are read from indexes
that stop where the page does. An item can be left out of the batch: every message of it has a
reply on its way or is snoozed, or (an order) all its waiting messages are a new sender's. Such
items are few (they come from the outbox's pending replies, snoozed messages and new senders'
messages), so ``maybe_left_out`` finds them without reading the batch, and the session checks
each.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

from banco.inbox.store.database import Store
from banco.inbox.store.outbox import PENDING

#: each item once, with where it comes: its oldest waiting message's time, its kind, its number
_ITEMS = (
    "select 'o' || o.id as key, o.waiting_since as first, 0 as kind, o.id as n from orders o"
    " where o.waiting_since is not null"
    " union all select 'm' || m.id, m.sent_at, 1, m.id"
    # the partial index stops where the page does; the planner would walk every waiting message
    " from messages m indexed by idx_messages_loose_waiting"
    " where m.waiting = 1 and (m.order_id is null or m.new_sender = 1)"
)


#: the item message ``m`` belongs to: its order's, unless it is from someone not yet linked to
#: the order's customer (answered on their own), else its own
_ITEM_OF_M = (
    "case when m.order_id is not null and not m.new_sender then 'o' || m.order_id"
    " else 'm' || m.id end"
)


class Place(NamedTuple):
    """Where an item comes in the batch (items compare in this order)."""

    first: str
    kind: int
    n: int


def items_from(store: Store, offset: int, limit: int) -> list[str]:
    """The keys of the batch's items ``offset`` to ``offset + limit``, in batch order, items left
    out included (the caller checks the few ``maybe_left_out``)."""
    rows = store.conn.execute(
        # a compound with its own order: both indexes merged, read only up to the page's end
        f"{_ITEMS} order by 2, 3, 4 limit ? offset ?",
        [limit, offset],
    ).fetchall()
    return [str(key) for key, *_place in rows]


def count_items(store: Store) -> int:
    """How many items the batch has, items left out included."""
    return int(
        store.scalar(
            "select (select count(*) from orders where waiting_since is not null)"
            " + (select count(*) from messages indexed by idx_messages_loose_waiting"
            " where waiting = 1 and (order_id is null or new_sender = 1))"
        )
    )


def places(store: Store, keys: Sequence[str]) -> dict[str, Place]:
    """Where each of ``keys`` comes in the batch; keys of no item are left out."""
    orders = [int(k[1:]) for k in keys if k[:1] == "o" and k[1:].isdigit()]
    loose = [int(k[1:]) for k in keys if k[:1] == "m" and k[1:].isdigit()]
    rows = store.conn.execute(
        "select 'o' || o.id, o.waiting_since, 0, o.id from json_each(?) j"
        " cross join orders o on o.id = j.value where o.waiting_since is not null"
        " union all select 'm' || m.id, m.sent_at, 1, m.id from json_each(?) j"
        " cross join messages m on m.id = j.value"
        " where m.waiting = 1 and (m.order_id is null or m.new_sender = 1)",
        [json.dumps(orders), json.dumps(loose)],
    ).fetchall()
    return {str(key): Place(first, kind, n) for key, first, kind, n in rows}


def count_before(store: Store, place: Place) -> int:
    """How many items (left out included) come before ``place``: a count along the indexes up to
    it, as long as the page's place in the batch."""
    return int(
        store.scalar(
            f"select count(*) from ({_ITEMS}) where (first, kind, n) < (?, ?, ?)", list(place)
        )
    )


def maybe_left_out(store: Store, now: str) -> list[str]:
    """The items that may be left out of the batch at ``now``: those with a reply on its way,
    a message snoozed past ``now``, or (an order's) a new sender's message waiting."""
    marks = ",".join("?" * len(PENDING))
    rows = store.conn.execute(
        f"select 'o' || x.order_id from outbox x where x.status in ({marks})"
        " and x.order_id is not null"
        f" union select {_ITEM_OF_M} from outbox x join messages m on m.id = x.reply_to_id"
        f" where x.status in ({marks})"
        f" union select {_ITEM_OF_M} from messages m indexed by idx_messages_snoozed"
        " where m.waiting = 1 and m.snoozed_until is not null and m.snoozed_until > ?"
        " union select 'o' || m.order_id from messages m indexed by idx_messages_new_sender_waiting"
        " where m.waiting = 1 and m.new_sender = 1 and m.order_id is not null",
        [*PENDING, *PENDING, now],
    ).fetchall()
    return [str(key) for (key,) in rows]

"""Orders: the pipeline of statuses, short references like B-0042, the token of each order's link
for its customer, the history of every change, and linking a new sender to an order's customer."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from banco.inbox.clock import iso
from banco.inbox.i18n.catalogs import N_
from banco.inbox.store.database import Store
from banco.inbox.store.orders import CLOSED, PAYMENTS, STATUSES, OrderError, find_order

#: The pipeline, in order. ``lost`` and ``cancelled`` close an order from any stage.
STATUS_WORDS = {
    "new": N_("new inquiry"),
    "awaiting_info": N_("waiting for details"),
    "quoted": N_("quote sent"),
    "booked": N_("booked"),
    "in_progress": N_("in progress"),
    "awaiting_client": N_("waiting for the customer"),
    "ready": N_("ready"),
    "shipped": N_("shipped"),
    "completed": N_("completed"),
    "lost": N_("lost"),
    "cancelled": N_("cancelled"),
}


@lru_cache(maxsize=16)
def ref_pattern(prefix: str) -> re.Pattern[str]:
    """Matches a reference such as ``B-0042`` or ``[B-42]`` anywhere in a subject or text."""
    return re.compile(rf"(?<![\w-]){re.escape(prefix)}-(\d{{1,6}})(?![\w-])", re.IGNORECASE)


#: hyphens :func:`may_hold_ref` looks at one by one before it leaves a text to the pattern
HYPHENS_LOOKED_AT = 100


def may_hold_ref(text: str, prefix: str) -> bool:
    """False only when ``text`` holds no reference :func:`ref_pattern` could find: a quick test
    before the pattern, which takes a hundred microseconds over a long mail. A reference has a
    hyphen right after the prefix, and finding hyphens is quick (most texts have a few)."""
    size = len(prefix)
    is_prefix = _prefix_pattern(prefix).fullmatch
    hyphen = text.find("-", size)
    for _ in range(HYPHENS_LOOKED_AT):
        if hyphen < 0:
            return False
        if is_prefix(text, hyphen - size, hyphen):
            return True
        hyphen = text.find("-", hyphen + 1)
    return hyphen >= 0  # a text full of hyphens: the pattern decides


@lru_cache(maxsize=16)
def _prefix_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(re.escape(prefix), re.IGNORECASE)


def format_ref(prefix: str, order_id: int) -> str:
    return f"{prefix}-{order_id:04d}"


def new_token() -> str:
    """The token of an order's link for its customer: 72 random bits, in the letters a Telegram
    deep link carries (``A-Z a-z 0-9 _ -``, 12 of them where 64 are allowed). Only a customer the
    maker gave the link to can know it: a reference such as B-0042 anyone can guess."""
    return secrets.token_urlsafe(9)


def create_order(
    store: Store,
    prefix: str,
    now: datetime,
    *,
    contact_id: int | None,
    title: str,
    account: str,
    fields: dict[str, Any] | None = None,
    note: str = "",
) -> int:
    values = {
        "contact_id": contact_id,
        "token": new_token(),
        "status": "new",
        "title": title[:200],
        "account": account,
        "created_at": iso(now),
        "updated_at": iso(now),
        **(fields or {}),
    }
    order_id = store.insert("orders", values)
    store.db.execute(
        "update orders set ref = ? where id = ?", [format_ref(prefix, order_id), order_id]
    )
    add_event(store, order_id, now, "created", to_status="new", note=note)
    return order_id


def add_event(
    store: Store,
    order_id: int,
    now: datetime,
    kind: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    store.insert(
        "order_events",
        {
            "order_id": order_id,
            "at": iso(now),
            "kind": kind,
            "from_status": from_status,
            "to_status": to_status,
            "note": note,
            "data": json.dumps(data, ensure_ascii=False) if data else None,
        },
    )


def set_status(
    store: Store, ref: str, status: str, now: datetime, note: str = ""
) -> dict[str, Any]:
    if status not in STATUSES:
        raise OrderError(f'unknown status "{status}"; use one of: {", ".join(STATUSES)}')
    order = find_order(store, ref)
    if order["status"] == status:
        return order
    with store.db.atomic():
        store.db.table("orders").update(
            order["id"],
            {
                "status": status,
                "updated_at": iso(now),
                "closed_at": iso(now) if status in CLOSED else None,
            },
        )
        add_event(
            store,
            order["id"],
            now,
            "status",
            from_status=order["status"],
            to_status=status,
            note=note,
        )
    return find_order(store, ref)


def update_fields(
    store: Store, ref: str, changes: dict[str, Any], now: datetime, note: str = ""
) -> dict[str, Any]:
    """Change plain fields of an order (deadline, estimate, price, payment) and record the change."""
    order = find_order(store, ref)
    if "payment" in changes and changes["payment"] not in PAYMENTS:
        raise OrderError(
            f'unknown payment state "{changes["payment"]}"; use one of: {", ".join(PAYMENTS)}'
        )
    values = {k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()}
    diff = {k: [order[k], v] for k, v in values.items() if order[k] != v}
    if diff:
        with store.db.atomic():
            store.db.table("orders").update(order["id"], {**values, "updated_at": iso(now)})
            add_event(store, order["id"], now, "fields", note=note, data=diff)
    return find_order(store, ref)


def add_note(store: Store, ref: str, text: str, now: datetime) -> None:
    order = find_order(store, ref)
    add_event(store, order["id"], now, "note", note=text)


def add_task(store: Store, ref: str, title: str, now: datetime, due: date | None = None) -> int:
    order = find_order(store, ref)
    task_id = store.insert(
        "tasks",
        {
            "order_id": order["id"],
            "title": title,
            "due": due.isoformat() if due else None,
            "created_at": iso(now),
        },
    )
    return task_id


# New senders ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Linked:
    """A new sender the maker linked to an order's customer, in words."""

    ref: str
    sender: str
    customer: str


def link_sender(store: Store, message_id: int, now: datetime) -> Linked:
    """The maker confirms that the new sender of ``message_id`` is the customer of its order:
    the sender's contact joins the customer's (addresses, conversations, orders), so replies
    and later messages from those addresses are the customer's."""
    message = store.one(
        "select contact_id, order_id, new_sender from messages where id = ?", [message_id]
    )
    if message is None:
        raise OrderError(f"no message {message_id}; `banco messages` lists them")
    if not message["new_sender"]:
        raise OrderError(f"message {message_id} is not from a new sender; there is nothing to link")
    order = store.one("select id, ref, contact_id from orders where id = ?", [message["order_id"]])
    assert order is not None  # a new sender's message is always on an order
    sender, customer = message["contact_id"], order["contact_id"]
    linked = Linked(order["ref"], _who(store, sender), _name(store, customer))
    with store.db.atomic():
        if sender != customer:  # never merge the customer into itself (and delete it)
            _merge_contact(store, sender, into=customer)
        store.db.execute(
            "update messages set new_sender = 0 where contact_id = ? and new_sender = 1"
            " and order_id in (select id from orders where contact_id = ?)",
            [customer, customer],
        )
        add_event(
            store, order["id"], now, "sender_linked", note=f"{linked.sender} is {linked.customer}"
        )
    return linked


def _merge_contact(store: Store, contact_id: int, *, into: int) -> None:
    """Everything of one contact moves to another, and the emptied contact goes."""
    for table in ("handles", "messages", "threads", "orders", "checkins"):
        store.db.execute(
            f"update {table} set contact_id = ? where contact_id = ?", [into, contact_id]
        )
    store.db.execute("delete from contacts where id = ?", [contact_id])


def _who(store: Store, contact_id: int) -> str:
    """A contact's name with its addresses: ``Mallory (email: m@example.net)``."""
    handles = store.all(
        "select kind, value from handles where contact_id = ? order by id", [contact_id]
    )
    listed = ", ".join(f"{h['kind']}: {h['value']}" for h in handles)
    return f"{_name(store, contact_id)} ({listed})" if listed else _name(store, contact_id)


def _name(store: Store, contact_id: int) -> str:
    return str(store.scalar("select name from contacts where id = ?", [contact_id]) or "?")

"""Orders: the pipeline of statuses, short references like B-0042, the token of each order's link
for its customer, the history of every change, and linking a new sender to an order's customer."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from banco.config.sentence import Sentence
from banco.inbox.clock import iso
from banco.inbox.i18n.catalogs import N_
from banco.inbox.store.contacts import contact_name, handles_of, merge_contact
from banco.inbox.store.database import Store
from banco.inbox.store.events import add_event
from banco.inbox.store.messages import clear_new_senders, new_sender_of
from banco.inbox.store.orders import (
    CLOSED,
    PAYMENTS,
    STATUSES,
    OrderError,
    add_order,
    find_order,
    order_row,
    set_ref,
    update_order,
)
from banco.inbox.store.tasks import TaskRow, follow_stage, mark_done
from banco.inbox.store.tasks import add_task as new_task

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
    via: str = "",
) -> int:
    """A new order; ``via`` is where it came from ("email", "telegram", "form"), for its history."""
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
    order_id = add_order(store, values)
    set_ref(store, order_id, format_ref(prefix, order_id))
    add_event(store, order_id, now, "created", to_status="new", data={"via": via} if via else None)
    return order_id


def set_status(
    store: Store, ref: str, status: str, now: datetime, note: str = ""
) -> dict[str, Any]:
    if status not in STATUSES:
        raise OrderError(
            Sentence(
                'unknown status "{status}"; use one of: {choices}',
                status=status,
                choices=", ".join(STATUSES),
            )
        )
    order = find_order(store, ref)
    if order["status"] == status:
        return order
    with store.db.atomic():
        update_order(
            store,
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
            # an undo of a later move puts the order back closed on its day, not on the undo's
            data={"closed_at": order["closed_at"]} if order["closed_at"] else None,
        )
        follow_stage(store, order["id"], status, now)
    return find_order(store, ref)


def update_fields(
    store: Store, ref: str, changes: dict[str, Any], now: datetime, note: str = ""
) -> dict[str, Any]:
    """Change plain fields of an order (deadline, estimate, price, payment) and record the change."""
    order = find_order(store, ref)
    if "payment" in changes and changes["payment"] not in PAYMENTS:
        raise OrderError(
            Sentence(
                'unknown payment state "{payment}"; use one of: {choices}',
                payment=changes["payment"],
                choices=", ".join(PAYMENTS),
            )
        )
    values = {k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()}
    diff = {k: [order[k], v] for k, v in values.items() if order[k] != v}
    if diff:
        with store.db.atomic():
            update_order(store, order["id"], {**values, "updated_at": iso(now)})
            add_event(store, order["id"], now, "fields", note=note, data=diff)
    return find_order(store, ref)


def add_note(store: Store, ref: str, text: str, now: datetime) -> None:
    order = find_order(store, ref)
    add_event(store, order["id"], now, "note", note=text)


def add_task(store: Store, ref: str, title: str, now: datetime, due: date | None = None) -> int:
    order = find_order(store, ref)
    return new_task(store, order["id"], title, now, due=due.isoformat() if due else None)


def tick_task(store: Store, task_id: int, now: datetime) -> TaskRow | None:
    """The maker ticks a task off, kept in its order's history (so she can undo it); None when
    there is no such task open."""
    with store.db.atomic():
        task = mark_done(store, task_id, now)
        if task is not None:
            add_event(
                store,
                task["order_id"],
                now,
                "task_done",
                data={"task": task["id"], "title": task["title"]},
            )
    return task


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
    message = new_sender_of(store, message_id)
    if message is None:
        raise OrderError(Sentence("no message {id}; `banco messages` lists them", id=message_id))
    if not message["new_sender"]:
        raise OrderError(
            Sentence(
                "message {id} is not from a new sender; there is nothing to link", id=message_id
            )
        )
    # a new sender's message always has its contact and is always on an order
    sender, order_id = message["contact_id"], message["order_id"]
    assert sender is not None and order_id is not None
    order = order_row(store, order_id)
    assert order is not None
    customer = order["contact_id"]
    linked = Linked(order["ref"], _who(store, sender), _name(store, customer))
    with store.db.atomic():
        if sender != customer:  # never merge the customer into itself (and delete it)
            merge_contact(store, sender, into=customer)
        clear_new_senders(store, customer)
        add_event(
            store,
            order["id"],
            now,
            "sender_linked",
            data={"sender": linked.sender, "customer": linked.customer},
        )
    return linked


def _who(store: Store, contact_id: int) -> str:
    """A contact's name with its addresses: ``Mallory (email: m@example.net)``."""
    listed = ", ".join(f"{kind}: {value}" for kind, value in handles_of(store, contact_id))
    return f"{_name(store, contact_id)} ({listed})" if listed else _name(store, contact_id)


def _name(store: Store, contact_id: int) -> str:
    return contact_name(store, contact_id) or "?"

"""Customers in the store: the contacts listed and shown, a merge of two contacts recorded so a
split gives it back, a handle split off with its conversations, an order merged into another, an
address mail bounced from (``failing_addresses``), and the suggestions the maker dismissed.

A merged contact is not deleted: it keeps its row with ``merged_into`` set and no handles,
messages or orders of its own, and ``contact_merges.moved`` lists every row the merge moved
(handles, threads, messages, orders, check-ins), so that splitting it back moves exactly those
rows again, under the contact's own id."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import TypedDict

from banco.connectors.base import normalise_handle
from banco.inbox.store.database import Store
from banco.inbox.store.orders import LARGEST_ID

#: the tables whose rows follow their contact in a merge and a split
CONTACT_TABLES = ("handles", "threads", "messages", "orders", "checkins")
#: the tables whose rows follow their order in an order merge
ORDER_TABLES = ("messages", "threads", "tasks", "order_events", "outbox", "checkins")


class CustomerRow(TypedDict):
    """A line of the customers list: who, how many orders, when last heard of."""

    id: int
    name: str
    handles: list[str]
    orders: int
    open_orders: int
    last_at: str


@dataclass(frozen=True)
class HandleRow:
    id: int
    kind: str
    value: str
    display: str


class OrderLine(TypedDict):
    id: int
    ref: str
    status: str
    title: str
    created_at: str
    merged_into: int | None


class LastMessage(TypedDict):
    id: int
    sent_at: str
    direction: str
    subject: str
    text: str


#: the phone digits two customers' phones are compared on: a country code written or not
PHONE_DIGITS = 9
_ACTIVE = "c.merged_into is null and exists (select 1 from handles h where h.contact_id = c.id)"
_LAST_AT = (
    "coalesce((select max(m.sent_at) from messages m where m.contact_id = c.id), c.created_at)"
)


def list_customers(store: Store, *, limit: int | None, offset: int = 0) -> list[CustomerRow]:
    """Customers heard from most recently first; a merged contact is part of the one it joined."""
    page = "" if limit is None else f" limit {int(limit)} offset {int(offset)}"
    rows = store.all(
        f"select c.id, c.name, {_LAST_AT} as last_at,"
        " (select count(*) from orders o where o.contact_id = c.id) as orders,"
        " (select count(*) from orders o where o.contact_id = c.id"
        "  and o.status not in ('completed', 'lost', 'cancelled')) as open_orders,"
        " (select group_concat(value, ' ') from (select value from handles h"
        "  where h.contact_id = c.id order by h.id)) as handles"
        f" from contacts c where {_ACTIVE} order by last_at desc, c.id desc{page}"
    )
    return [
        CustomerRow(
            id=r["id"],
            name=r["name"],
            handles=(r["handles"] or "").split(),
            orders=r["orders"],
            open_orders=r["open_orders"],
            last_at=r["last_at"],
        )
        for r in rows
    ]


def count_customers(store: Store) -> int:
    return int(store.scalar(f"select count(*) from contacts c where {_ACTIVE}"))


def customer_ids_named(store: Store, text: str) -> list[int]:
    """The customers ``text`` names: their number, one of their handles (an address, a phone
    written any way, a chat), else their name (whole, any case)."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) < 19:
        found = store.scalar(
            "select id from contacts where id = ? and merged_into is null", [int(text)]
        )
        if found is not None:
            return [int(found)]
    written = {text.lower(), text.lstrip("@").lower(), normalise_handle("phone", text)}
    marks = ",".join("?" * len(written))
    by_handle = store.all(
        f"select distinct contact_id from handles where lower(value) in ({marks})", [*written]
    )
    if by_handle:
        return [r["contact_id"] for r in by_handle]
    rows = store.all(
        f"select c.id from contacts c where {_ACTIVE} and lower(trim(c.name)) = lower(?)"
        " order by c.id",
        [text],
    )
    return [r["id"] for r in rows]


def handles_of(store: Store, contact_id: int) -> list[HandleRow]:
    rows = store.conn.execute(
        "select id, kind, value, coalesce(display, '') from handles"
        " where contact_id = ? order by id",
        [contact_id],
    ).fetchall()
    return [HandleRow(*row) for row in rows]


def orders_of(store: Store, contact_id: int) -> list[OrderLine]:
    rows = store.all(
        "select id, ref, status, title, created_at, merged_into from orders"
        " where contact_id = ? order by created_at desc, id desc",
        [contact_id],
    )
    return [OrderLine(**r) for r in rows]  # type: ignore[typeddict-item]


def last_message(store: Store, contact_id: int) -> LastMessage | None:
    row = store.one(
        "select id, sent_at, direction, coalesce(subject, '') as subject,"
        " coalesce(text, '') as text from messages where contact_id = ?"
        " order by sent_at desc, id desc limit 1",
        [contact_id],
    )
    return LastMessage(**row) if row else None  # type: ignore[typeddict-item]


def is_customer(store: Store, contact_id: int) -> bool:
    """Whether ``contact_id`` is a customer listed (not merged into another)."""
    if not 0 < contact_id <= LARGEST_ID:
        return False
    return (
        store.scalar("select 1 from contacts where id = ? and merged_into is null", [contact_id])
        is not None
    )


# --- merge and split -------------------------------------------------------------------------


def merge_contacts(store: Store, merged: int, kept: int, at: str) -> int:
    """Move every row of contact ``merged`` to ``kept``, recording which, and mark ``merged``
    as merged into ``kept``. The caller holds the transaction."""
    moved: dict[str, list[int]] = {}
    for table in CONTACT_TABLES:
        ids = [
            r[0]
            for r in store.conn.execute(f"select id from {table} where contact_id = ?", [merged])
        ]
        moved[table] = ids
        store.conn.execute(
            f"update {table} set contact_id = ? where contact_id = ?", [kept, merged]
        )
    store.conn.execute("update contacts set merged_into = ? where id = ?", [kept, merged])
    return store.insert(
        "contact_merges",
        {"kept_id": kept, "merged_id": merged, "at": at, "moved": json.dumps(moved)},
    )


@dataclass(frozen=True)
class MergeRecord:
    id: int
    kept_id: int
    merged_id: int


def merge_bringing(store: Store, contact_id: int, handle_id: int) -> MergeRecord | None:
    """The latest merge into ``contact_id``, not split back yet, that brought ``handle_id``."""
    rows = store.conn.execute(
        "select id, kept_id, merged_id, moved from contact_merges"
        " where kept_id = ? and split_at is null order by id desc",
        [contact_id],
    ).fetchall()
    for merge_id, kept, merged, moved in rows:
        if handle_id in json.loads(moved)["handles"]:
            return MergeRecord(merge_id, kept, merged)
    return None


def split_back(store: Store, merge: MergeRecord, at: str) -> None:
    """Give the merged contact back every row the merge moved that is still with the contact it
    joined, and its place in the list. The caller holds the transaction."""
    moved = json.loads(store.scalar("select moved from contact_merges where id = ?", [merge.id]))
    for table in CONTACT_TABLES:
        for row_id in moved[table]:
            store.conn.execute(
                f"update {table} set contact_id = ? where id = ? and contact_id = ?",
                [merge.merged_id, row_id, merge.kept_id],
            )
    store.conn.execute("update contacts set merged_into = null where id = ?", [merge.merged_id])
    store.conn.execute("update contact_merges set split_at = ? where id = ?", [at, merge.id])


def split_handle(store: Store, contact_id: int, handle: HandleRow, name: str, at: str) -> int:
    """A new contact for ``handle`` with the conversations it wrote in: its threads, their
    messages, and the orders all of whose messages are in them. The caller holds the
    transaction."""
    new_id = store.insert("contacts", {"name": name, "created_at": at})
    conn = store.conn
    conn.execute("update handles set contact_id = ? where id = ?", [new_id, handle.id])
    threads = [
        r[0]
        for r in conn.execute(
            "select distinct thread_id from messages where contact_id = ? and sender_handle = ?"
            " and thread_id is not null",
            [contact_id, handle.value],
        )
    ]
    marks = ",".join("?" * len(threads))
    if threads:
        conn.execute(
            f"update threads set contact_id = ? where contact_id = ? and id in ({marks})",
            [new_id, contact_id, *threads],
        )
        conn.execute(
            f"update messages set contact_id = ? where contact_id = ? and thread_id in ({marks})",
            [new_id, contact_id, *threads],
        )
    conn.execute(
        "update messages set contact_id = ? where contact_id = ? and sender_handle = ?",
        [new_id, contact_id, handle.value],
    )
    # an order goes when every message on it went: one it shares stays with the customer
    conn.execute(
        "update orders set contact_id = :new where contact_id = :old"
        " and exists (select 1 from messages m where m.order_id = orders.id)"
        " and not exists (select 1 from messages m where m.order_id = orders.id"
        "  and (m.contact_id is null or m.contact_id != :new))",
        {"new": new_id, "old": contact_id},
    )
    conn.execute(
        "update checkins set contact_id = ? where order_id in"
        " (select id from orders where contact_id = ?)",
        [new_id, new_id],
    )
    return new_id


def merge_orders(store: Store, merged: int, kept: int) -> None:
    """Move the messages, conversations, tasks, history and replies of order ``merged`` to
    ``kept`` and mark ``merged`` as merged into it. The caller holds the transaction and closes
    ``merged``."""
    for table in ORDER_TABLES:
        store.conn.execute(f"update {table} set order_id = ? where order_id = ?", [kept, merged])
    store.conn.execute("update orders set merged_into = ? where id = ?", [kept, merged])


# --- failing addresses -----------------------------------------------------------------------


def mark_failing(
    store: Store, value: str, at: str, bounce_id: int, returned_id: int | None
) -> None:
    """Mail to address ``value`` bounced (``bounce_id``, returning ``returned_id``)."""
    store.conn.execute(
        "insert or replace into failing_addresses"
        " (kind, value, failed_at, bounce_id, returned_id) values ('email', ?, ?, ?, ?)",
        [value, at, bounce_id, returned_id],
    )


def failed_at(store: Store, kind: str, value: str) -> str | None:
    """When mail to ``value`` bounced, if it did."""
    found = store.scalar(
        "select failed_at from failing_addresses where kind = ? and value = ?", [kind, value]
    )
    return str(found) if found else None


def failing_of(store: Store, contact_id: int) -> dict[str, str]:
    """The customer's addresses mail bounced from, with when."""
    rows = store.conn.execute(
        "select f.value, f.failed_at from failing_addresses f join handles h"
        " on h.kind = f.kind and h.value = f.value where h.contact_id = ?",
        [contact_id],
    ).fetchall()
    return {value: at for value, at in rows}


def clear_failing(store: Store, kind: str, value: str, before: str | None = None) -> bool:
    """Mail to ``value`` works again: no longer failing. With ``before`` (when a message from it
    was sent), only when it failed before then. True when it was failing."""
    sql = "delete from failing_addresses where kind = ? and value = ?"
    args = [kind, value]
    if before is not None:
        sql += " and failed_at < ?"
        args.append(before)
    return bool(store.conn.execute(sql, args).rowcount)


@dataclass(frozen=True)
class SentMessage:
    """The maker's message a bounce returned: where it was filed, to whom it went."""

    id: int
    order_id: int | None
    thread_id: int | None
    recipients: list[str]


def sent_message_keyed(store: Store, message_key: str) -> SentMessage | None:
    row = store.conn.execute(
        "select id, order_id, thread_id, coalesce(recipients, '[]') from messages"
        " where message_key = ? and direction = 'out' order by id limit 1",
        [message_key],
    ).fetchone()
    if row is None:
        return None
    return SentMessage(row[0], row[1], row[2], json.loads(row[3]))


def unfiled_bounces_of(store: Store, contact_id: int) -> list[int]:
    """The bounces (and the mail each returned) from the customer's failing addresses that are
    on no order yet."""
    rows = store.conn.execute(
        "select f.bounce_id, f.returned_id from failing_addresses f"
        " join handles h on h.kind = f.kind and h.value = f.value"
        " join messages m on m.id = f.bounce_id"
        " where h.contact_id = ? and m.order_id is null",
        [contact_id],
    ).fetchall()
    return [i for pair in rows for i in pair if i is not None]


def bounces_awaiting(store: Store, addresses: list[str], sent_at: str) -> list[tuple[int, str]]:
    """The bounces from ``addresses``, at or after ``sent_at``, whose returned mail was not filed
    when they came: (the bounce, the address), oldest first."""
    if not addresses:
        return []
    marks = ", ".join("?" * len(addresses))
    rows = store.conn.execute(
        "select bounce_id, value from failing_addresses where kind = 'email'"
        f" and returned_id is null and failed_at >= ? and value in ({marks}) order by failed_at",
        [sent_at, *addresses],
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


def set_returned(store: Store, value: str, returned_id: int) -> None:
    """The mail bounce from address ``value`` returned is ``returned_id``."""
    store.conn.execute(
        "update failing_addresses set returned_id = ? where kind = 'email' and value = ?",
        [returned_id, value],
    )


def file_on(
    store: Store, message_ids: list[int], order_id: int | None, thread_id: int | None
) -> None:
    """File messages filed on no order (a bounce, the mail it returned) on ``order_id`` and in
    conversation ``thread_id``."""
    for message_id in message_ids:
        store.conn.execute(
            "update messages set order_id = coalesce(order_id, ?),"
            " thread_id = coalesce(thread_id, ?) where id = ?",
            [order_id, thread_id, message_id],
        )


# --- what suggestions read -------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """One handle or name of an active customer, as the suggestions compare them."""

    contact_id: int
    kind: str
    value: str


def active_handles(store: Store) -> list[Known]:
    rows = store.conn.execute(
        "select h.contact_id, h.kind, h.value from handles h join contacts c"
        " on c.id = h.contact_id where c.merged_into is null order by h.id"
    ).fetchall()
    return [Known(*row) for row in rows]


def customers_of_orders(store: Store, order_ids: Collection[int]) -> list[int]:
    """The customers of the orders ``order_ids`` (those that have one)."""
    rows = store.conn.execute(
        "select distinct contact_id from orders where id in (select value from json_each(?))"
        " and contact_id is not null",
        [json.dumps(sorted(order_ids))],
    ).fetchall()
    return [int(row[0]) for row in rows]


def known_of(store: Store, contact_ids: Collection[int]) -> list[Known]:
    """The handles and names of the customers ``contact_ids``."""
    ids = json.dumps(sorted(contact_ids))
    rows = store.conn.execute(
        "select h.contact_id, h.kind, h.value from handles h"
        " where h.contact_id in (select value from json_each(?))"
        " union all select c.id, 'name', c.name from contacts c"
        " where c.id in (select value from json_each(?)) and c.name != ''",
        [ids, ids],
    ).fetchall()
    return [Known(*row) for row in rows]


def known_like(
    store: Store, emails: Collection[str], phone_tails: Collection[str], words: Collection[str]
) -> list[Known]:
    """The active customers' handles and names that may share a key with another's: email
    addresses that reach one of the mailboxes ``emails`` (``local@domain``, with a ``+tag``,
    dots in a Gmail name), phones ending with one of ``phone_tails`` (their last
    ``PHONE_DIGITS`` digits), names holding every one of ``words`` as a word (case aside).
    Each is looked up on an index (m027): a page about one customer costs that customer, not
    the shop. The caller checks the keys."""
    found: list[Known] = []
    active = "c.id = h.contact_id and c.merged_into is null"
    for email in emails:
        local, _at, domain = email.rpartition("@")
        hosts: tuple[str, ...]
        if domain == "gmail.com":  # Gmail reads no dots in a name: compare without any
            # (SQLite would rather read every address of the kind than this index)
            handles = "handles h indexed by idx_handles_undotted"
            value, hosts = "replace(h.value, '.', '')", ("gmailcom", "googlemailcom")
        else:
            handles, value, hosts = "handles h", "h.value", (domain,)
        # handles are stored in lower case (connectors.base.normalise_handle): the mailbox
        # itself, or it with a +tag, both in the index range of "local" then "+" to "@"
        for host in hosts:
            found += [
                Known(*row)
                for row in store.conn.execute(
                    f"select h.contact_id, h.kind, h.value from {handles} join contacts c"
                    f" on {active} where h.kind = 'email' and {value} >= ? and {value} < ?"
                    f" and ({value} = ? or {value} like ?)",
                    [f"{local}+", f"{local}A", f"{local}@{host}", f"{local}+%@{host}"],
                )
            ]
    for tail in phone_tails:
        found += [
            Known(*row)
            for row in store.conn.execute(
                f"select h.contact_id, h.kind, h.value from handles h join contacts c on {active}"
                f" where h.kind = 'phone' and substr(h.value, -{PHONE_DIGITS}) = ?",
                [tail],
            )
        ]
    if words:
        # whole words: "Customer 1" is not a namesake of every name holding a 1; the people's
        # search index (names and addresses) narrows them down, with those it has still to take
        likes = " and ".join("(' ' || c.name || ' ') like ?" for _ in words)
        among, params = "", [f"% {word} %" for word in words]
        if all(any(ch.isalnum() for ch in word) for word in words):  # each one has a token
            among = (
                " and (c.id in (select rowid from people_fts where people_fts match ?)"
                " or c.id in (select contact_id from people_stale))"
            )
            params.append(_phrases(words))
        found += [
            Known(*row)
            for row in store.conn.execute(
                f"select c.id, 'name', c.name from contacts c where {_ACTIVE} and {likes}{among}",
                params,
            )
        ]
    return found


def _phrases(words: Collection[str]) -> str:
    """An FTS5 query holding every one of ``words``, each a phrase of its own tokens."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def active_names(store: Store) -> list[Known]:
    rows = store.conn.execute(
        f"select c.id, 'name', c.name from contacts c where {_ACTIVE} and c.name != ''"
        " order by c.id"
    ).fetchall()
    return [Known(*row) for row in rows]


@dataclass(frozen=True)
class OrderText:
    """An open order as the duplicate rule reads it: its customer, words, date and channel."""

    id: int
    ref: str
    contact_id: int | None
    #: its title, details and first customer messages
    words: str
    created_at: str
    #: the channels its messages came by, comma-separated ("form,email")
    channels: str


def open_order_texts(store: Store, contact_ids: Collection[int] | None = None) -> list[OrderText]:
    """The open orders (of ``contact_ids`` only, when given) as the duplicate rule reads them."""
    only = "" if contact_ids is None else " and o.contact_id in (select value from json_each(?))"
    rows = store.conn.execute(
        "select o.id, o.ref, o.contact_id, o.title, o.details, o.created_at,"
        " coalesce((select group_concat(distinct m.channel) from messages m"
        "  where m.order_id = o.id), ''),"
        " coalesce((select group_concat(t.text, ' ') from (select text from messages"
        "  where order_id = o.id and direction = 'in' order by sent_at limit 3) t), '')"
        " from orders o where o.merged_into is null"
        f" and o.status not in ('completed', 'lost', 'cancelled'){only} order by o.id",
        [] if contact_ids is None else [json.dumps(sorted(contact_ids))],
    ).fetchall()
    return [
        OrderText(i, ref or "", contact, f"{title or ''} {details or ''} {text}", created, chans)
        for i, ref, contact, title, details, created, chans, text in rows
    ]


def dismissed(store: Store, kind: str) -> set[tuple[int, int]]:
    rows = store.conn.execute(
        "select first_id, second_id from dismissed_suggestions where kind = ?", [kind]
    ).fetchall()
    return {(a, b) for a, b in rows}


def dismiss(store: Store, kind: str, first_id: int, second_id: int, at: str) -> None:
    low, high = sorted((first_id, second_id))
    store.conn.execute(
        "insert or ignore into dismissed_suggestions (kind, first_id, second_id, at)"
        " values (?, ?, ?, ?)",
        [kind, low, high, at],
    )

"""Contacts in the store: the people who write, each known by one or more handles (an address, a
chat) that belong to one contact at most."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from banco.connectors import Handle
from banco.inbox.store.database import Store


def contact_of(store: Store, handle: Handle) -> int | None:
    """The contact ``handle`` belongs to, if any."""
    found = store.scalar(
        "select contact_id from handles where kind = ? and value = ?", [handle.kind, handle.value]
    )
    return int(found) if found is not None else None


def add_contact(store: Store, name: str, created_at: str) -> int:
    return store.insert("contacts", {"name": name, "created_at": created_at})


def name_if_unnamed(store: Store, contact_id: int, name: str) -> None:
    """Give the contact ``name`` if it has none yet, or only an address."""
    store.conn.execute(
        "update contacts set name = ? where id = ? and (name = '' or name like '%@%')",
        [name, contact_id],
    )


def add_handle(store: Store, contact_id: int, handle: Handle, display: str) -> None:
    """Give the contact ``handle``, unless it is someone's already."""
    store.conn.execute(
        "insert or ignore into handles (contact_id, kind, value, display) values (?, ?, ?, ?)",
        [contact_id, handle.kind, handle.value, display],
    )


def first_handle(
    store: Store, contact_id: int | None, kind: str, *, usable_only: bool = True
) -> str | None:
    """The contact's first handle of ``kind`` (an address, a chat); ``usable_only``: of those
    mail did not bounce from."""
    usable = (
        " and not exists (select 1 from failing_addresses f"
        " where f.kind = h.kind and f.value = h.value)"
        if usable_only
        else ""
    )
    found = store.scalar(
        f"select value from handles h where contact_id = ? and kind = ?{usable}"
        " order by id limit 1",
        [contact_id, kind],
    )
    return str(found) if found is not None else None


def contact_row(store: Store, contact_id: int) -> dict[str, Any] | None:
    """Every column of contact ``contact_id``."""
    return store.one("select * from contacts where id = ?", [contact_id])


def contact_language(store: Store, contact_id: int) -> str | None:
    """The language the contact is answered in, when known (chosen, or guessed once)."""
    found = store.scalar("select language from contacts where id = ?", [contact_id])
    return str(found) if found else None


def set_contact_language(store: Store, contact_id: int, language: str) -> None:
    store.conn.execute("update contacts set language = ? where id = ?", [language, contact_id])


def contact_name(store: Store, contact_id: int) -> str | None:
    found = store.scalar("select name from contacts where id = ?", [contact_id])
    return str(found) if found is not None else None


def handles_of(store: Store, contact_id: int) -> list[tuple[str, str]]:
    """(kind, value) of each of the contact's handles, in order added."""
    rows = store.conn.execute(
        "select kind, value from handles where contact_id = ? order by id", [contact_id]
    ).fetchall()
    return [(kind, value) for kind, value in rows]


def merge_contact(store: Store, contact_id: int, *, into: int) -> None:
    """Everything of one contact moves to another, and the emptied contact goes."""
    for table in ("handles", "messages", "threads", "orders", "checkins"):
        store.db.execute(
            f"update {table} set contact_id = ? where contact_id = ?", [into, contact_id]
        )
    store.db.execute("delete from contacts where id = ?", [contact_id])


class UnsortedSender(NamedTuple):
    """A message triage may ask about, and who sent it."""

    message_id: int
    contact_id: int
    thread_id: int | None
    sender_handle: str


def unsorted_senders(store: Store, message_ids: Sequence[int]) -> list[UnsortedSender]:
    """Those of ``message_ids`` a person wrote that wait for a reply on no order (a conversation
    triage did not make an order): the ones "is this an order?" may be asked about."""
    rows = store.conn.execute(
        "select id, contact_id, thread_id, coalesce(sender_handle, '') from messages"
        " where id in (select value from json_each(?)) and direction = 'in' and waiting"
        " and order_id is null and auto is null and contact_id is not null order by id",
        [json.dumps(list(message_ids))],
    ).fetchall()
    return [UnsortedSender(*row) for row in rows]

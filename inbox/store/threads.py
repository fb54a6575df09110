"""Conversations in the store: each keyed, within its account, by its chat (or form row), else by
the Message-ID of the mail that started it; filed on an order once one is known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from banco.inbox.store.database import Store


@dataclass(slots=True)
class Thread:
    """What filing needs of a conversation: which it is, and the order it is filed on."""

    id: int
    order_id: int | None


class NewThread(TypedDict):
    account: str
    channel: str
    key: str
    subject: str
    contact_id: int | None
    order_id: int | None
    created_at: str


def thread_by_id(store: Store, thread_id: int) -> Thread | None:
    row = store.conn.execute(
        "select id, order_id from threads where id = ?", [thread_id]
    ).fetchone()
    return Thread(*row) if row is not None else None


def thread_by_key(store: Store, account: str, key: str) -> Thread | None:
    row = store.conn.execute(
        "select id, order_id from threads where account = ? and key = ?", [account, key]
    ).fetchone()
    return Thread(*row) if row is not None else None


def add_thread(store: Store, thread: NewThread) -> Thread | None:
    """The new conversation, or None if its key is taken."""
    added = store.conn.execute(
        "insert or ignore into threads (account, channel, key, subject, contact_id, order_id,"
        " created_at) values (:account, :channel, :key, :subject, :contact_id, :order_id,"
        " :created_at)",
        thread,
    )
    if added.rowcount != 1 or added.lastrowid is None:
        return None
    return Thread(added.lastrowid, thread["order_id"])


def file_on_order(store: Store, thread_id: int, order_id: int) -> None:
    store.conn.execute("update threads set order_id = ? where id = ?", [order_id, thread_id])

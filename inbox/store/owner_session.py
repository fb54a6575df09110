"""The walk-through in the maker's own chat, in the store: one row (id 1) saying which account it
runs on, the item on screen and those still to come, how far her messages were read, and what
she did so far."""

from __future__ import annotations

from typing import TypedDict, cast

from banco.inbox.store.database import Store


class OwnerSession(TypedDict):
    id: int
    account: str
    #: JSON list of the keys of the items still to come
    queue: str
    #: the key of the item on screen; None once the walk-through is over
    current: str | None
    purpose: str | None
    #: the id of the last message of hers that was read
    seen_up_to: int
    started_at: str
    sent: int
    snoozed: int


def is_active(store: Store) -> bool:
    """Whether a walk-through has an item on screen."""
    return bool(store.scalar("select count(*) from owner_session where current is not null"))


def begin(store: Store, session: OwnerSession) -> None:
    """Start ``session`` in place of any before it."""
    store.db.execute("delete from owner_session")
    store.insert("owner_session", dict(session))


def current_session(store: Store) -> OwnerSession | None:
    return cast(OwnerSession | None, store.one("select * from owner_session where id = 1"))


def mark_seen(store: Store, message_id: int) -> None:
    """Her messages up to ``message_id`` are read."""
    store.db.execute("update owner_session set seen_up_to = ? where id = 1", [message_id])


def set_purpose(store: Store, purpose: str) -> None:
    store.db.execute("update owner_session set purpose = ? where id = 1", [purpose])


def count_snoozed(store: Store) -> None:
    store.db.execute("update owner_session set snoozed = snoozed + 1 where id = 1")


def count_sent(store: Store) -> None:
    store.db.execute("update owner_session set sent = sent + 1 where id = 1")


def show_next(store: Store, key: str, purpose: str, queue: str) -> None:
    """Item ``key`` goes on screen with ``purpose``; ``queue`` (JSON) is what is left."""
    store.db.execute(
        "update owner_session set current = ?, purpose = ?, queue = ? where id = 1",
        [key, purpose, queue],
    )


def end_walk_through(store: Store) -> None:
    """No item left: only her decisions on replies still count."""
    store.db.execute("update owner_session set current = null, queue = '[]' where id = 1")

"""Tasks in the store: the open tasks of open orders, and ticking one off."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict, cast

from banco.inbox.clock import iso
from banco.inbox.store.database import Store
from banco.inbox.store.orders import CLOSED


class OpenTask(TypedDict):
    id: int
    ref: str
    title: str
    due: str | None
    stage: str | None


def open_tasks(store: Store) -> list[OpenTask]:
    """The tasks not done yet of orders still open, the ones due first (undated ones last)."""
    rows = store.all(
        "select t.id, o.ref, t.title, t.due, t.stage from tasks t join orders o on o.id = t.order_id"
        f" where t.done_at is null and o.status not in ({','.join('?' * len(CLOSED))})"
        " order by t.due is null, t.due, t.id",
        list(CLOSED),
    )
    return cast(list[OpenTask], rows)


def mark_done(store: Store, task_id: int, at: datetime) -> bool:
    """Tick task ``task_id`` off at ``at``; False when there is no such task not done yet."""
    changed = store.db.conn.execute(
        "update tasks set done_at = ? where id = ? and done_at is null", [iso(at), task_id]
    ).rowcount
    return bool(changed)
